package store_test

import (
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestSearchDistributors(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		w.buy(w.customer(w.d5), "CN.11.01.01", order.Item{SKUID: w.tea, Quantity: 3})
		w.buy(w.customer(w.seller), "CN.11.01.01", order.Item{SKUID: w.tea, Quantity: 1})
		w.foldAll(100)
		g, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Gold", Rank: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetGrade(w.ctx, w.op, w.d4.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GrantArea(w.ctx, w.op, "CN.11", w.x.ID); err != nil {
			t.Fatal(err)
		}
		search := func(f store.DistributorSearch) []store.DistributorListing {
			t.Helper()
			out, err := db.SearchDistributors(w.ctx, w.op, f)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		ids := func(ls []store.DistributorListing) []int64 {
			var out []int64
			for _, l := range ls {
				out = append(out, l.ID)
			}
			return out
		}
		same := func(what string, got []store.DistributorListing, want ...int64) {
			t.Helper()
			if g := ids(got); len(g) != len(want) || (len(want) > 0 && !equalIDs(g, want)) {
				t.Errorf("%s: %v, want %v", what, g, want)
			}
		}
		// Team size, largest first; ties by id.
		same("by team", search(store.DistributorSearch{Sort: store.SortTeam}), w.root.ID, w.mid.ID, w.seller.ID, w.d4.ID, w.d5.ID, w.x.ID, w.d6.ID)
		// Own sales from the rollup, highest first.
		bySales := search(store.DistributorSearch{Sort: store.SortSales, Limit: 2})
		same("by sales (2 and one more)", bySales, w.d5.ID, w.seller.ID, w.root.ID)
		if bySales[0].OwnSales != 3000 || bySales[1].OwnSales != 1000 || bySales[0].OwnOrders != 1 {
			t.Errorf("sales %+v", bySales[:2])
		}
		if f := search(store.DistributorSearch{Sort: store.SortTeam, Limit: 1}); f[0].TeamSales != 4000 {
			t.Errorf("root's team sales %d", f[0].TeamSales)
		}
		// Newest first by default, paged by offset.
		same("joined", search(store.DistributorSearch{}), w.d6.ID, w.d5.ID, w.d4.ID, w.x.ID, w.seller.ID, w.mid.ID, w.root.ID)
		same("joined, second page", search(store.DistributorSearch{Offset: 5, Limit: 5}), w.mid.ID, w.root.ID)
		// Filters.
		for _, l := range search(store.DistributorSearch{Name: w.d5.DisplayName}) {
			if !strings.Contains(l.DisplayName, w.d5.DisplayName) {
				t.Errorf("name %q matched %q", w.d5.DisplayName, l.DisplayName)
			}
		}
		if got := ids(search(store.DistributorSearch{Name: strings.ToUpper(w.d5.DisplayName)})); !containsID(got, w.d5.ID) {
			t.Errorf("name in capitals: %v", got)
		}
		same("no such name", search(store.DistributorSearch{Name: "100%_"}))
		same("grade", search(store.DistributorSearch{GradeID: g.ID}), w.d4.ID)
		same("agent in CN", search(store.DistributorSearch{AgentArea: "CN"}), w.x.ID)
		same("agent in CN.11", search(store.DistributorSearch{AgentArea: "CN.11"}), w.x.ID)
		same("agent in CN.12", search(store.DistributorSearch{AgentArea: "CN.12"}))
		same("active", search(store.DistributorSearch{Status: network.Active, Sort: store.SortTeam, Limit: 7}), w.root.ID, w.mid.ID, w.seller.ID, w.d4.ID, w.d5.ID, w.x.ID, w.d6.ID)
		same("root's members", search(store.DistributorSearch{SponsorID: w.root.ID}), w.mid.ID)
		same("d4's members by team", search(store.DistributorSearch{SponsorID: w.seller.ID, Sort: store.SortTeam}), w.d4.ID)
		same("suspended", search(store.DistributorSearch{Status: network.Suspended}))
		same("joined between", search(store.DistributorSearch{JoinedFrom: w.seller.JoinedAt, JoinedTo: w.d4.JoinedAt}), w.x.ID, w.seller.ID)
		// Refusals name their field; others may not search.
		for _, c := range []struct {
			f     store.DistributorSearch
			field string
		}{
			{store.DistributorSearch{Sort: "name"}, "sort"},
			{store.DistributorSearch{SponsorID: -1}, "sponsor"},
			{store.DistributorSearch{Offset: store.MaxSearchOffset + 1}, "offset"},
			{store.DistributorSearch{JoinedFrom: w.d4.JoinedAt, JoinedTo: w.seller.JoinedAt}, "joined_to"},
			{store.DistributorSearch{Status: "asleep"}, "status"},
			{store.DistributorSearch{AgentArea: "CN%"}, "region"},
			{store.DistributorSearch{Name: strings.Repeat("x", 41)}, "name"},
		} {
			if _, err := db.SearchDistributors(w.ctx, w.op, c.f); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != c.field {
				t.Errorf("%+v: %v, want invalid %s", c.f, err, c.field)
			}
		}
		if _, err := db.SearchDistributors(w.ctx, w.sellerActor, store.DistributorSearch{}); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a distributor searched: %v", err)
		}
	})
}

func equalIDs(a, b []int64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
