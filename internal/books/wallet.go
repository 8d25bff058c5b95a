package books

import (
	"context"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
	"sharemall/internal/wallet"
)

// ReadWallet returns a distributor's balances in currency, read from its
// ledger accounts (in a read transaction: one snapshot).
//
// Withdrawn is what left the wallet for good: the distributor's paid
// withdrawals, fee included (the fee left the wallet too), kept in
// wallet_withdrawn by the transaction that books each payout, so it is one
// row however many withdrawals anyone was paid. Check proves it equals the
// paid withdrawals.
func ReadWallet(ctx context.Context, tx *sqldb.Tx, id int64, currency string) (*wallet.Wallet, error) {
	w := &wallet.Wallet{DistributorID: id, Currency: currency}
	var err error
	for _, b := range []struct {
		kind ledger.Kind
		dest *money.Amount
	}{
		{ledger.DistributorPending, &w.Pending},
		{ledger.DistributorAvailable, &w.Available},
		{ledger.DistributorWithdrawing, &w.Withdrawing},
		{ledger.DistributorDebt, &w.Debt},
	} {
		if *b.dest, err = Balance(ctx, tx, ledger.Code(b.kind, id)); err != nil {
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
