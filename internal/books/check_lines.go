package books

import (
	"context"
	"fmt"
	"slices"

	"sharemall/internal/commission"
	"sharemall/internal/ledger"
	"sharemall/internal/sqldb"
)

// checkLineShares: every commission line's current shares sum to what
// remains paid for it (base + markup after refunds), and no share is
// negative, so the ledger's bookings can be traced back to the lines.
func checkLineShares(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT l.line_id, l.base + l.markup, COALESCE(SUM(s.amount), 0), COALESCE(MIN(s.amount), 0)
		FROM commission_lines l LEFT JOIN commission_shares s ON s.line_id = l.line_id
		GROUP BY l.line_id, l.base, l.markup
		HAVING COALESCE(SUM(s.amount), 0) <> l.base + l.markup OR COALESCE(MIN(s.amount), 0) < 0
		ORDER BY l.line_id`, nil, func(scan func(...any) error) error {
		var line, paid, sum, least int64
		if err := scan(&line, &paid, &sum, &least); err != nil {
			return err
		}
		p := Problem{Journal: fmt.Sprintf("book:line:%d", line)}
		if least < 0 {
			p.What = fmt.Sprintf("commission line %d has a negative share (%d)", line, least)
		} else {
			p.What = fmt.Sprintf("commission line %d: shares sum to %d, but %d remains paid", line, sum, paid)
		}
		add(p)
		return nil
	})
}

// checkPendingShares: each pending account (a distributor's, a supplier's,
// the platform's) holds exactly the current shares of its party in the
// lines not settled yet, and a distributor's also its shares held back at
// settlement (settle_held, see holds.go). Booking credits them, refunds before settlement
// and settlement take them out, each in the transaction that changes the
// shares, so a difference is money booked without a line or a line whose
// money went astray.
//
// Two statements, so that parties map to accounts by the function posting
// uses (PendingAccount); the read's one snapshot (REPEATABLE READ on
// PostgreSQL) keeps a payment or settlement committed between them out of
// both.
func checkPendingShares(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	shares := map[string]int64{}
	err := tx.Each(ctx, `SELECT s.kind, s.beneficiary_id, SUM(s.amount) FROM commission_shares s
		JOIN commission_lines l ON l.line_id = s.line_id
		WHERE l.status = ? OR s.settle_held = TRUE GROUP BY s.kind, s.beneficiary_id`, []any{string(LinePending)},
		func(scan func(...any) error) error {
			var kind string
			var id, sum int64
			if err := scan(&kind, &id, &sum); err != nil {
				return err
			}
			shares[PendingAccount(commission.Party{Kind: commission.PartyKind(kind), ID: id})] += sum
			return nil
		})
	if err != nil {
		return err
	}
	if err := pendingParcelFees(ctx, tx, shares); err != nil { // a supplier's pending account holds its parcels' fees too
		return err
	}
	tx.Point(ctx, "ledger.check.pending")
	balances := map[string]int64{}
	err = tx.Each(ctx, `SELECT code, balance FROM ledger_accounts WHERE kind IN (?, ?, ?)`,
		[]any{string(ledger.DistributorPending), string(ledger.SupplierPending), string(ledger.PlatformPending)},
		func(scan func(...any) error) error {
			var code string
			var b int64
			err := scan(&code, &b)
			balances[code] = b
			return err
		})
	if err != nil {
		return err
	}
	codes := make([]string, 0, len(balances))
	for code := range balances {
		codes = append(codes, code)
	}
	for code := range shares {
		if _, ok := balances[code]; !ok {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	for _, code := range codes {
		if balances[code] != shares[code] {
			add(Problem{Account: code, What: fmt.Sprintf("balance %d ≠ %d, the pending shares of its party in lines not settled yet", balances[code], shares[code])})
		}
	}
	return nil
}

// checkLineJournals: every line that paid something has its booking
// journal, every settled line with something left its settlement journal,
// and every refund that returned money its refund journal. (A line refunded
// in full before settlement settles without a journal: nothing moves.) The
// keys are the ones posting derives: book:line:{line}, settle:line:{line},
// refund:line:{line}:{refund key}.
func checkLineJournals(ctx context.Context, tx *sqldb.Tx, add func(Problem)) error {
	return tx.Each(ctx, `SELECT l.line_id, 'book', '' FROM commission_lines l
			WHERE l.paid > 0 AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'book:line:' || l.line_id)
		UNION ALL
		SELECT l.line_id, 'settle', '' FROM commission_lines l
			WHERE l.status = ? AND l.base + l.markup > 0
				AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'settle:line:' || l.line_id)
		UNION ALL
		SELECT r.line_id, 'refund', r.refund_key FROM commission_refunds r
			WHERE r.refunded > 0
				AND NOT EXISTS (SELECT 1 FROM journals j WHERE j.idempotency_key = 'refund:line:' || r.line_id || ':' || r.refund_key)
		ORDER BY 1, 2, 3`, []any{string(LineSettled)}, func(scan func(...any) error) error {
		var line int64
		var event, refund string
		if err := scan(&line, &event, &refund); err != nil {
			return err
		}
		p := Problem{Journal: fmt.Sprintf("%s:line:%d", event, line)}
		switch event {
		case "book":
			p.What = fmt.Sprintf("commission line %d was paid but its journal %s is missing", line, p.Journal)
		case "settle":
			p.What = fmt.Sprintf("commission line %d is settled but its journal %s is missing", line, p.Journal)
		default:
			p.Journal += ":" + refund
			p.What = fmt.Sprintf("refund %q of commission line %d returned money but its journal %s is missing", refund, line, p.Journal)
		}
		add(p)
		return nil
	})
}
