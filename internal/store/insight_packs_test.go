package store_test

import (
	"context"
	"reflect"
	"sharemall/internal/sqldb"
	"testing"
	"time"

	"sharemall/internal/insight"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// checkPacks checks every breakdown pack against the rows it packs: each
// (supplier, dimension, day) and month with rows has a pack; a pack not
// stale decodes to exactly its rows; the packs the sweep should have built
// (every day, every month before this one) are not stale when built says
// so.
func checkPacks(tb fataler, db *store.DB, thisMonth int, built bool) {
	tb.Helper()
	type key struct {
		sup        int64
		dim, grain string
		period     int64
	}
	want := map[key]map[string][2]int64{}
	add := func(k key, code string, amount, commission int64) {
		if want[k] == nil {
			want[k] = map[string][2]int64{}
		}
		want[k][code] = [2]int64{amount, commission}
	}
	nums, texts := rawRows(tb, db, `SELECT supplier_id, dim, day, key_code, amount, commission FROM insight_breakdown`)
	for i, r := range nums {
		add(key{r[0], texts[i][1], "day", r[2]}, texts[i][3], r[4], r[5])
	}
	nums, texts = rawRows(tb, db, `SELECT supplier_id, dim, period, key_code, amount, commission FROM insight_breakdown_periods WHERE grain = 'month'`)
	for i, r := range nums {
		add(key{r[0], texts[i][1], "month", r[2]}, texts[i][3], r[4], r[5])
	}
	got := map[key]bool{}
	err := db.DB.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.Each(context.Background(), `SELECT supplier_id, dim, grain, period, stale, body FROM insight_breakdown_packs`, nil,
			func(scan func(...any) error) error {
				var k key
				var stale bool
				var body []byte
				if err := scan(&k.sup, &k.dim, &k.grain, &k.period, &stale, &body); err != nil {
					return err
				}
				got[k] = true
				if want[k] == nil {
					tb.Fatalf("pack %+v packs no row", k)
				}
				if stale {
					if built && (k.grain == "day" || k.period < int64(thisMonth)) {
						tb.Fatalf("pack %+v is stale after the sweep", k)
					}
					return nil
				}
				sums, err := store.DecodePackForTest(body)
				if err != nil {
					tb.Fatalf("pack %+v: %v", k, err)
				}
				if !reflect.DeepEqual(sums, want[k]) {
					tb.Fatalf("pack %+v:\n got %v\nrows %v", k, sums, want[k])
				}
				return nil
			})
	})
	if err != nil {
		tb.Fatal(err)
	}
	for k := range want {
		if !got[k] {
			tb.Fatalf("rows of %+v have no pack", k)
		}
	}
}

// TestPackPlan: a range is cut into days, the months over that it holds
// whole, and days.
func TestPackPlan(t *testing.T) {
	for _, c := range []struct {
		from, to, thisMonth int
		want                [6]int
	}{
		{20260105, 20260120, 20261201, [6]int{20260105, 20260120, 0, -1, 0, -1}},                           // within a month
		{20260101, 20260131, 20261201, [6]int{20260101, 20251231, 20260101, 20260101, 20260201, 20260131}}, // one whole month
		{20260115, 20260410, 20261201, [6]int{20260115, 20260131, 20260201, 20260301, 20260401, 20260410}}, // days, two months, days
		{20261015, 20261220, 20261201, [6]int{20261015, 20261031, 20261101, 20261101, 20261201, 20261220}}, // the current month is days
		{20261201, 20261203, 20261201, [6]int{20261201, 20261203, 0, -1, 0, -1}},
		{20251201, 20260331, 20260301, [6]int{20251201, 20251130, 20251201, 20260201, 20260301, 20260331}}, // across a year
		{20260102, 20260227, 20261201, [6]int{20260102, 20260227, 0, -1, 0, -1}},                           // no whole month
	} {
		if got := store.PackPlanForTest(c.from, c.to, c.thisMonth); got != c.want {
			t.Errorf("%d..%d (month %d): %v, want %v", c.from, c.to, c.thisMonth, got, c.want)
		}
	}
}

