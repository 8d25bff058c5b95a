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

// benchTree seeds 100,000 distributors (SHAREMALL_BENCH_TREE sets another
// size): a tree where everyone sponsors up to five, plus a 1,000-deep tail
// under the last one.
func benchTree(b *testing.B) (*store.DB, []int64) {
	b.Helper()
	db := testutil.OpenSQLite(b)
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("SHAREMALL_BENCH_TREE")); err == nil && v > 2000 {
		n = v
	}
	sponsors := make([]int, n)
	for i := range sponsors {
		switch {
		case i == 0:
			sponsors[i] = -1
		case i >= n-1000:
			sponsors[i] = i - 1
		default:
			sponsors[i] = (i - 1) / 5
		}
	}
	ids, err := db.SeedTree(context.Background(), sponsors)
	if err != nil {
		b.Fatal(err)
	}
	return db, ids
}

func BenchmarkUpline(b *testing.B) {
	db, ids := benchTree(b)
	op := account.Actor{AccountID: 1, Roles: []account.Role{account.Operator}}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := db.Upline(ctx, op, ids[len(ids)-1-i%len(ids)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTeam(b *testing.B) {
	db, ids := benchTree(b)
	op := account.Actor{AccountID: 1, Roles: []account.Role{account.Operator}}
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		if _, err := db.Team(ctx, op, ids[i%7]); err != nil { // the root and near it: the largest teams
			b.Fatal(err)
		}
	}
}
