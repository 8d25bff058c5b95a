package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// insightLine is an order line the property test may refund or settle.
type insightLine struct {
	id             int64
	base, markup   int64
	quantity       int64
	settled, empty bool
	refunds        int
}

// TestInsightEqualsBruteForce: random orders, payments, partial and full
// refunds, settlements and joins across days, folded in random slices,
// then every series (day, week, month; program and each supplier) and
// every breakdown (the whole history and a random stretch of it) equals a
// brute-force computation over the raw tables.
func TestInsightEqualsBruteForce(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		first := w.clock.Now()
		dists := []*network.Distributor{w.root, w.mid, w.seller, w.d4, w.d5, w.d6, w.x}
		var customers []account.Actor
		var lines []*insightLine
		paid := 0
		regions := []string{"CN.44.03.05", "CN.11.01.05", "CN.51.01.04"}
		// One withdrawal paid before the random steps, so every check compares
		// payouts too: whether the draws pay any depends on the seed.
		o := w.buy(w.customer(w.seller), regions[0], order.Item{SKUID: w.tea, Quantity: 3})
		for _, l := range o.Lines {
			if _, err := db.SettleLine(w.ctx, l.ID); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, &insightLine{id: l.ID, base: int64(l.Base), markup: int64(l.Markup), quantity: l.Quantity, settled: true})
		}
		wd, err := db.RequestWithdrawal(w.ctx, w.sellerActor, w.seller.ID, 100, "")
		if err != nil {
			t.Fatal(err)
		}
		paid++
		if _, err := db.ApproveWithdrawal(w.ctx, w.op, wd.ID, "bank-0"); err != nil {
			t.Fatal(err)
		}
		if raceDetector { // the fold and the oracle, ten times slower: fewer cases (-rapid.checks asks for more)
			rapidDefaults(t, 25, 30)
		}
		rapid.Check(t, func(rt *rapid.T) {
			for range rapid.IntRange(1, 6).Draw(rt, "steps") {
				switch op := rapid.IntRange(0, 10).Draw(rt, "op"); {
				case op <= 3: // an order, paid
					var c account.Actor
					if len(customers) == 0 || rapid.IntRange(0, 2).Draw(rt, "new customer") == 0 {
						var d *network.Distributor
						if i := rapid.IntRange(-1, len(dists)-1).Draw(rt, "bound to"); i >= 0 {
							d = dists[i]
						}
						c = w.customer(d)
						customers = append(customers, c)
					} else {
						c = rapid.SampledFrom(customers).Draw(rt, "customer")
					}
					tea := int64(rapid.IntRange(0, 3).Draw(rt, "tea"))
					cup := int64(rapid.IntRange(0, 3).Draw(rt, "cup"))
					if tea+cup == 0 {
						tea = 1
					}
					var items []order.Item
					if tea > 0 {
						items = append(items, order.Item{SKUID: w.tea, Quantity: tea})
					}
					if cup > 0 {
						items = append(items, order.Item{SKUID: w.cup, Quantity: cup})
					}
					o := w.buy(c, rapid.SampledFrom(regions).Draw(rt, "region"), items...)
					for _, l := range o.Lines {
						lines = append(lines, &insightLine{id: l.ID, base: int64(l.Base), markup: int64(l.Markup), quantity: l.Quantity})
					}
				case op <= 5: // a refund of one unit or the whole line, before settlement
					open := linesWhere(lines, func(l *insightLine) bool { return !l.settled && !l.empty })
					if len(open) == 0 {
						continue
					}
					l := rapid.SampledFrom(open).Draw(rt, "refunded")
					after := commission.Line{}
					if l.quantity > 1 && rapid.Bool().Draw(rt, "one unit") {
						q := l.quantity - 1
						after = commission.Line{Base: moneyOf(l.base * q / l.quantity), Markup: moneyOf(l.markup * q / l.quantity), Quantity: q}
					}
					l.refunds++
					if _, _, err := db.RefundLine(w.ctx, l.id, fmt.Sprintf("ins-%d-%d", l.id, l.refunds), after); err != nil {
						rt.Fatal(err)
					}
					l.base, l.markup, l.quantity = int64(after.Base), int64(after.Markup), after.Quantity
					l.empty = after.Quantity == 0
				case op == 6: // a settlement (no refund after it: the oracle reads shares as they stand)
					open := linesWhere(lines, func(l *insightLine) bool { return !l.settled })
					if len(open) == 0 {
						continue
					}
					l := rapid.SampledFrom(open).Draw(rt, "settled")
					if _, err := db.SettleLine(w.ctx, l.id); err != nil {
						rt.Fatal(err)
					}
					l.settled = true
				case op == 7: // a distributor joins
					d, _ := w.join(rapid.SampledFrom(dists).Draw(rt, "sponsor").ReferralCode)
					dists = append(dists, d)
				case op == 8: // time passes
					w.clock.Advance(time.Duration(rapid.IntRange(1, 60).Draw(rt, "hours")) * time.Hour)
				case op == 9: // the seller withdraws 1.00 and the operator pays it at once, when the rules allow
					wd, err := db.RequestWithdrawal(w.ctx, w.sellerActor, w.seller.ID, 100, "")
					if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) || errs.Is(err, errs.TooMany) {
						continue // too little available, or the day's requests used up
					}
					if err != nil {
						rt.Fatal(err)
					}
					paid++
					if _, err := db.ApproveWithdrawal(w.ctx, w.op, wd.ID, fmt.Sprintf("bank-%d", paid)); err != nil {
						rt.Fatal(err)
					}
				default: // a partial fold
					if _, err := db.FoldInsight(w.ctx, rapid.IntRange(1, 7).Draw(rt, "fold limit")); err != nil {
						rt.Fatal(err)
					}
				}
			}
			foldInsightAll(rt, db, w)
			checkInsight(rt, db, w, first, rapid.IntRange(0, 10).Draw(rt, "stretch start"), rapid.IntRange(0, 10).Draw(rt, "stretch days"))
		})
		if len(lines) == 0 || paid == 0 {
			t.Fatalf("%d lines, %d withdrawals paid: the test proves too little", len(lines), paid)
		}
	})
}

