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
// Withdrawn is what left the wallet for good: the debits of the
// distributor's withdrawing and available accounts in journals that credit
// withdrawals_paid (a paid withdrawal, fee included, since the fee left the
// wallet too). Holds released by a rejection never touch withdrawals_paid,
// so they are not counted.
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
	err = tx.get(ctx, "withdrawn", `SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
		JOIN ledger_accounts a ON a.id = e.account_id
		WHERE a.code IN (?, ?) AND e.direction = 'D' AND EXISTS (
			SELECT 1 FROM ledger_entries p JOIN ledger_accounts pa ON pa.id = p.account_id
			WHERE p.journal_id = e.journal_id AND pa.code = ? AND p.direction = 'C')`,
		[]any{ledger.Code(ledger.DistributorWithdrawing, id), ledger.Code(ledger.DistributorAvailable, id), ledger.Code(ledger.WithdrawalsPaid, 0)}, &withdrawn)
	w.Withdrawn = money.Amount(withdrawn)
	return w, err
}
