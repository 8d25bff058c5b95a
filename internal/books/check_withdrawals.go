package books

import (
	"context"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
	"sharemall/internal/wallet"
)

// checkWithdrawalHolds: every distributor's withdrawing balance is exactly
// the sum of its open (requested or approved) withdrawals, so no decision
// lost a hold or kept one; a withdrawing balance with no withdrawal behind
// it at all is found as well as withdrawals with no hold.
func checkWithdrawalHolds(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT COALESCE(a.owner_id, w.distributor_id), COALESCE(a.balance, 0), COALESCE(w.held, 0)
		FROM (SELECT owner_id, balance FROM ledger_accounts WHERE kind = ?) a
		FULL OUTER JOIN (SELECT distributor_id, SUM(CASE WHEN status IN (?, ?) THEN amount ELSE 0 END) AS held
			FROM withdrawals GROUP BY distributor_id) w ON w.distributor_id = a.owner_id
		WHERE COALESCE(a.balance, 0) <> COALESCE(w.held, 0)
		ORDER BY 1`,
		[]any{string(ledger.DistributorWithdrawing), string(wallet.Requested), string(wallet.Approved)},
		func(scan func(...any) error) error {
			var d, balance, held int64
			if err := scan(&d, &balance, &held); err != nil {
				return err
			}
			add(Problem{Account: ledger.Code(ledger.DistributorWithdrawing, d),
				What: fmt.Sprintf("holds %d but the distributor's open withdrawals total %d", balance, held)})
			return nil
		})
}

// checkWithdrawalJournals: every withdrawal has its hold journal, every
// paid one its payout journal and every rejected one its release journal
// (WithdrawalKey).
func checkWithdrawalJournals(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT w.id, w.status, 'request' FROM withdrawals w
			WHERE NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'withdrawal:' || w.id || ':request')
		UNION ALL
		SELECT w.id, w.status, 'paid' FROM withdrawals w
			WHERE w.status = ? AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'withdrawal:' || w.id || ':paid')
		UNION ALL
		SELECT w.id, w.status, 'reject' FROM withdrawals w
			WHERE w.status = ? AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'withdrawal:' || w.id || ':reject')
		ORDER BY 1, 3`, []any{string(wallet.Paid), string(wallet.Rejected)},
		func(scan func(...any) error) error {
			var id int64
			var status, event string
			if err := scan(&id, &status, &event); err != nil {
				return err
			}
			key := WithdrawalKey(id, event)
			add(Problem{Journal: key, What: fmt.Sprintf("withdrawal %d is %s but its journal %s is missing", id, status, key)})
			return nil
		})
}

// checkWithdrawnTotals: the withdrawn figure each wallet shows
// (wallet_withdrawn, kept by the payout's transaction) equals the sum of
// the distributor's paid withdrawals.
func checkWithdrawnTotals(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT COALESCE(t.distributor_id, p.distributor_id), COALESCE(t.amount, 0), COALESCE(p.paid, 0)
		FROM wallet_withdrawn t
		FULL OUTER JOIN (SELECT distributor_id, SUM(amount) AS paid FROM withdrawals WHERE status = ? GROUP BY distributor_id) p
			ON p.distributor_id = t.distributor_id
		WHERE COALESCE(t.amount, 0) <> COALESCE(p.paid, 0)
		ORDER BY 1`, []any{string(wallet.Paid)},
		func(scan func(...any) error) error {
			var d, shown, paid int64
			if err := scan(&d, &shown, &paid); err != nil {
				return err
			}
			add(Problem{What: fmt.Sprintf("distributor %d's wallet shows %d withdrawn but its paid withdrawals total %d", d, shown, paid)})
			return nil
		})
}
