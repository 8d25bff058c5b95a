package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
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
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		w, err = books.ReadWallet(ctx, tx.Tx, distributorID, s.CurrencyCode)
		return err
	})
	return w, errs.Wrap("store.Wallet", err)
}
