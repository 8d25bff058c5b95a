package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/wallet"
)

// Wallet returns a distributor's balances, read from its ledger accounts
// in one transaction: to the distributor itself and to operators; another
// distributor's wallet is NotFound.
//
// Withdrawn is what left the wallet for good: the distributor's paid
// withdrawals, fee included (the fee left the wallet too), kept in
// wallet_withdrawn by the transaction that books each payout, so it is one
// row however many withdrawals anyone was paid. `ledger check` proves it
// equals the paid withdrawals.
func (db *DB) Wallet(ctx context.Context, actor account.Actor, distributorID int64) (*wallet.Wallet, error) {
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return nil, errs.Wrap("store.Wallet", err)
	}
	var w *wallet.Wallet
	err := db.Read(ctx, func(tx *Tx) error {
		self := actor.DistributorID == distributorID && actor.APIKeyID == 0
		if !actor.IsOperator() && !self {
			return errs.E(errs.NotFound, "", "distributor not found")
		}
		if _, err := tx.distributor(ctx, distributorID); err != nil {
			return err
		}
		var err error
		w, err = tx.wallet(ctx, distributorID)
		return err
	})
	return w, errs.Wrap("store.Wallet", err)
}

func (tx *Tx) wallet(ctx context.Context, id int64) (*wallet.Wallet, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	w := &wallet.Wallet{DistributorID: id, Currency: s.CurrencyCode}
	for _, b := range []struct {
		kind ledger.Kind
		dest *money.Amount
	}{
		{ledger.DistributorPending, &w.Pending},
		{ledger.DistributorAvailable, &w.Available},
		{ledger.DistributorWithdrawing, &w.Withdrawing},
		{ledger.DistributorDebt, &w.Debt},
	} {
		if *b.dest, err = tx.balance(ctx, ledger.Code(b.kind, id)); err != nil {
			return nil, err
		}
	}
	w.Debt = max(-w.Debt, 0) // debit-normal: the balance is minus the debt
	var withdrawn int64
	err = tx.Get(ctx, "withdrawn", `SELECT amount FROM wallet_withdrawn WHERE distributor_id = ?`, []any{id}, &withdrawn)
	if errs.Is(err, errs.NotFound) {
		err = nil // never paid a withdrawal
	}
	w.Withdrawn = money.Amount(withdrawn)
	return w, err
}
