package store

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"sharemall/internal/insight"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// Funnel steps as funnel_events records them (migration 00027).
const (
	stepLink    = "link"    // a share link made
	stepVisit   = "visit"   // a link opened or a poster scanned
	stepBinding = "binding" // a customer bound or re-bound by a touch
	stepOrder   = "order"   // an order with a seller placed
	stepPaid    = "paid"    // such an order paid
	stepSettled = "settled" // such an order completed
	stepJoined  = "joined"  // a distributor joined (the cohorts)
)

// funnelEvent is one step that is not an order's.
type funnelEvent struct {
	step                 string
	distributor, product int64
	sponsor              int64
	visitor              string
}

// recordFunnel appends a funnel event at the transaction's time; the
// product's supplier is read with it.
func (tx *Tx) recordFunnel(ctx context.Context, e funnelEvent) error {
	_, err := tx.Exec(ctx, `INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, sponsor_id, visitor, at)
		VALUES (?, ?, ?, COALESCE((SELECT supplier_id FROM products WHERE id = ?), 0), ?, ?, ?)`,
		e.step, e.distributor, e.product, e.product, e.sponsor, e.visitor, ts(tx.Now()))
	return err
}

// visitorOf is who a visit counts as among unique visitors: the browser
// token, else the signed-in account, else nobody ("").
func visitorOf(v *Visit) string {
	switch {
	case v.Visitor != "":
		return "v:" + v.Visitor
	case v.CustomerAccountID != 0:
		return "a:" + itoaID(v.CustomerAccountID)
	}
	return ""
}

// recordOrderFunnel appends step for the orders with a seller that cond
// (on orders o, with args) selects: one event per distinct product of each,
// first_program on the order's least product, first_supplier on each
// supplier's least product.
func (tx *Tx) recordOrderFunnel(ctx context.Context, step, cond string, args ...any) error {
	return tx.ExecLater(ctx, `INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, first_program, first_supplier, at)
		SELECT DISTINCT CAST(? AS TEXT), o.seller_id, l.product_id, l.supplier_id,
			l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id),
			l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id AND m.supplier_id = l.supplier_id),
			CAST(? AS BIGINT)
		FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.seller_id IS NOT NULL AND `+cond,
		append([]any{step, ts(tx.Now())}, args...)...)
}

// funnelProduct is a line's product and supplier, for recordLinesFunnel.
type funnelProduct struct{ product, supplier int64 }

func funnelProducts(lines []order.Line) []funnelProduct {
	out := make([]funnelProduct, len(lines))
	for i, l := range lines {
		out[i] = funnelProduct{l.ProductID, l.SupplierID}
	}
	return out
}

// recordLinesFunnel appends step for an order whose seller (0: none) and
// lines the caller holds: the rows recordOrderFunnel would select from
// the stored order, written as values (one event per distinct product,
// first_program on the order's least product, first_supplier on each
// supplier's least product).
func (tx *Tx) recordLinesFunnel(ctx context.Context, step string, seller int64, lines []funnelProduct) error {
	if seller == 0 || len(lines) == 0 {
		return nil
	}
	least := lines[0].product
	bySupplier := make(map[int64]int64)
	for _, l := range lines {
		least = min(least, l.product)
		if m, ok := bySupplier[l.supplier]; !ok || l.product < m {
			bySupplier[l.supplier] = l.product
		}
	}
	distinct := slices.Clone(lines)
	slices.SortFunc(distinct, func(a, b funnelProduct) int {
		return cmp.Or(cmp.Compare(a.product, b.product), cmp.Compare(a.supplier, b.supplier))
	})
	distinct = slices.Compact(distinct)
	values := make([]string, len(distinct))
	args := make([]any, 0, 7*len(distinct))
	for i, l := range distinct {
		values[i] = "(?, ?, ?, ?, ?, ?, ?)"
		args = append(args, step, seller, l.product, l.supplier, l.product == least, l.product == bySupplier[l.supplier], ts(tx.Now()))
	}
	return tx.ExecLater(ctx, `INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, first_program, first_supplier, at)
		VALUES `+strings.Join(values, ", "), args...)
}

// funnelRow keys an insight_funnel row.
type funnelRow struct {
	supplier    int64
	grain       insight.Grain
	distributor int64
	product     int64
	period      int
}

// funnelFold gathers one chunk's changes to the funnel and cohort rollups.
type funnelFold struct {
	f         *insightFold // the time zone
	rows      map[funnelRow]*insight.Funnel
	cohorts   map[int]*[3]int64 // cohort → joined, invited within 30 days, invited
	retention map[[2]int]int64  // (cohort, k) → distributors newly active
	joinedAt  map[int64]int64   // distributor → joined_at, read once a chunk
}

