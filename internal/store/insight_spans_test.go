package store_test

import (
	"reflect"
	"testing"
	"time"

	"sharemall/internal/insight"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// checkBreakdownWindows compares the breakdowns of the console's named
// windows ending today (the last 1, 7 and 30 days: spans; the week, month
// and year to date: periods), those picked (by index, modulo 6), with a
// brute force over the day rows (which the random stretch of checkInsight
// compares with the sales events), and checks that each is read as one
// piece (an index range) once the sweep has moved the spans to today.
func checkBreakdownWindows(tb fataler, db *store.DB, w *figuresWorld, loc *time.Location, sup int64, pick ...int) {
	tb.Helper()
	today := insight.DateOf(insight.DayKey(w.clock.Now(), loc), loc)
	// Spans are read when the sweep has moved them to today (always, but
	// right after migration 00028).
	nums, _ := rawRows(tb, db, `SELECT COUNT(*) FROM insight_breakdown_state WHERE name IN ('d1', 'd7', 'd30') AND day = ?`, insight.Key(today))
	moved := nums[0][0] == 3
	windows := []time.Time{today, today.AddDate(0, 0, -6), today.AddDate(0, 0, -29), insight.Start(insight.Week, today),
		insight.Start(insight.Month, today), time.Date(today.Year(), 1, 1, 0, 0, 0, 0, loc)}
	for _, i := range pick {
		from := windows[i%len(windows)]
		plan, err := db.InsightPlanForTest(w.ctx, from, today)
		if err != nil {
			tb.Fatal(err)
		}
		if moved && len(plan) > 1 {
			tb.Fatalf("%v..%v is read as %v, want one span or period", from, today, plan)
		}
		for _, by := range insight.Dims {
			got, err := db.InsightBreakdown(w.ctx, w.op, store.BreakdownQuery{By: by, From: from, To: today, SupplierID: sup, Limit: insight.MaxBreakdown})
			if err != nil {
				tb.Fatal(err)
			}
			gotMap := map[string][2]int64{}
			for _, row := range got.Rows {
				gotMap[row.Key] = [2]int64{int64(row.Amount), int64(row.Commission)}
			}
			days := map[string][2]int64{}
			nums, texts := rawRows(tb, db, `SELECT key_code, SUM(amount), SUM(commission) FROM insight_breakdown
				WHERE supplier_id = ? AND dim = ? AND day >= ? AND day <= ? GROUP BY key_code`, sup, string(by), insight.Key(from), insight.Key(today))
			for i, n := range nums {
				days[texts[i][0]] = [2]int64{n[1], n[2]}
			}
			if !reflect.DeepEqual(gotMap, days) {
				tb.Fatalf("supplier %d by %s over %v..%v (plan %v):\n got %v\nday rows %v", sup, by, from, today, plan, gotMap, days)
			}
		}
	}
}

// checkBreakdownRollups checks the weeks, months, years and spans against
// the day rows they sum, row by row.
func checkBreakdownRollups(tb fataler, db *store.DB) {
	tb.Helper()
	type key struct {
		sup        int64
		dim, grain string
		period     int64
		code       string
	}
	want := map[key][2]int64{}
	nums, texts := rawRows(tb, db, `SELECT supplier_id, dim, day, key_code, amount, commission FROM insight_breakdown`)
	anchors := map[string]int64{}
	st, names := rawRows(tb, db, `SELECT name, day FROM insight_breakdown_state`)
	for i, r := range st {
		anchors[names[i][0]] = r[1]
	}
	spans := map[string]int{"d1": 1, "d7": 7, "d30": 30}
	first, last := int64(0), int64(0)
	for i, r := range nums {
		d := insight.DateOf(int(r[2]), time.UTC)
		if first == 0 || r[2] < first {
			first = r[2]
		}
		last = max(last, r[2])
		for g, start := range map[string]time.Time{"week": insight.Start(insight.Week, d), "month": insight.Start(insight.Month, d),
			"year": time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)} {
			k := key{r[0], texts[i][1], g, int64(insight.Key(start)), texts[i][3]}
			want[k] = [2]int64{want[k][0] + r[4], want[k][1] + r[5]}
		}
		for name, n := range spans {
			a := anchors[name]
			if a == 0 || r[2] > a || r[2] < int64(insight.Key(insight.DateOf(int(a), time.UTC).AddDate(0, 0, 1-n))) {
				continue
			}
			k := key{r[0], texts[i][1], name, 0, texts[i][3]}
			want[k] = [2]int64{want[k][0] + r[4], want[k][1] + r[5]}
		}
	}
	got := map[key][2]int64{}
	nums, texts = rawRows(tb, db, `SELECT supplier_id, dim, grain, period, key_code, amount, commission FROM insight_breakdown_periods`)
	for i, r := range nums {
		got[key{r[0], texts[i][1], texts[i][2], r[3], texts[i][4]}] = [2]int64{r[5], r[6]}
	}
	nums, texts = rawRows(tb, db, `SELECT supplier_id, dim, span, 0, key_code, amount, commission FROM insight_breakdown_spans`)
	for i, r := range nums {
		got[key{r[0], texts[i][1], texts[i][2], 0, texts[i][4]}] = [2]int64{r[5], r[6]}
	}
	if !reflect.DeepEqual(got, want) {
		for k, v := range want {
			if got[k] != v {
				tb.Fatalf("%+v: %v, want %v (day rows)", k, got[k], v)
			}
		}
		for k, v := range got {
			if _, ok := want[k]; !ok {
				tb.Fatalf("%+v: %v, want no row", k, v)
			}
		}
	}
	if anchors["first_day"] != first || anchors["last_day"] != last {
		tb.Fatalf("extent %d..%d, want %d..%d", anchors["first_day"], anchors["last_day"], first, last)
	}
}

// TestInsightSpansMigrated: migration 00028 sums the day rows already
// folded into weeks (whose Monday may fall in another month or year),
// months and years, and notes their extent; the next sweep builds the
// spans; every breakdown then equals the brute forces.
func TestInsightSpansMigrated(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		first := w.clock.Now()
		regions := []string{"CN.44.03.05", "CN.11.01.05"}
		for i := range 12 {
			w.buy(w.customer(w.seller), regions[i%2], order.Item{SKUID: w.tea, Quantity: int64(1 + i%3)}, order.Item{SKUID: w.cup, Quantity: 1})
			w.clock.Advance(time.Duration(20+i*13) * time.Hour)
		}
		foldInsightAll(t, db, w)
		checkBreakdownRollups(t, db)
		s, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateDownToForTest(w.ctx, 27); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		// Before the sweep: periods and extent from the migration, no span.
		nums, _ := rawRows(t, db, `SELECT COUNT(*) FROM insight_breakdown_spans`)
		if nums[0][0] != 0 {
			t.Fatalf("%d span rows before the sweep", nums[0][0])
		}
		checkBreakdownRollups(t, db)
		checkInsight(t, db, w, first, 0, 5)
		checkBreakdownWindows(t, db, w, s.Location(), 0, 0, 1, 2, 3, 4, 5)
		foldInsightAll(t, db, w)
		nums, _ = rawRows(t, db, `SELECT COUNT(*) FROM insight_breakdown_spans`)
		if nums[0][0] == 0 {
			t.Fatal("the sweep built no span")
		}
		checkBreakdownRollups(t, db)
		checkInsight(t, db, w, first, 3, 9)
		checkBreakdownWindows(t, db, w, s.Location(), 0, 0, 1, 2, 3, 4, 5)
		checkBreakdownWindows(t, db, w, s.Location(), w.supA.ID, 0, 1, 2, 3, 4, 5)
	})
}
