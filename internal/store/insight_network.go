package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
)

// Network events (migration 00026): what changes the active members at a
// depth, appended in the transaction that did it and folded once by the
// insight sweep into insight_depths. docs/insight.md ("Network").
const (
	netJoin      = "join"      // members: 1 when active at once, 0 when it waits for review
	netApprove   = "approve"   // +1
	netSuspend   = "suspend"   // -1
	netReinstate = "reinstate" // +1
	netMove      = "move"      // one row per depth a moved team's active members left (-) or reached (+)
)

type networkEvent struct {
	kind           string
	distributor    int64
	depth, members int64
}

// recordNetwork appends network events, at the transaction's time, at
// most 100 a statement (a move of a deep team writes two a depth).
func (tx *Tx) recordNetwork(ctx context.Context, events ...networkEvent) error {
	for len(events) > 100 {
		if err := tx.recordNetwork(ctx, events[:100]...); err != nil {
			return err
		}
		events = events[100:]
	}
	if len(events) == 0 {
		return nil
	}
	values := make([]string, len(events))
	args := make([]any, 0, 5*len(events))
	for i, e := range events {
		values[i] = `(?, ?, ?, ?, ?)`
		args = append(args, e.kind, e.distributor, e.depth, e.members, ts(tx.Now()))
	}
	_, err := tx.Exec(ctx, `INSERT INTO network_events (kind, distributor_id, depth, members, at) VALUES `+strings.Join(values, ", "), args...)
	return err
}

// recordStatusChange records a distributor's own change of status at its
// depth: approval and reinstatement add it to the active members, a
// suspension takes it away.
func (tx *Tx) recordStatusChange(ctx context.Context, kind string, d *network.Distributor) error {
	members := int64(1)
	if kind == netSuspend {
		members = -1
	}
	return tx.recordNetwork(ctx, networkEvent{kind: kind, distributor: d.ID, depth: d.Depth, members: members})
}

// recordMove records a move of d's team by shift generations: per depth,
// its active members leave it and reach depth+shift. Called before the
// depths change; one pass over the team, as the move itself makes.
func (tx *Tx) recordMove(ctx context.Context, d *network.Distributor, shift int64) error {
	if shift == 0 {
		return nil
	}
	var events []networkEvent
	err := tx.Each(ctx, `WITH RECURSIVE sub(id) AS (
			SELECT CAST(? AS BIGINT)
			UNION ALL
			SELECT x.id FROM distributors x JOIN sub ON x.sponsor_id = sub.id)
		SELECT depth, COUNT(*) FROM distributors WHERE id IN (SELECT id FROM sub) AND status = 'active' GROUP BY depth ORDER BY depth`,
		[]any{d.ID}, func(scan func(...any) error) error {
			var depth, n int64
			if err := scan(&depth, &n); err != nil {
				return sqldb.MapErr(err)
			}
			events = append(events, networkEvent{netMove, d.ID, depth, -n}, networkEvent{netMove, d.ID, depth + shift, n})
			return nil
		})
	if err != nil {
		return err
	}
	return tx.recordNetwork(ctx, events...)
}

// foldInsightNetwork folds up to limit network events into
// insight_depths, then, with what is left of limit, first sales into the
// first-sale histogram. It runs under the fold lock (FoldInsight).
func (tx *Tx) foldInsightNetwork(ctx context.Context, limit int) (int, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return 0, err
	}
	loc := s.Location()
	n, err := tx.foldNetworkEvents(ctx, loc, limit)
	if err != nil || n >= limit {
		return n, err
	}
	m, err := tx.foldFirstSales(ctx, loc, limit-n)
	return n + m, err
}

// monthKey is the yyyymmdd key of the first day of the program's month
// holding instant at.
func monthKey(at time.Time, loc *time.Location) int {
	return insight.Key(insight.Start(insight.Month, insight.DateOf(insight.DayKey(at, loc), loc)))
}

