package store_test

import (
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestInsightScoping: a supplier sees its own figures only (another's is
// NotFound, and what another sold never shows in its own); an operator
// sees the program or any supplier; distributors and customers are
// refused; program-only figures are refused per supplier.
func TestInsightScoping(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		w.buy(w.customer(w.seller), "CN.44.03.05", order.Item{SKUID: w.cup, Quantity: 3}) // supplier B only
		foldInsightAll(t, db, w)
		day := w.clock.Now()
		q := store.SeriesQuery{Grain: insight.Day, From: day, To: day}
		own, err := db.InsightSeries(w.ctx, w.a, q)
		if err != nil {
			t.Fatal(err)
		}
		if own.SupplierID != w.supA.ID || own.Points[0].GMV != 0 || own.Points[0].Orders != 0 {
			t.Fatalf("supplier A sees %+v", own)
		}
		b, err := db.InsightSeries(w.ctx, w.b, q)
		if err != nil {
			t.Fatal(err)
		}
		if b.SupplierID != w.supB.ID || b.Points[0].GMV != 1500 || b.Points[0].Orders != 1 || b.Points[0].Customers != 1 {
			t.Fatalf("supplier B sees %+v", b)
		}
		q.SupplierID = w.supB.ID
		if _, err := db.InsightSeries(w.ctx, w.a, q); !errs.Is(err, errs.NotFound) {
			t.Fatalf("supplier A asking for B's series: %v, want NotFound", err)
		}
		if _, err := db.InsightBreakdown(w.ctx, w.a, store.BreakdownQuery{By: insight.ByProduct, From: day, To: day, SupplierID: w.supB.ID}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("supplier A asking for B's breakdown: %v, want NotFound", err)
		}
		bd, err := db.InsightBreakdown(w.ctx, w.a, store.BreakdownQuery{By: insight.ByDistributor, From: day, To: day})
		if err != nil || len(bd.Rows) != 0 || bd.SupplierID != w.supA.ID {
			t.Fatalf("supplier A's top distributors: %+v, %v", bd, err)
		}
		op, err := db.InsightSeries(w.ctx, w.op, q)
		if err != nil || op.SupplierID != w.supB.ID || op.Points[0].GMV != 1500 {
			t.Fatalf("operator asking for B: %+v, %v", op, err)
		}
		if _, err := db.InsightSeries(w.ctx, w.sellerActor, store.SeriesQuery{From: day, To: day}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a distributor reading the series: %v, want Forbidden", err)
		}
		if _, err := db.InsightBreakdown(w.ctx, w.cust, store.BreakdownQuery{By: insight.ByTier, From: day, To: day}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a customer reading a breakdown: %v, want Forbidden", err)
		}
		if _, err := db.InsightSeries(w.ctx, w.a, store.SeriesQuery{Metric: insight.NewDistributors, From: day, To: day}); errs.FieldOf(err) != "metric" {
			t.Fatalf("new distributors per supplier: %v, want Invalid on metric", err)
		}
		if _, err := db.InsightSeries(w.ctx, w.op, store.SeriesQuery{Metric: insight.NewDistributors, From: day, To: day}); err != nil {
			t.Fatalf("new distributors for the program: %v", err)
		}
	})
}

// TestInsightRefusesBadQueries: each bad parameter is refused by its field.
func TestInsightRefusesBadQueries(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		day := w.clock.Now()
		for _, c := range []struct {
			field string
			err   error
		}{
			{"grain", seriesErr(w, store.SeriesQuery{Grain: "year", From: day, To: day})},
			{"metric", seriesErr(w, store.SeriesQuery{Metric: "profit", From: day, To: day})},
			{"to", seriesErr(w, store.SeriesQuery{From: day, To: day.AddDate(0, 0, -1)})},
			{"to", seriesErr(w, store.SeriesQuery{From: day, To: day.AddDate(3, 0, 0)})},
			{"supplier_id", seriesErr(w, store.SeriesQuery{From: day, To: day, SupplierID: -1})},
			{"by", breakdownErr(w, store.BreakdownQuery{By: "colour", From: day, To: day})},
			{"limit", breakdownErr(w, store.BreakdownQuery{By: insight.ByTier, From: day, To: day, Limit: -1})},
			{"to", breakdownErr(w, store.BreakdownQuery{By: insight.ByTier, From: day, To: day.Add(-48 * time.Hour)})},
		} {
			if !errs.Is(c.err, errs.Invalid) || errs.FieldOf(c.err) != c.field {
				t.Errorf("%v: want Invalid on %s", c.err, c.field)
			}
		}
		if _, err := db.InsightSeries(w.ctx, w.op, store.SeriesQuery{From: day, To: day, SupplierID: 1 << 40}); !errs.Is(err, errs.NotFound) {
			t.Fatalf("an unknown supplier: %v, want NotFound", err)
		}
	})
}

func seriesErr(w *figuresWorld, q store.SeriesQuery) error {
	_, err := w.db.InsightSeries(w.ctx, w.op, q)
	return err
}

func breakdownErr(w *figuresWorld, q store.BreakdownQuery) error {
	_, err := w.db.InsightBreakdown(w.ctx, w.op, q)
	return err
}
