package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/sqldb"
)

// Insight events: what happened that is not a sale (sales_events hold
// those), appended in the transaction that did it, folded once by the
// insight sweep.
const (
	eventSettled = "settled"  // ref: the order line; amount: its commission as settled
	eventPaidOut = "paid_out" // ref: the withdrawal; amount: what left the wallet
	eventJoined  = "joined"   // ref: the distributor
)

type insightEvent struct {
	kind        string
	ref, amount int64
}

// recordInsight appends insight events, at the transaction's time.
func (tx *Tx) recordInsight(ctx context.Context, events ...insightEvent) error {
	if len(events) == 0 {
		return nil
	}
	values := make([]string, len(events))
	args := make([]any, 0, 4*len(events))
	for i, e := range events {
		values[i] = `(?, ?, ?, ?)`
		args = append(args, e.kind, e.ref, e.amount, ts(tx.Now()))
	}
	_, err := tx.Exec(ctx, `INSERT INTO insight_events (kind, ref_id, amount, at) VALUES `+strings.Join(values, ", "), args...)
	return err
}

// insightChunk is the most events one insight fold transaction takes.
const insightChunk = 1000

// FoldInsight folds up to limit unfolded sales events and up to limit
// insight events into the insight rollups (docs/insight.md), in
// transactions of at most insightChunk events, each under the fold lock
// (figures_state 'fold') and marking its events folded for insight: each
// event counts once however many runners fold at once. The lock is the
// team figures' own: both folds mark sales events, and sharing it means
// they never hold locks on the same rows at once (no deadlock between
// them on PostgreSQL). It returns how many events it folded.
// A chunk that fails fails the sweep; it is folded again by the next run.
func (db *DB) FoldInsight(ctx context.Context, limit int) (int, error) {
	const op = "store.FoldInsight"
	if limit <= 0 {
		limit = 500
	}
	if err := db.moveInsightSpans(ctx); err != nil {
		return 0, errs.Wrap(op, err)
	}
	total, caughtUp := 0, true
	for _, fold := range []func(*Tx, context.Context, int) (int, error){(*Tx).foldInsightSales, (*Tx).foldInsightEvents, (*Tx).foldInsightNetwork, (*Tx).foldFunnel} {
		done := 0
		for done < limit {
			want := min(limit-done, insightChunk)
			var n int
			err := db.writeAlone(ctx, func(tx *Tx) error { // bulk: no savepoint in a batch of other writers
				if err := tx.lockFigures(ctx); err != nil {
					return err
				}
				var err error
				n, err = fold(tx, ctx, want)
				return err
			})
			if err != nil {
				return total, errs.Wrap(op, err)
			}
			done += n
			total += n
			if n < want {
				break
			}
		}
		caughtUp = caughtUp && done < limit
	}
	// Packs are rebuilt once the backlog is folded, not after each run of
	// a long one, which would pack a month over and over as it fills.
	if caughtUp {
		if _, err := db.PackInsight(ctx); err != nil {
			return total, errs.Wrap(op, err)
		}
	}
	return total, nil
}

// insightSale is a sales event with what insight groups it by.
type insightSale struct {
	id, order, supplier, seller, customer, product, category, warehouse int64
	region                                                              string
	newOrder, refund                                                    bool
	base, at                                                            int64
	tierID, tierAmount                                                  [3]int64
	grade                                                               int64 // the seller's grade at booking (insight_network.go)
}

// insightFold gathers one chunk's changes to the rollups.
type insightFold struct {
	loc       *time.Location
	series    map[seriesKey]*insight.Point
	breakdown map[breakdownKey]*[2]int64
	buyers    map[buyerKey]bool // customers who paid, per period
	sellers   map[buyerKey]bool // distributors who sold, per period
}

type seriesKey struct {
	grain    insight.Grain
	supplier int64
	period   int
}

type breakdownKey struct {
	supplier int64
	dim      insight.Dim
	day      int
	key      string
}

// buyerKey is a member (customer or distributor) of a period's distinct set.
type buyerKey struct {
	series seriesKey
	member int64
}

func (tx *Tx) newInsightFold(ctx context.Context) (*insightFold, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	return &insightFold{loc: s.Location(), series: map[seriesKey]*insight.Point{}, breakdown: map[breakdownKey]*[2]int64{},
		buyers: map[buyerKey]bool{}, sellers: map[buyerKey]bool{}}, nil
}

