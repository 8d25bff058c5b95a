package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/insight"
	"sharemall/internal/store"
)

// benchFunnel seeds the 100,000-distributor tree and a year of funnel
// events (SHAREMALL_BENCH_FUNNEL of them, 100,000 by default: visits by
// 20,000 browsers, links and paid orders) over 10,000 sharers and 200
// products of 10 suppliers, folds them, and says how long the fold took.
func benchFunnel(b *testing.B) (*store.DB, []int64, time.Time) {
	b.Helper()
	db, ids := benchTree(b)
	ctx := context.Background()
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("SHAREMALL_BENCH_FUNNEL")); err == nil && v > 0 {
		n = v
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	events := make([]store.FunnelEventForTest, n)
	for i := range events {
		p := int64(1 + r.IntN(200))
		e := store.FunnelEventForTest{Step: "visit", Distributor: ids[r.IntN(10000)], Product: p, Supplier: 1 + p%10,
			Visitor: fmt.Sprintf("v:%d", r.IntN(20000)), At: start.Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))}
		switch k := r.IntN(20); {
		case k == 0:
			e.Step, e.Visitor = "link", ""
		case k <= 2:
			e.Step, e.Visitor = "paid", ""
		}
		events[i] = e
	}
	if err := db.FunnelEventsForTest(ctx, events); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	folded := 0
	for {
		k, err := db.FoldInsight(ctx, 5000)
		if err != nil {
			b.Fatal(err)
		}
		folded += k
		if k == 0 {
			break
		}
	}
	b.Logf("folded %d events in %v (%.0f a second)", folded, time.Since(t0), float64(folded)/time.Since(t0).Seconds())
	return db, ids, start
}

// BenchmarkFunnelRead reads a quarter's funnel by week, alternately the
// program's, one sharer's and one product's: one indexed range each,
// whatever the number of events.
func BenchmarkFunnelRead(b *testing.B) {
	db, ids, start := benchFunnel(b)
	ctx := context.Background()
	op := account.Actor{AccountID: 1, Roles: []account.Role{account.Operator}}
	qs := []store.FunnelQuery{
		{Grain: insight.Week, From: start.AddDate(0, 3, 0), To: start.AddDate(0, 6, 0)},
		{Grain: insight.Day, From: start.AddDate(0, 3, 0), To: start.AddDate(0, 6, 0), DistributorID: ids[17]},
		{Grain: insight.Month, From: start, To: start.AddDate(1, 0, 0), ProductID: 0},
	}
	for i := 0; b.Loop(); i++ {
		if _, err := db.InsightFunnel(ctx, op, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}
