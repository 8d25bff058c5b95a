package books

import (
	"context"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
)

// checkSupplierPayouts: each supplier's paying balance is exactly its open
// (approved or exported) payouts, never negative; supplier_payouts_paid
// is exactly the paid payouts; every payout has its hold journal, for the
// payout's amount, and every paid or rejected one its closing journal. A
// hold is a covered debit of the payable, so no payout was ever above what
// was available when it was made.
func checkSupplierPayouts(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	err := tx.Each(ctx, `SELECT COALESCE(a.owner_id, p.supplier_id), COALESCE(a.balance, 0), COALESCE(p.held, 0)
		FROM (SELECT owner_id, balance FROM ledger_accounts WHERE kind = ?) a
		FULL OUTER JOIN (SELECT supplier_id, SUM(CASE WHEN status IN (?, ?) THEN amount ELSE 0 END) AS held
			FROM supplier_payouts GROUP BY supplier_id) p ON p.supplier_id = a.owner_id
		WHERE COALESCE(a.balance, 0) <> COALESCE(p.held, 0) OR COALESCE(a.balance, 0) < 0
		ORDER BY 1`, []any{string(ledger.SupplierPaying), SupplierPayoutApproved, SupplierPayoutExported},
		func(scan func(...any) error) error {
			var s, balance, held int64
			if err := scan(&s, &balance, &held); err != nil {
				return err
			}
			add(Problem{Account: ledger.Code(ledger.SupplierPaying, s),
				What: fmt.Sprintf("holds %d but the supplier's open payouts total %d", balance, held)})
			return nil
		})
	if err != nil {
		return err
	}
	paidCode := ledger.Code(ledger.SupplierPayoutsPaid, 0)
	err = tx.Each(ctx, `SELECT COALESCE((SELECT balance FROM ledger_accounts WHERE code = ?), 0),
			COALESCE((SELECT SUM(amount) FROM supplier_payouts WHERE status = ?), 0)`, []any{paidCode, SupplierPayoutPaid},
		func(scan func(...any) error) error {
			var balance, paid int64
			if err := scan(&balance, &paid); err != nil {
				return err
			}
			if balance != paid {
				add(Problem{Account: paidCode, What: fmt.Sprintf("holds %d but the paid supplier payouts total %d", balance, paid)})
			}
			return nil
		})
	if err != nil {
		return err
	}
	return tx.Each(ctx, `SELECT p.id, p.status, 'hold' FROM supplier_payouts p
			WHERE NOT EXISTS (SELECT 1 FROM journals j JOIN ledger_entries e ON e.journal_id = j.id
				WHERE j.idempotency_key = 'supplier_payout:' || p.id || ':hold' AND e.direction = 'C' AND e.amount = p.amount)
		UNION ALL
		SELECT p.id, p.status, 'paid' FROM supplier_payouts p
			WHERE p.status = ? AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'supplier_payout:' || p.id || ':paid')
		UNION ALL
		SELECT p.id, p.status, 'reject' FROM supplier_payouts p
			WHERE p.status = ? AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'supplier_payout:' || p.id || ':reject')
		ORDER BY 1, 3`, []any{SupplierPayoutPaid, SupplierPayoutRejected},
		func(scan func(...any) error) error {
			var id int64
			var status, event string
			if err := scan(&id, &status, &event); err != nil {
				return err
			}
			key := SupplierPayoutKey(id, event)
			add(Problem{Journal: key, What: fmt.Sprintf("supplier payout %d is %s but its journal %s is missing or of another amount", id, status, key)})
			return nil
		})
}