// foldFunnel folds up to limit unfolded funnel events (one of FoldInsight's
// folds, under the fold lock).
func (tx *Tx) foldFunnel(ctx context.Context, limit int) (int, error) {
	type event struct {
		id, distributor, product, supplier, sponsor, at int64
		step, visitor                                   string
		firstProgram, firstSupplier                     bool
	}
	var events []event
	err := tx.Each(ctx, `SELECT id, step, distributor_id, product_id, supplier_id, sponsor_id, visitor, first_program, first_supplier, at
		FROM funnel_events WHERE folded = FALSE ORDER BY id LIMIT ?`, []any{limit}, func(scan func(...any) error) error {
		var e event
		if err := scan(&e.id, &e.step, &e.distributor, &e.product, &e.supplier, &e.sponsor, &e.visitor,
			&e.firstProgram, &e.firstSupplier, &e.at); err != nil {
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
	ff := &funnelFold{f: f, rows: map[funnelRow]*insight.Funnel{}, cohorts: map[int]*[3]int64{},
		retention: map[[2]int]int64{}, joinedAt: map[int64]int64{}}
	// The visitors new to their (grain, period, distributor, product), in
	// one statement: the first visit of each in the chunk counts as unique.
	var visitors []visitorKey
	for _, e := range events {
		if e.step == stepVisit && e.visitor != "" {
			day := insight.DateOf(insight.DayKey(fromTS(e.at), f.loc), f.loc)
			for _, g := range insight.Grains {
				visitors = append(visitors, visitorKey{g, insight.Key(insight.Start(g, day)), e.distributor, e.product, e.visitor})
			}
		}
	}
	fresh, err := tx.newVisitors(ctx, visitors)
	if err != nil {
		return 0, err
	}
	ids := make([]any, len(events))
	for i, e := range events {
		ids[i] = e.id
		switch e.step {
		case stepJoined:
			if err := ff.joined(ctx, tx, e.distributor, e.sponsor, e.at); err != nil {
				return 0, err
			}
			continue
		case stepPaid:
			if e.firstProgram {
				if err := ff.sold(ctx, tx, e.distributor, e.at); err != nil {
					return 0, err
				}
			}
		}
		day := insight.DateOf(insight.DayKey(fromTS(e.at), f.loc), f.loc)
		for _, g := range insight.Grains {
			period := insight.Key(insight.Start(g, day))
			unique := false
			if e.step == stepVisit && e.visitor != "" {
				k := visitorKey{g, period, e.distributor, e.product, e.visitor}
				unique = fresh[k]
				delete(fresh, k) // a later visit of the chunk is a repeat
			}
			scopes := []funnelScope{{0, e.firstProgram}}
			if e.supplier != 0 {
				scopes = append(scopes, funnelScope{e.supplier, e.firstSupplier})
			}
			for _, sc := range scopes {
				var keys [][2]int64
				if sc.whole {
					keys = append(keys, [2]int64{e.distributor, 0}, [2]int64{0, 0})
				}
				if e.product != 0 {
					keys = append(keys, [2]int64{0, e.product})
				}
				for _, k := range keys {
					ff.count(funnelRow{sc.supplier, g, k[0], k[1], period}, e.step, unique)
				}
			}
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE funnel_events SET folded = TRUE WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, ids...); err != nil {
		return 0, err
	}
	return len(events), ff.write(ctx, tx)
}

func (ff *funnelFold) count(k funnelRow, step string, unique bool) {
	r := ff.rows[k]
	if r == nil {
		r = &insight.Funnel{}
		ff.rows[k] = r
	}
	switch step {
	case stepLink:
		r.Links++
	case stepVisit:
		r.Visits++
		if unique {
			r.Visitors++
		}
	case stepBinding:
		r.Bindings++
	case stepOrder:
		r.Orders++
	case stepPaid:
		r.Paid++
	case stepSettled:
		r.Settled++
	}
}

// joinedOf is a distributor's joined_at, read once a chunk.
func (ff *funnelFold) joinedOf(ctx context.Context, tx *Tx, d int64) (int64, error) {
	if at, ok := ff.joinedAt[d]; ok {
		return at, nil
	}
	var at int64
	if err := tx.Get(ctx, "distributor", `SELECT joined_at FROM distributors WHERE id = ?`, []any{d}, &at); err != nil {
		return 0, err
	}
	ff.joinedAt[d] = at
	return at, nil
}

func (ff *funnelFold) cohort(key int) *[3]int64 {
	c := ff.cohorts[key]
	if c == nil {
		c = &[3]int64{}
		ff.cohorts[key] = c
	}
	return c
}

// joined counts a joiner in its month's cohort and, when it has a sponsor,
// among the members its sponsor's cohort invited.
func (ff *funnelFold) joined(ctx context.Context, tx *Tx, d, sponsor, at int64) error {
	ff.joinedAt[d] = at
	ff.cohort(insight.MonthKey(fromTS(at), ff.f.loc))[0]++
	if sponsor == 0 {
		return nil
	}
	sAt, err := ff.joinedOf(ctx, tx, sponsor)
	if err != nil {
		return err
	}
	c := ff.cohort(insight.MonthKey(fromTS(sAt), ff.f.loc))
	c[2]++
	if fromTS(at).Sub(fromTS(sAt)) <= insight.InviteWindow {
		c[1]++
	}
	return nil
}

// sold marks the seller of a paid order active in the order's month, once
// per month, for its cohort's retention.
func (ff *funnelFold) sold(ctx context.Context, tx *Tx, d, at int64) error {
	jAt, err := ff.joinedOf(ctx, tx, d)
	if err != nil {
		return err
	}
	cohortDay := insight.MonthKey(fromTS(jAt), ff.f.loc)
	activeDay := insight.MonthKey(fromTS(at), ff.f.loc)
	k := insight.MonthsBetween(insight.DateOf(cohortDay, ff.f.loc), insight.DateOf(activeDay, ff.f.loc))
	if k < 0 || k > insight.MaxRetentionMonths {
		return nil
	}
	n, err := tx.ExecN(ctx, `INSERT INTO cohort_activity (cohort, distributor_id, active_month) VALUES (?, ?, ?)
		ON CONFLICT (cohort, distributor_id, active_month) DO NOTHING`, cohortDay, d, activeDay)
	if err != nil {
		return err
	}
	ff.retention[[2]int{cohortDay, k}] += n
	return nil
}

func (ff *funnelFold) write(ctx context.Context, tx *Tx) error {
	keys := make([]funnelRow, 0, len(ff.rows))
	for k := range ff.rows {
		keys = append(keys, k)
	}
	for len(keys) > 0 {
		n := min(len(keys), funnelBatch)
		values := make([]string, n)
		args := make([]any, 0, 12*n)
		for i, k := range keys[:n] {
			r := ff.rows[k]
			values[i] = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			args = append(args, k.supplier, string(k.grain), k.distributor, k.product, k.period,
				r.Links, r.Visits, r.Visitors, r.Bindings, r.Orders, r.Paid, r.Settled)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO insight_funnel (supplier_id, grain, distributor_id, product_id, period,
				links, visits, visitors, bindings, orders, paid, settled) VALUES `+strings.Join(values, ", ")+`
			ON CONFLICT (supplier_id, grain, distributor_id, product_id, period) DO UPDATE SET
				links = insight_funnel.links + excluded.links, visits = insight_funnel.visits + excluded.visits,
				visitors = insight_funnel.visitors + excluded.visitors, bindings = insight_funnel.bindings + excluded.bindings,
				orders = insight_funnel.orders + excluded.orders, paid = insight_funnel.paid + excluded.paid,
				settled = insight_funnel.settled + excluded.settled`, args...); err != nil {
			return err
		}
		keys = keys[n:]
	}
	for c, v := range ff.cohorts {
		if _, err := tx.Exec(ctx, `INSERT INTO insight_cohorts (cohort, joined, invited_30, invited) VALUES (?, ?, ?, ?)
			ON CONFLICT (cohort) DO UPDATE SET joined = insight_cohorts.joined + excluded.joined,
				invited_30 = insight_cohorts.invited_30 + excluded.invited_30, invited = insight_cohorts.invited + excluded.invited`,
			c, v[0], v[1], v[2]); err != nil {
			return err
		}
	}
	for k, n := range ff.retention {
		if n == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO insight_retention (cohort, k, active) VALUES (?, ?, ?)
			ON CONFLICT (cohort, k) DO UPDATE SET active = insight_retention.active + excluded.active`, k[0], k[1], n); err != nil {
			return err
		}
	}
	return nil
}

// funnelScope is whose funnel an event counts in (0: the program) and
// whether it counts in the distributor's and totals rows there (once per
// order and scope).
type funnelScope struct {
	supplier int64
	whole    bool
}

// funnelBatch is the most rows one statement of the funnel fold writes.
const funnelBatch = 200

// visitorKey is a visitor counted in a grain's period for a distributor
// and product.
type visitorKey struct {
	grain       insight.Grain
	period      int
	distributor int64
	product     int64
	visitor     string
}

// newVisitors adds the keys to the visitors already counted and returns
// those that were not (each once, however often the chunk holds it).
func (tx *Tx) newVisitors(ctx context.Context, keys []visitorKey) (map[visitorKey]bool, error) {
	fresh := map[visitorKey]bool{}
	seen := map[visitorKey]bool{}
	var distinct []visitorKey
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			distinct = append(distinct, k)
		}
	}
	for len(distinct) > 0 {
		n := min(len(distinct), funnelBatch)
		values := make([]string, n)
		args := make([]any, 0, 5*n)
		for i, k := range distinct[:n] {
			values[i] = `(?, ?, ?, ?, ?)`
			args = append(args, string(k.grain), k.period, k.distributor, k.product, k.visitor)
		}
		err := tx.Each(ctx, `INSERT INTO funnel_visitors (grain, period, distributor_id, product_id, visitor) VALUES `+strings.Join(values, ", ")+`
			ON CONFLICT (grain, period, distributor_id, product_id, visitor) DO NOTHING
			RETURNING grain, period, distributor_id, product_id, visitor`, args, func(scan func(...any) error) error {
			var k visitorKey
			var g string
			if err := scan(&g, &k.period, &k.distributor, &k.product, &k.visitor); err != nil {
				return sqldb.MapErr(err)
			}
			k.grain = insight.Grain(g)
			fresh[k] = true
			return nil
		})
		if err != nil {
			return nil, err
		}
		distinct = distinct[n:]
	}
	return fresh, nil
}
