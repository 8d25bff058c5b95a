package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"sharemall/internal/account"
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
			roots := make([]int, 1001)
			for i := range roots {
				roots[i] = -1
			}
			ids, err := db.SeedTree(ctx, roots)
			if err != nil {
				b.Fatal(err)
			}
			reader := ids[0]
			if err := db.BenchPaidWithdrawals(ctx, []int64{reader}, 2, 1000, nil); err != nil {
				b.Fatal(err)
			}
			if err := db.BenchPaidWithdrawals(ctx, ids[1:], n, 1000, nil); err != nil {
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
					if w, err := db.BenchWithdrawnByEntries(ctx, reader); err != nil || w != 2000 {
						b.Fatalf("%d %v", w, err)
					}
				}
			})
		})
	}
}
