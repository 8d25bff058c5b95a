package store

import (
	"context"
	"fmt"
)

// checkLineShares: every commission line's current shares sum to what
// remains paid for it (base + markup after refunds), and no share is
// negative, so the ledger's bookings can be traced back to the lines.
func checkLineShares(ctx context.Context, tx *Tx, add func(LedgerProblem)) error {
	rows, err := tx.query(ctx, `SELECT l.line_id, l.base + l.markup, COALESCE(SUM(s.amount), 0), COALESCE(MIN(s.amount), 0)
		FROM commission_lines l LEFT JOIN commission_shares s ON s.line_id = l.line_id
		GROUP BY l.line_id, l.base, l.markup
		HAVING COALESCE(SUM(s.amount), 0) <> l.base + l.markup OR COALESCE(MIN(s.amount), 0) < 0
		ORDER BY l.line_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var line, paid, sum, least int64
		if err := rows.Scan(&line, &paid, &sum, &least); err != nil {
			return mapErr(err)
		}
		p := LedgerProblem{Journal: fmt.Sprintf("book:line:%d", line)}
		if least < 0 {
			p.What = fmt.Sprintf("commission line %d has a negative share (%d)", line, least)
		} else {
			p.What = fmt.Sprintf("commission line %d: shares sum to %d, but %d remains paid", line, sum, paid)
		}
		add(p)
	}
	return mapErr(rows.Err())
}