// TestInsightPacks: after a fold the sweep packs every day and every month
// that is over, and each pack is its rows; breakdowns of ranges over days
// and whole months equal the rows' sums whether the packs are built or
// stale (a fold not caught up packs nothing); a migration from before the
// packs leaves them stale until the sweep.
func TestInsightPacks(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		s, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		loc := s.Location()
		first := w.clock.Now()
		regions := []string{"CN.44.03.05", "CN.11.01.05", "CN.51.01.04"}
		buy := func(n int, step time.Duration) {
			for i := range n {
				w.buy(w.customer(w.seller), regions[i%3], order.Item{SKUID: w.tea, Quantity: int64(1 + i%3)}, order.Item{SKUID: w.cup, Quantity: 1})
				w.clock.Advance(step)
			}
		}
		buy(40, 53*time.Hour) // some 90 days: months over and the current one
		foldInsightAll(t, db, w)
		thisMonth := insight.DayKey(w.clock.Now(), loc)/100*100 + 1
		checkPacks(t, db, thisMonth, true)
		nums, _ := rawRows(t, db, `SELECT COUNT(*) FROM insight_breakdown_packs WHERE grain = 'month' AND NOT stale`)
		if nums[0][0] == 0 {
			t.Fatal("no month packed: the test proves too little")
		}
		ranges := func() [][2]time.Time {
			today := insight.DateOf(insight.DayKey(w.clock.Now(), loc), loc)
			start := insight.DateOf(insight.DayKey(first, loc), loc)
			return [][2]time.Time{{start, today}, {start.AddDate(0, 0, 3), today.AddDate(0, 0, -2)},
				{insight.Start(insight.Month, start).AddDate(0, 1, 0), today}, {start.AddDate(0, 0, 17), start.AddDate(0, 0, 61)},
				{today.AddDate(0, 0, -40), today.AddDate(0, 0, -1)}}
		}
		check := func() {
			t.Helper()
			for _, r := range ranges() {
				for _, sup := range []int64{0, w.supA.ID} {
					for _, by := range insight.Dims {
						got, err := db.InsightBreakdown(w.ctx, w.op, store.BreakdownQuery{By: by, From: r[0], To: r[1], SupplierID: sup, Limit: insight.MaxBreakdown})
						if err != nil {
							t.Fatal(err)
						}
						gotMap := map[string][2]int64{}
						for i, row := range got.Rows {
							gotMap[row.Key] = [2]int64{int64(row.Amount), int64(row.Commission)}
							if i > 0 && by != insight.ByTier && (got.Rows[i-1].Amount < row.Amount ||
								got.Rows[i-1].Amount == row.Amount && got.Rows[i-1].Key > row.Key) {
								t.Fatalf("%s not largest first, then by key: %+v", by, got.Rows)
							}
						}
						want := oracleBreakdown(t, db, by, r[0], r[1].AddDate(0, 0, 1), sup)
						if !reflect.DeepEqual(gotMap, want) {
							t.Fatalf("supplier %d by %s over %v..%v:\n got %v\nwant %v", sup, by, r[0], r[1], gotMap, want)
						}
					}
				}
			}
		}
		check()
		// A fold that has not caught up packs nothing: reads use the rows.
		buy(12, 31*time.Hour)
		if _, err := db.FoldInsight(w.ctx, 3); err != nil {
			t.Fatal(err)
		}
		nums, _ = rawRows(t, db, `SELECT COUNT(*) FROM insight_breakdown_packs WHERE stale AND grain = 'day'`)
		if nums[0][0] == 0 {
			t.Fatal("a fold left no day pack stale: the test proves too little")
		}
		thisMonth = insight.DayKey(w.clock.Now(), loc)/100*100 + 1
		checkPacks(t, db, thisMonth, false)
		foldInsightAll(t, db, w) // the oracle reads folded events only
		if err := db.DB.Write(w.ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(w.ctx, `UPDATE insight_breakdown_packs SET stale = TRUE`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		check()
		// Migrated: every pack stale, then the sweep packs them.
		if err := db.MigrateDownToForTest(w.ctx, 28); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		checkPacks(t, db, thisMonth, false)
		check()
		if _, err := db.PackInsight(w.ctx); err != nil {
			t.Fatal(err)
		}
		checkPacks(t, db, thisMonth, true)
		check()
		// A pack that does not decode is an error, never a wrong figure.
		if err := db.DB.Write(w.ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(w.ctx, `UPDATE insight_breakdown_packs SET body = ? WHERE supplier_id = 0 AND grain = 'day'`, []byte{5, 1, 'x'})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		r := ranges()[3] // days and a month: read from packs
		if _, err := db.InsightBreakdown(w.ctx, w.op, store.BreakdownQuery{By: insight.ByProduct, From: r[0], To: r[1]}); err == nil {
			t.Fatal("a corrupt pack was read without an error")
		}
	})
}