// points returns the series points (one per grain) of supplier's periods
// holding instant at.
func (f *insightFold) points(supplier, at int64) []*insight.Point {
	day := insight.DateOf(insight.DayKey(fromTS(at), f.loc), f.loc)
	out := make([]*insight.Point, len(insight.Grains))
	for i, g := range insight.Grains {
		k := seriesKey{g, supplier, insight.Key(insight.Start(g, day))}
		p := f.series[k]
		if p == nil {
			p = &insight.Point{}
			f.series[k] = p
		}
		out[i] = p
	}
	return out
}

func (f *insightFold) add(supplier int64, dim insight.Dim, day int, key string, amount, commission int64) {
	k := breakdownKey{supplier, dim, day, key}
	v := f.breakdown[k]
	if v == nil {
		v = &[2]int64{}
		f.breakdown[k] = v
	}
	v[0] += amount
	v[1] += commission
}

// foldInsightSales folds up to limit sales events not yet folded for insight.
func (tx *Tx) foldInsightSales(ctx context.Context, limit int) (int, error) {
	var events []insightSale
	err := tx.Each(ctx, `SELECT e.id, e.order_id, e.supplier_id, e.seller_id, COALESCE(o.customer_account_id, 0),
			COALESCE(l.product_id, 0), COALESCE(p.category_id, 0), COALESCE(l.warehouse_id, 0), e.region, e.new_order, e.refund,
			e.base, e.at, e.tier1_id, e.tier2_id, e.tier3_id, e.tier1_amount, e.tier2_amount, e.tier3_amount, e.seller_grade
		FROM (SELECT * FROM sales_events WHERE insight_folded = FALSE ORDER BY id LIMIT ?) e
		LEFT JOIN orders o ON o.id = e.order_id LEFT JOIN order_lines l ON l.id = e.line_id LEFT JOIN products p ON p.id = l.product_id
		ORDER BY e.id`, []any{limit}, func(scan func(...any) error) error {
		var e insightSale
		if err := scan(&e.id, &e.order, &e.supplier, &e.seller, &e.customer, &e.product, &e.category, &e.warehouse, &e.region,
			&e.newOrder, &e.refund, &e.base, &e.at, &e.tierID[0], &e.tierID[1], &e.tierID[2],
			&e.tierAmount[0], &e.tierAmount[1], &e.tierAmount[2], &e.grade); err != nil {
			return sqldb.MapErr(err)
		}
		events = append(events, e)
		return nil
	})
	if err != nil || len(events) == 0 {
		return 0, err
	}
	f, err := tx.newInsightFold(ctx)
	if err != nil {
		return 0, err
	}
	ids := make([]any, len(events))
	counted, err := tx.foldedBookings(ctx, events) // (order, supplier) counted as an order paid, before or in this chunk
	if err != nil {
		return 0, err
	}
	for i, e := range events {
		ids[i] = e.id
		if err := (saleEvent{id: e.id, base: e.base, tierAmount: e.tierAmount}).check(); err != nil {
			return 0, err
		}
		commission := e.tierAmount[0] + e.tierAmount[1] + e.tierAmount[2]
		scopes := []int64{0}
		if e.supplier != 0 {
			scopes = append(scopes, e.supplier)
		}
		day := insight.DayKey(fromTS(e.at), f.loc)
		for _, sup := range scopes {
			points := f.points(sup, e.at)
			newOrder := e.newOrder
			if sup != 0 && !e.refund {
				newOrder, err = tx.firstSupplierBooking(ctx, counted, e.order, sup)
				if err != nil {
					return 0, err
				}
			}
			for gi, p := range points {
				if e.refund {
					p.Refunds++
					p.Refunded -= e.base
					p.CommissionReversed -= commission
					continue
				}
				p.GMV += e.base
				p.CommissionBooked += commission
				if newOrder {
					p.Orders++
				}
				sk := seriesKey{insight.Grains[gi], sup, insight.Key(insight.Start(insight.Grains[gi], insight.DateOf(day, f.loc)))}
				if e.customer != 0 {
					f.buyers[buyerKey{sk, e.customer}] = true
				}
				if e.seller != 0 {
					f.sellers[buyerKey{sk, e.seller}] = true
				}
			}
			for k := range 3 {
				if e.tierID[k] != 0 {
					f.add(sup, insight.ByTier, day, strconv.Itoa(k+1), e.base, e.tierAmount[k])
				}
			}
			if levels := regionLevels(e.region); len(levels) >= 2 {
				f.add(sup, insight.ByProvince, day, levels[1], e.base, commission)
				if len(levels) >= 3 {
					f.add(sup, insight.ByCity, day, levels[2], e.base, commission)
				}
			}
			if e.product != 0 {
				f.add(sup, insight.ByProduct, day, strconv.FormatInt(e.product, 10), e.base, commission)
				f.add(sup, insight.ByCategory, day, strconv.FormatInt(e.category, 10), e.base, commission)
			}
			if e.warehouse != 0 {
				f.add(sup, insight.ByWarehouse, day, strconv.FormatInt(e.warehouse, 10), e.base, commission)
			}
			if e.seller != 0 {
				f.add(sup, insight.ByDistributor, day, strconv.FormatInt(e.seller, 10), e.base, e.tierAmount[0])
				f.add(sup, insight.ByGrade, day, strconv.FormatInt(e.grade, 10), e.base, e.tierAmount[0])
			}
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE sales_events SET insight_folded = TRUE WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, ids...); err != nil {
		return 0, err
	}
	if err := tx.noteFirstSales(ctx, events); err != nil {
		return 0, err
	}
	return len(events), f.write(ctx, tx)
}

// firstSupplierBooking tells whether a booking of order for supplier is
// the first folded: none of the order's bookings for the supplier was
// folded before (foldedBookings) nor counted in this chunk.
func (tx *Tx) firstSupplierBooking(ctx context.Context, counted map[[2]int64]bool, order, supplier int64) (bool, error) {
	k := [2]int64{order, supplier}
	if counted[k] {
		return false, nil
	}
	counted[k] = true
	return true, nil
}

// foldedBookings returns the (order, supplier) pairs of the chunk's
// bookings that have a booking folded for insight already: one query per
// 256 pairs, each pair one probe of the index on (order_id, supplier_id)
// that stops at the first folded booking.
func (tx *Tx) foldedBookings(ctx context.Context, events []insightSale) (map[[2]int64]bool, error) {
	seen := map[[2]int64]bool{}
	var pairs []any
	for _, e := range events {
		if k := [2]int64{e.order, e.supplier}; e.supplier != 0 && !e.refund && !seen[k] {
			seen[k] = true
			pairs = append(pairs, e.order, e.supplier)
		}
	}
	out := map[[2]int64]bool{}
	return out, eachBatch(len(pairs)/2, func(lo, hi int) error {
		values := strings.Repeat(`(CAST(? AS BIGINT), CAST(? AS BIGINT)), `, hi-lo-1) + `(CAST(? AS BIGINT), CAST(? AS BIGINT))`
		return tx.Each(ctx, `SELECT v.column1, v.column2 FROM (VALUES `+values+`) v WHERE EXISTS (SELECT 1 FROM sales_events e
			WHERE e.order_id = v.column1 AND e.supplier_id = v.column2 AND e.refund = FALSE AND e.insight_folded = TRUE)`, pairs[2*lo:2*hi],
			func(scan func(...any) error) error {
				var k [2]int64
				if err := scan(&k[0], &k[1]); err != nil {
					return sqldb.MapErr(err)
				}
				out[k] = true
				return nil
			})
	})
}

// foldInsightEvents folds up to limit unfolded insight events.
func (tx *Tx) foldInsightEvents(ctx context.Context, limit int) (int, error) {
	type event struct {
		id, supplier, amount, at int64
		kind                     string
	}
	var events []event
	err := tx.Each(ctx, `SELECT e.id, e.kind, e.amount, e.at, COALESCE(l.supplier_id, 0)
		FROM (SELECT * FROM insight_events WHERE folded = FALSE ORDER BY id LIMIT ?) e
		LEFT JOIN order_lines l ON e.kind = 'settled' AND l.id = e.ref_id ORDER BY e.id`, []any{limit},
		func(scan func(...any) error) error {
			var e event
			if err := scan(&e.id, &e.kind, &e.amount, &e.at, &e.supplier); err != nil {
				return sqldb.MapErr(err)
			}
			events = append(events, e)
			return nil
		})
	if err != nil || len(events) == 0 {
		return 0, err
	}
	f, err := tx.newInsightFold(ctx)
	if err != nil {
		return 0, err
	}
	ids := make([]any, len(events))
	for i, e := range events {
		ids[i] = e.id
		scopes := []int64{0}
		if e.kind == eventSettled && e.supplier != 0 {
			scopes = append(scopes, e.supplier)
		}
		for _, sup := range scopes {
			for _, p := range f.points(sup, e.at) {
				switch e.kind {
				case eventSettled:
					p.CommissionSettled += e.amount
				case eventPaidOut:
					p.CommissionPaidOut += e.amount
				case eventJoined:
					p.NewDistributors++
				}
			}
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE insight_events SET folded = TRUE WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, ids...); err != nil {
		return 0, err
	}
	return len(events), f.write(ctx, tx)
}