func moneyOf(v int64) money.Amount { return money.Amount(v) }

func linesWhere(ls []*insightLine, keep func(*insightLine) bool) []*insightLine {
	var out []*insightLine
	for _, l := range ls {
		if keep(l) {
			out = append(out, l)
		}
	}
	return out
}

func foldInsightAll(tb fataler, db *store.DB, w *figuresWorld) {
	tb.Helper()
	for {
		n, err := db.FoldInsight(w.ctx, 500)
		if err != nil {
			tb.Fatal(err)
		}
		if n < 500 {
			return
		}
	}
}

// rawRows reads the oracle's raw rows.
func rawRows(tb fataler, db *store.DB, q string, args ...any) ([][]int64, [][]string) {
	tb.Helper()
	n, s, err := db.InsightRowsForTest(context.Background(), q, args...)
	if err != nil {
		tb.Fatalf("%v\n%s", err, q)
	}
	return n, s
}

// oracleSeries computes every series point from the raw tables: bookings
// from the commission lines and their shares as booked, refunds from the
// sales events' log, settlements from the settled lines' shares, joins
// from the distributors, payouts from the withdrawals; bucketed into the
// grain's periods of the program's days.
func oracleSeries(tb fataler, db *store.DB, w *figuresWorld, g insight.Grain, loc *time.Location, from, to time.Time, supplier int64) []insight.Point {
	periods := insight.Periods(g, from, to)
	out := make([]insight.Point, len(periods))
	at := map[int]int{}
	for i, p := range periods {
		out[i].Period = p
		at[insight.Key(p)] = i
	}
	point := func(micros int64) *insight.Point {
		day := insight.DateOf(insight.DayKey(time.UnixMicro(micros), loc), loc)
		i, ok := at[insight.Key(insight.Start(g, day))]
		if !ok {
			tb.Fatalf("an event at %v falls outside %v..%v", time.UnixMicro(micros).In(loc), from, to)
		}
		return &out[i]
	}
	in := func(s int64) bool { return supplier == 0 || s == supplier }
	orders, buyers := map[[2]int64]bool{}, map[[2]int64]bool{}
	rows, _ := rawRows(tb, db, `SELECT c.booked_at, COALESCE(l.supplier_id, 0), c.order_id, COALESCE(o.customer_account_id, 0), c.booked_base,
			COALESCE((SELECT SUM(s.booked_amount) FROM commission_shares s WHERE s.line_id = c.line_id AND s.kind = 'tier'), 0)
		FROM commission_lines c LEFT JOIN order_lines l ON l.id = c.line_id LEFT JOIN orders o ON o.id = c.order_id`)
	for _, r := range rows {
		if !in(r[1]) {
			continue
		}
		p := point(r[0])
		p.GMV += r[4]
		p.CommissionBooked += r[5]
		if k := [2]int64{int64(insight.Key(p.Period)), r[2]}; !orders[k] {
			orders[k] = true
			p.Orders++
		}
		if k := [2]int64{int64(insight.Key(p.Period)), r[3]}; !buyers[k] {
			buyers[k] = true
			p.Customers++
		}
	}
	sellers := map[[2]int64]bool{}
	rows, _ = rawRows(tb, db, `SELECT at, supplier_id, seller_id FROM sales_events WHERE refund = FALSE AND seller_id <> 0`)
	for _, r := range rows {
		if !in(r[1]) {
			continue
		}
		p := point(r[0])
		if k := [2]int64{int64(insight.Key(p.Period)), r[2]}; !sellers[k] {
			sellers[k] = true
			p.ActiveDistributors++
		}
	}
	rows, _ = rawRows(tb, db, `SELECT at, supplier_id, base, tier1_amount + tier2_amount + tier3_amount FROM sales_events WHERE refund = TRUE`)
	for _, r := range rows {
		if in(r[1]) {
			p := point(r[0])
			p.Refunds++
			p.Refunded -= r[2]
			p.CommissionReversed -= r[3]
		}
	}
	rows, _ = rawRows(tb, db, `SELECT c.settled_at, COALESCE(l.supplier_id, 0),
			COALESCE((SELECT SUM(s.amount) FROM commission_shares s WHERE s.line_id = c.line_id AND s.kind IN ('tier', 'agent')), 0)
		FROM commission_lines c LEFT JOIN order_lines l ON l.id = c.line_id WHERE c.status = 'settled'`)
	for _, r := range rows {
		if in(r[1]) {
			point(r[0]).CommissionSettled += r[2]
		}
	}
	if supplier == 0 {
		rows, _ = rawRows(tb, db, `SELECT joined_at FROM distributors`)
		for _, r := range rows {
			point(r[0]).NewDistributors++
		}
		rows, _ = rawRows(tb, db, `SELECT paid_at, amount FROM withdrawals WHERE paid_at IS NOT NULL`)
		for _, r := range rows {
			point(r[0]).CommissionPaidOut += r[1]
		}
		for i := range out {
			end := insight.Next(g, out[i].Period)
			out[i].Distributors = w.int(`SELECT COUNT(*) FROM distributors WHERE joined_at < ?`, end.UnixMicro())
		}
	}
	return out
}

