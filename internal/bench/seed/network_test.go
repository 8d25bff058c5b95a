package seed_test

import (
	"context"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/bench/seed"
	"sharemall/internal/insight"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// The seeded distributors join the network's insight as joining would
// have them: after the sweep, the members per depth are the tree's and the
// network's size is every distributor, on both engines.
func TestSeedNetworkInsight(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, err := seed.Seed(ctx, db, seed.Size{Distributors: 1500, ChainDepth: 120, Suppliers: 1, Products: 2, Customers: 2, Seed: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for {
			n, err := db.FoldInsight(ctx, 5000)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		op := account.Actor{AccountID: 1, Roles: []account.Role{account.Operator}}
		st, err := db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now := db.Now().In(st.Location()) // the program's day and month
		d, err := db.InsightDepths(ctx, op, now)
		if err != nil {
			t.Fatal(err)
		}
		// The 120-long chain: depths 0 to 99, then 100 and deeper in one row.
		last := d.Rows[len(d.Rows)-1]
		if d.Members != int64(p.Distributors) || d.Joined != int64(p.Distributors) || len(d.Rows) != insight.DeepRow+1 || d.Rows[0].Depth != 0 ||
			last.Depth != insight.DeepRow || !last.AndDeeper || last.Members < 20 || d.Rows[insight.DeepRow-1].AndDeeper {
			t.Fatalf("depths: %d members, %d joined, %d depths, the last %+v", d.Members, d.Joined, len(d.Rows), last)
		}
		s, err := db.InsightSeries(ctx, op, store.SeriesQuery{Grain: insight.Day, From: now, To: now})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Points[0].Distributors; got < int64(p.Distributors) {
			t.Fatalf("network size %d, want at least %d", got, p.Distributors)
		}
	})
}