func (tx *Tx) foldNetworkEvents(ctx context.Context, loc *time.Location, limit int) (int, error) {
	type cell struct{ period, depth int64 }
	sums := map[cell]*[2]int64{} // joined, members
	var ids []any
	err := tx.Each(ctx, `SELECT id, kind, depth, members, at FROM network_events WHERE folded = FALSE ORDER BY id LIMIT ?`, []any{limit},
		func(scan func(...any) error) error {
			var id, depth, members, at int64
			var kind string
			if err := scan(&id, &kind, &depth, &members, &at); err != nil {
				return sqldb.MapErr(err)
			}
			ids = append(ids, id)
			// Depths from insight.DeepRow on are kept as one: a read then
			// sums at most that many rows a month, however deep a chain.
			k := cell{int64(monthKey(fromTS(at), loc)), min(depth, insight.DeepRow)}
			v := sums[k]
			if v == nil {
				v = &[2]int64{}
				sums[k] = v
			}
			if kind == netJoin {
				v[0]++
			}
			v[1] += members
			return nil
		})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	for k, v := range sums {
		if _, err := tx.Exec(ctx, `INSERT INTO insight_depths (period, depth, joined, members) VALUES (?, ?, ?, ?)
			ON CONFLICT (period, depth) DO UPDATE SET joined = insight_depths.joined + excluded.joined,
				members = insight_depths.members + excluded.members`, k.period, k.depth, v[0], v[1]); err != nil {
			return 0, err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE network_events SET folded = TRUE WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, ids...)
	return len(ids), err
}

// noteFirstSales keeps each seller's earliest booking among sales events
// being folded: a seller seen for the first time, or with an earlier
// booking than the one counted, waits for foldFirstSales to count it.
func (tx *Tx) noteFirstSales(ctx context.Context, events []insightSale) error {
	first := map[int64]int64{}
	for _, e := range events {
		if e.refund || e.seller == 0 {
			continue
		}
		if at, ok := first[e.seller]; !ok || e.at < at {
			first[e.seller] = e.at
		}
	}
	if len(first) == 0 {
		return nil
	}
	ids := make([]any, 0, len(first))
	for id := range first {
		ids = append(ids, id)
	}
	known := map[int64]int64{}
	err := tx.Each(ctx, `SELECT distributor_id, sold_at FROM insight_first_sellers WHERE distributor_id IN (`+sqldb.Placeholders(len(ids))+`)`,
		ids, func(scan func(...any) error) error {
			var id, at int64
			if err := scan(&id, &at); err != nil {
				return sqldb.MapErr(err)
			}
			known[id] = at
			return nil
		})
	if err != nil {
		return err
	}
	var values []string
	var args []any
	for id, at := range first {
		was, ok := known[id]
		switch {
		case !ok:
			values, args = append(values, `(?, ?)`), append(args, id, at)
		case at < was:
			if _, err := tx.Exec(ctx, `UPDATE insight_first_sellers SET sold_at = ?, folded = FALSE WHERE distributor_id = ?`, at, id); err != nil {
				return err
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `INSERT INTO insight_first_sellers (distributor_id, sold_at) VALUES `+strings.Join(values, ", "), args...)
	return err
}

// foldFirstSales counts up to limit first sales not yet counted in the
// histogram (taking back what a seller was counted as before, when an
// earlier booking moved it).
func (tx *Tx) foldFirstSales(ctx context.Context, loc *time.Location, limit int) (int, error) {
	type seller struct {
		id, soldAt, joinedAt int64
		cohort, days         sql.NullInt64
	}
	var sellers []seller
	err := tx.Each(ctx, `SELECT f.distributor_id, f.sold_at, f.cohort, f.days, COALESCE(d.joined_at, f.sold_at)
		FROM (SELECT * FROM insight_first_sellers WHERE folded = FALSE ORDER BY distributor_id LIMIT ?) f
		LEFT JOIN distributors d ON d.id = f.distributor_id ORDER BY f.distributor_id`, []any{limit},
		func(scan func(...any) error) error {
			var s seller
			if err := scan(&s.id, &s.soldAt, &s.cohort, &s.days, &s.joinedAt); err != nil {
				return sqldb.MapErr(err)
			}
			sellers = append(sellers, s)
			return nil
		})
	if err != nil || len(sellers) == 0 {
		return 0, err
	}
	hist := map[[2]int64]int64{}    // (cohort, days) → change
	counted := map[[2]int64][]any{} // (cohort, days) → the sellers now counted there
	for _, s := range sellers {
		if s.cohort.Valid && s.days.Valid {
			hist[[2]int64{s.cohort.Int64, s.days.Int64}]--
		}
		joined := fromTS(s.joinedAt)
		k := [2]int64{int64(monthKey(joined, loc)), int64(insight.DaysBetween(joined, fromTS(s.soldAt), loc))}
		hist[k]++
		counted[k] = append(counted[k], s.id)
	}
	for k, ids := range counted {
		if _, err := tx.Exec(ctx, `UPDATE insight_first_sellers SET cohort = ?, days = ?, folded = TRUE WHERE distributor_id IN (`+
			sqldb.Placeholders(len(ids))+`)`, append([]any{k[0], k[1]}, ids...)...); err != nil {
			return 0, err
		}
	}
	for k, n := range hist {
		if n == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO insight_first_sale (cohort, days, sellers) VALUES (?, ?, ?)
			ON CONFLICT (cohort, days) DO UPDATE SET sellers = insight_first_sale.sellers + excluded.sellers`, k[0], k[1], n); err != nil {
			return 0, err
		}
	}
	return len(sellers), nil
}

// requireNetworkReader lets operators only read the network's figures:
// they belong to no supplier.
func requireNetworkReader(actor account.Actor) error {
	if actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	if !actor.IsOperator() {
		return errs.E(errs.Forbidden, "", "the network's figures belong to the whole program: only an operator sees them")
	}
	return nil
}

// sellerGradeSQL is the sales event's seller_grade: the seller's grade when
// a line is booked (0: none, or no seller), and for a refund the grade its
// booking recorded, so that a refund takes off where the sale counted.
func sellerGradeSQL(refund bool) string {
	if refund {
		return `COALESCE((SELECT MAX(b.seller_grade) FROM sales_events b WHERE b.order_id = ? AND b.line_id = ? AND b.refund = FALSE), 0)`
	}
	return `COALESCE((SELECT g.grade_id FROM distributors g WHERE g.id = ?), 0)`
}

func sellerGradeArgs(s sale) []any {
	if s.refund {
		return []any{s.orderID, s.lineID}
	}
	return []any{s.snap.SellerID}
}