// oracleBreakdown sums a breakdown straight from the sales events of the
// instants [from, to) and their order lines.
func oracleBreakdown(tb fataler, db *store.DB, by insight.Dim, from, to time.Time, supplier int64) map[string][2]int64 {
	tiers := `e.tier1_amount + e.tier2_amount + e.tier3_amount`
	var sel []string
	switch by {
	case insight.ByTier:
		sel = []string{`'1', e.base, e.tier1_amount %s AND e.tier1_id <> 0`, `'2', e.base, e.tier2_amount %s AND e.tier2_id <> 0`,
			`'3', e.base, e.tier3_amount %s AND e.tier3_id <> 0`}
	case insight.ByProvince:
		sel = []string{`SUBSTR(e.region, 1, 5), e.base, ` + tiers + ` %s AND e.region <> ''`}
	case insight.ByCity:
		sel = []string{`SUBSTR(e.region, 1, 8), e.base, ` + tiers + ` %s AND e.region <> ''`}
	case insight.ByProduct:
		sel = []string{`CAST(l.product_id AS TEXT), e.base, ` + tiers + ` %s AND l.id IS NOT NULL`}
	case insight.ByCategory:
		sel = []string{`CAST(COALESCE(p.category_id, 0) AS TEXT), e.base, ` + tiers + ` %s AND l.id IS NOT NULL`}
	case insight.ByWarehouse:
		sel = []string{`CAST(l.warehouse_id AS TEXT), e.base, ` + tiers + ` %s AND l.id IS NOT NULL`}
	case insight.ByDistributor:
		sel = []string{`CAST(e.seller_id AS TEXT), e.base, e.tier1_amount %s AND e.seller_id <> 0`}
	case insight.ByGrade: // the grade recorded is checked against the grades set in insight_network_prop_test.go
		sel = []string{`CAST(e.seller_grade AS TEXT), e.base, e.tier1_amount %s AND e.seller_id <> 0`}
	}
	out := map[string][2]int64{}
	for _, s := range sel {
		q := `SELECT ` + fmt.Sprintf(s, `FROM sales_events e LEFT JOIN order_lines l ON l.id = e.line_id LEFT JOIN products p ON p.id = l.product_id
			WHERE e.at >= ? AND e.at < ? AND (CAST(? AS BIGINT) = 0 OR e.supplier_id = ?)`)
		nums, texts := rawRows(tb, db, q, from.UnixMicro(), to.UnixMicro(), supplier, supplier)
		for i, r := range nums {
			v := out[texts[i][0]]
			out[texts[i][0]] = [2]int64{v[0] + r[1], v[1] + r[2]}
		}
	}
	return out
}

