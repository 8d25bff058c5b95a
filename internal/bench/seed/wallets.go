package seed

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// PaidWithdrawals gives the distributors n paid withdrawals of
// amount, round robin, booked as the real paths book them (a funding
// journal per distributor and chunk, then withdrawal:{id}:request and
// withdrawal:{id}:paid, and the wallets' withdrawn figures), so that the
// ledger check stays sound. It writes in chunks of a thousand, with no one
// else writing: the wallets are not locked. For the bench only.
func PaidWithdrawals(ctx context.Context, db *store.DB, distributors []int64, n int, amount money.Amount,
	progress func(stage string, done, total int)) error {
	if len(distributors) == 0 || n < 0 || amount <= 0 {
		return errs.Wrap("seed.PaidWithdrawals", errs.Invalidf("distributors", "needs distributors and a positive amount"))
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	s, err := db.Settings(ctx)
	if err != nil {
		return errs.Wrap("seed.PaidWithdrawals", err)
	}
	const chunk = 1000
	for done := 0; done < n; {
		k := min(chunk, n-done)
		err := db.DB.Write(ctx, func(tx *sqldb.Tx) error {
			return benchPaidWithdrawals(ctx, tx, s.CurrencyCode, distributors, done, k, amount)
		})
		if err != nil {
			return errs.Wrap("seed.PaidWithdrawals", err)
		}
		done += k
		progress("paid withdrawals", done, n)
	}
	return nil
}

// benchPaidWithdrawals books withdrawals first … first+k-1 of the round robin.
func benchPaidWithdrawals(ctx context.Context, tx *sqldb.Tx, cur string, distributors []int64, first, k int, amount money.Amount) error {
	values := make([]string, k)
	args := make([]any, 0, 9*k)
	for i := range k {
		d := distributors[(first+i)%len(distributors)]
		values[i] = "(?, ?, ?, 0, ?, ?, ?, ?, ?, ?)"
		args = append(args, d, cur, int64(amount), int64(amount), string(wallet.Paid), fmt.Sprintf("bench-%d", first+i),
			sqldb.TS(tx.Now()), sqldb.TS(tx.Now()), sqldb.TS(tx.Now()))
	}
	type paid struct{ id, distributor int64 }
	var ws []paid
	err := tx.Each(ctx, `INSERT INTO withdrawals (distributor_id, currency, amount, fee, net, status, payout_ref, requested_at, decided_at, paid_at)
		VALUES `+strings.Join(values, ", ")+` RETURNING id, distributor_id`, args, func(scan func(...any) error) error {
		var w paid
		err := scan(&w.id, &w.distributor)
		ws = append(ws, w)
		return err
	})
	if err != nil {
		return err
	}
	byDistributor := map[int64]money.Amount{}
	var js []ledger.Journal
	for _, w := range ws {
		byDistributor[w.distributor] += amount
		avail, hold := ledger.Code(ledger.DistributorAvailable, w.distributor), ledger.Code(ledger.DistributorWithdrawing, w.distributor)
		req := ledger.Journal{Key: books.WithdrawalKey(w.id, "request"), Kind: "withdrawal.request", Currency: cur}
		req.Move(avail, hold, amount)
		pay := ledger.Journal{Key: books.WithdrawalKey(w.id, "paid"), Kind: "withdrawal.paid", Currency: cur}
		pay.Move(hold, ledger.Code(ledger.WithdrawalsPaid, 0), amount)
		js = append(js, req, pay)
	}
	ids := make([]int64, 0, len(byDistributor))
	for d := range byDistributor {
		ids = append(ids, d)
	}
	slices.Sort(ids)
	upserts := make([]string, len(ids))
	uargs := make([]any, 0, 2*len(ids))
	for i, d := range ids {
		fund := ledger.Journal{Key: fmt.Sprintf("bench:fund:%d:%d", first, d), Kind: "bench.fund", Currency: cur}
		fund.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.DistributorAvailable, d), byDistributor[d])
		js = append(js, fund)
		upserts[i] = "(?, ?)"
		uargs = append(uargs, d, int64(byDistributor[d]))
	}
	if _, err := books.PostMany(ctx, tx, cur, js); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO wallet_withdrawn (distributor_id, amount) VALUES `+strings.Join(upserts, ", ")+`
		ON CONFLICT (distributor_id) DO UPDATE SET amount = wallet_withdrawn.amount + excluded.amount`, uargs...)
	return err
}

// WithdrawnByEntries is what a wallet's withdrawn figure cost before
// wallet_withdrawn: the debits of the distributor's withdrawing and
// available accounts in journals that credit withdrawals_paid, found by
// walking the ledger's entries. The bench times it beside the wallet.
func WithdrawnByEntries(ctx context.Context, db *store.DB, distributorID int64) (money.Amount, error) {
	var withdrawn int64
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Get(ctx, "withdrawn", `SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
			JOIN ledger_accounts a ON a.id = e.account_id
			WHERE a.code IN (?, ?) AND e.direction = 'D' AND EXISTS (
				SELECT 1 FROM ledger_entries p JOIN ledger_accounts pa ON pa.id = p.account_id
				WHERE p.journal_id = e.journal_id AND pa.code = ? AND p.direction = 'C')`,
			[]any{ledger.Code(ledger.DistributorWithdrawing, distributorID), ledger.Code(ledger.DistributorAvailable, distributorID),
				ledger.Code(ledger.WithdrawalsPaid, 0)}, &withdrawn)
	})
	return money.Amount(withdrawn), errs.Wrap("seed.WithdrawnByEntries", err)
}
