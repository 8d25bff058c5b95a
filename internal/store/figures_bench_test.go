package store_test

import (
	"context"
	"testing"

	"sharemall/internal/account"
)

// BenchmarkTeamFigures reads the figures of the largest teams (the root
// and near it) and of the 1,000-deep tail's end, after sales were folded
// at every depth: two primary-key reads whatever the team's size.
func BenchmarkTeamFigures(b *testing.B) {
	db, ids := benchTree(b)
	ctx := context.Background()
	var sellers []int64
	for i := len(ids) - 1; i >= 0; i -= 97 {
		sellers = append(sellers, ids[i])
	}
	if err := db.SalesEventsForTest(ctx, sellers, 1000); err != nil {
		b.Fatal(err)
	}
	for {
		n, err := db.FoldSalesEvents(ctx, 500)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	op := account.Actor{AccountID: 1, Roles: []account.Role{account.Operator}}
	probe := []int64{ids[0], ids[1], ids[2], ids[len(ids)-1000], ids[len(ids)-1]}
	for i := 0; b.Loop(); i++ {
		if _, err := db.TeamFigures(ctx, op, probe[i%len(probe)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFoldSales folds one sale per op by a seller at the end of the
// 1,000-deep tail: the worst case of the recursive team update.
func BenchmarkFoldSales(b *testing.B) {
	db, ids := benchTree(b)
	ctx := context.Background()
	deepest := []int64{ids[len(ids)-1]}
	for b.Loop() {
		if err := db.SalesEventsForTest(ctx, deepest, 1000); err != nil {
			b.Fatal(err)
		}
		if n, err := db.FoldSalesEvents(ctx, 500); err != nil || n != 1 {
			b.Fatal(n, err)
		}
	}
}