// checkInsight compares every series and breakdown with the oracle.
func checkInsight(tb fataler, db *store.DB, w *figuresWorld, first time.Time, stretchStart, stretchDays int) {
	tb.Helper()
	s, err := db.Settings(w.ctx)
	if err != nil {
		tb.Fatal(err)
	}
	loc := s.Location()
	checkBreakdownRollups(tb, db)
	checkPacks(tb, db, insight.DayKey(w.clock.Now(), loc)/100*100+1, false)
	from := insight.DateOf(insight.DayKey(first, loc), loc)
	to := insight.DateOf(insight.DayKey(w.clock.Now(), loc), loc)
	for _, sup := range []int64{0, w.supA.ID, w.supB.ID} {
		for _, g := range insight.Grains {
			got, err := db.InsightSeries(w.ctx, w.op, store.SeriesQuery{Grain: g, From: from, To: to, SupplierID: sup})
			if err != nil {
				tb.Fatal(err)
			}
			want := oracleSeries(tb, db, w, g, loc, from, to, sup)
			if len(got.Points) != len(want) {
				tb.Fatalf("supplier %d %s: %d points, want %d", sup, g, len(got.Points), len(want))
			}
			for i := range want {
				if !got.Points[i].Period.Equal(want[i].Period) {
					tb.Fatalf("supplier %d %s point %d: period %v, want %v", sup, g, i, got.Points[i].Period, want[i].Period)
				}
				got.Points[i].Period = want[i].Period
				if got.Points[i] != want[i] {
					tb.Fatalf("supplier %d %s point %d:\n got %+v\nwant %+v", sup, g, i, got.Points[i], want[i])
				}
			}
		}
		bFrom := from.AddDate(0, 0, stretchStart)
		bTo := bFrom.AddDate(0, 0, stretchDays)
		if bTo.After(to) {
			bFrom, bTo = from, to
		}
		checkWindow(tb, db, w, loc, from, to, bFrom, bTo, sup)
		checkBreakdownWindows(tb, db, w, loc, sup, stretchStart, stretchStart+stretchDays)
		for _, by := range insight.Dims {
			got, err := db.InsightBreakdown(w.ctx, w.op, store.BreakdownQuery{By: by, From: bFrom, To: bTo, SupplierID: sup, Limit: insight.MaxBreakdown})
			if err != nil {
				tb.Fatal(err)
			}
			want := oracleBreakdown(tb, db, by, bFrom, bTo.AddDate(0, 0, 1), sup)
			gotMap := map[string][2]int64{}
			for i, r := range got.Rows {
				gotMap[r.Key] = [2]int64{int64(r.Amount), int64(r.Commission)}
				if i > 0 && by != insight.ByTier && got.Rows[i-1].Amount < r.Amount {
					tb.Fatalf("%s breakdown not largest first: %+v", by, got.Rows)
				}
				if by != insight.ByTier && r.Name == "" && r.Key != "0" {
					tb.Fatalf("%s breakdown row %s has no name", by, r.Key)
				}
			}
			if !reflect.DeepEqual(gotMap, want) {
				tb.Fatalf("supplier %d breakdown by %s over %v..%v:\n got %v\nwant %v", sup, by, bFrom, bTo, gotMap, want)
			}
		}
	}
}

