package seed_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/bench/seed"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// BenchmarkWallet reads one distributor's wallet beside 20,000 paid
// withdrawals of 1,000 other distributors (SHAREMALL_BENCH_PAID sets
// another count), on SQLite and, when SHAREMALL_TEST_POSTGRES_URL is set,
// on PostgreSQL: "read" is the wallet as served, "withdrawn_by_entries" the
// withdrawn figure the way it was computed before wallet_withdrawn.
func BenchmarkWallet(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("SHAREMALL_BENCH_PAID")); err == nil && v >= 0 {
		n = v
	}
	engines := map[string]func(testing.TB) *store.DB{"sqlite": testutil.OpenSQLite}
	if os.Getenv(testutil.PostgresEnv) != "" {
		engines["postgres"] = testutil.OpenPostgres
	}
	for _, name := range []string{"sqlite", "postgres"} {
		open := engines[name]
		if open == nil {
			continue
		}
		b.Run(name, func(b *testing.B) {
			db := open(b)
			ctx := context.Background()
			p, err := seed.Seed(ctx, db, seed.Size{Distributors: 1001, ChainDepth: 1, Suppliers: 1, Products: 1, Customers: 1, Seed: 1}, nil)
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]int64, p.Distributors)
			for i := range ids {
				ids[i] = p.FirstID + int64(i)
			}
			reader := ids[0]
			if err := seed.PaidWithdrawals(ctx, db, []int64{reader}, 2, 1000, nil); err != nil {
				b.Fatal(err)
			}
			if err := seed.PaidWithdrawals(ctx, db, ids[1:], n, 1000, nil); err != nil {
				b.Fatal(err)
			}
			op := account.Actor{AccountID: 1, Roles: []account.Role{account.Operator}}
			b.Run("read", func(b *testing.B) {
				for b.Loop() {
					if w, err := db.Wallet(ctx, op, reader); err != nil || w.Withdrawn != 2000 {
						b.Fatalf("%+v %v", w, err)
					}
				}
			})
			b.Run("withdrawn_by_entries", func(b *testing.B) {
				for b.Loop() {
					if w, err := seed.WithdrawnByEntries(ctx, db, reader); err != nil || w != 2000 {
						b.Fatalf("%d %v", w, err)
					}
				}
			})
		})
	}
}
