package seed_test

import (
	"context"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/bench/seed"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// The bulk generator writes a tree CheckNetwork agrees with, on both
// engines, and ids the application can keep numbering after.
func TestSeedBench(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p, err := seed.Seed(ctx, db, seed.Size{Distributors: 3000, ChainDepth: 400, Suppliers: 3, Products: 30, Customers: 50, Seed: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if bad, err := db.CheckNetwork(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("CheckNetwork: %v %v", err, bad[:min(5, len(bad))])
		}
		if p.LargestTeam < 10 || len(p.SKUIDs) != 30 || len(p.CustomerTokens) != 50 || len(p.RegionCodes) == 0 {
			t.Fatalf("program: largest team %d, %d SKUs, %d customers, %d regions", p.LargestTeam, len(p.SKUIDs), len(p.CustomerTokens), len(p.RegionCodes))
		}
		n, err := seed.RecursiveTeam(ctx, db, p.LargestTeamID)
		if err != nil || n != p.LargestTeam {
			t.Fatalf("recursive team %d, %v; stored %d", n, err, p.LargestTeam)
		}
		if n, err := seed.RecursiveTeam(ctx, db, p.ChainTopID); err != nil || n != 399 {
			t.Fatalf("chain team %d, %v", n, err)
		}
		// Ids written by the seed do not collide with the application's next ones.
		if _, err := db.CreateAccount(ctx, account.SignUp{Email: "after-seed@example.com"}, "x"); err != nil {
			t.Fatalf("account after seed: %v", err)
		}
	})
}