// fataler is what the oracle needs of a test: *testing.T or *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// checkWindow compares the figures of the days bFrom..bTo as one window
// with the oracle's days summed, and its paying customers and active
// distributors with a distinct count over the window's instants.
func checkWindow(tb fataler, db *store.DB, w *figuresWorld, loc *time.Location, from, to, bFrom, bTo time.Time, sup int64) {
	tb.Helper()
	got, err := db.InsightWindow(w.ctx, w.op, sup, bFrom, bTo)
	if err != nil {
		tb.Fatal(err)
	}
	want := insight.Point{Period: bFrom}
	for _, p := range oracleSeries(tb, db, w, insight.Day, loc, from, to, sup) {
		if p.Period.Before(bFrom) || p.Period.After(bTo) {
			continue
		}
		want.GMV += p.GMV
		want.Orders += p.Orders
		want.Refunds += p.Refunds
		want.Refunded += p.Refunded
		want.NewDistributors += p.NewDistributors
		want.CommissionBooked += p.CommissionBooked
		want.CommissionReversed += p.CommissionReversed
		want.CommissionSettled += p.CommissionSettled
		want.CommissionPaidOut += p.CommissionPaidOut
	}
	lo, hi := bFrom.UnixMicro(), bTo.AddDate(0, 0, 1).UnixMicro()
	want.Customers = w.int(`SELECT COUNT(DISTINCT o.customer_account_id) FROM commission_lines c JOIN orders o ON o.id = c.order_id
		LEFT JOIN order_lines l ON l.id = c.line_id
		WHERE c.booked_at >= ? AND c.booked_at < ? AND (CAST(? AS BIGINT) = 0 OR l.supplier_id = ?)`, lo, hi, sup, sup)
	want.ActiveDistributors = w.int(`SELECT COUNT(DISTINCT seller_id) FROM sales_events
		WHERE refund = FALSE AND seller_id <> 0 AND at >= ? AND at < ? AND (CAST(? AS BIGINT) = 0 OR supplier_id = ?)`, lo, hi, sup, sup)
	got.Period = bFrom
	if got != want {
		tb.Fatalf("supplier %d window %v..%v:\n got %+v\nwant %+v", sup, bFrom, bTo, got, want)
	}
}
