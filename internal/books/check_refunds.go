package books

import (
	"context"
	"fmt"

	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
)

// EffectRefund is the effect kind of money back to a customer through its
// payment's provider.
const EffectRefund = "refund"

// checkRefundsDue: the suspense account holds exactly what the refunds not
// yet confirmed owe, per currency, and every refund confirmed has its
// journal. Both change in the same transactions (OwePayment, a case's
// RefundLine with OweRefund, RefundMade), so this holds at every commit.
func checkRefundsDue(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	rows, err := tx.Query(ctx, `SELECT c.currency, c.owed, COALESCE(a.balance, 0) FROM
			(SELECT currency, SUM(amount) AS owed FROM effects WHERE kind = ? AND status <> 'done' GROUP BY currency) c
			LEFT JOIN ledger_accounts a ON a.code = ? AND a.currency = c.currency
		WHERE c.owed <> COALESCE(a.balance, 0)
		UNION ALL
		SELECT a.currency, 0, a.balance FROM ledger_accounts a
		WHERE a.code = ? AND a.balance <> 0
			AND NOT EXISTS (SELECT 1 FROM effects e WHERE e.kind = ? AND e.status <> 'done' AND e.currency = a.currency)`,
		EffectRefund, string(ledger.RefundsDue), string(ledger.RefundsDue), EffectRefund)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var cur string
		var owed, balance int64
		if err := rows.Scan(&cur, &owed, &balance); err != nil {
			return sqldb.MapErr(err)
		}
		add(Problem{Account: string(ledger.RefundsDue), What: fmt.Sprintf(
			"holds %d %s, but the refunds not yet confirmed by their providers owe %d", balance, cur, owed)})
	}
	if err := rows.Err(); err != nil {
		return sqldb.MapErr(err)
	}
	return tx.Each(ctx, `SELECT e.idempotency_key FROM effects e
		WHERE e.kind = ? AND e.status = 'done' AND e.amount > 0
			AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'refund:' || e.idempotency_key || ':paid')
		ORDER BY e.id`, []any{EffectRefund}, func(scan func(...any) error) error {
		var key string
		if err := scan(&key); err != nil {
			return err
		}
		add(Problem{Journal: "refund:" + key + ":paid", What: fmt.Sprintf("refund %s was confirmed but its journal is missing", key)})
		return nil
	})
}
