package store_test

import (
	"slices"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/material"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestMaterialsPublish: a supplier publishes for its own products only, the
// operator for any; bad input names its field and saves nothing; a
// material is published only with a picture; distributors see only the
// published materials of products on sale.
func TestMaterialsPublish(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		pa := w.product(w.a, "Tea", [2]int64{1000, 0})
		pb := w.product(w.b, "Cup", [2]int64{500, 0})
		count := func() int64 { return w.int(`SELECT COUNT(*) FROM materials`) }

		_, err := db.CreateMaterial(w.ctx, w.a, material.Input{ProductID: pb.ID, CopyEN: "Buy my cup"})
		wantCode(t, err, errs.Invalid, "product_id")
		_, err = db.CreateMaterial(w.ctx, w.a, material.Input{ProductID: pa.ID, CopyEN: "  "})
		wantCode(t, err, errs.Invalid, "copy_zh")
		_, err = db.CreateMaterial(w.ctx, w.a, material.Input{ProductID: pa.ID, CopyEN: "Tea", CampaignID: -1})
		wantCode(t, err, errs.Invalid, "campaign_id")
		_, err = db.CreateMaterial(w.ctx, w.a, material.Input{ProductID: pa.ID, CopyEN: "Tea", Images: []string{"ftp://x/y.jpg"}})
		wantCode(t, err, errs.Invalid, "images[0]")
		_, err = db.CreateMaterial(w.ctx, w.a, material.Input{ProductID: pa.ID, CopyEN: "Tea", Published: true})
		wantCode(t, err, errs.Conflict, "images")
		_, err = db.CreateMaterial(w.ctx, w.cust, material.Input{ProductID: pa.ID, CopyEN: "Tea"})
		wantCode(t, err, errs.Forbidden, "")
		if n := count(); n != 0 {
			t.Fatalf("refused input saved %d materials", n)
		}

		mine, err := db.CreateMaterial(w.ctx, w.a, material.Input{ProductID: pa.ID, CopyZH: "好茶", CampaignID: 42})
		if err != nil {
			t.Fatal(err)
		}
		if mine.SupplierID != w.supA.ID || mine.CampaignID != 42 || mine.Published {
			t.Fatalf("created %+v", mine)
		}
		if _, err := db.AddMaterialImage(w.ctx, w.a, mine.ID, "/media/p/tea.jpg"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateMaterial(w.ctx, w.a, mine.ID, material.Input{CopyZH: "好茶", CopyEN: "Good tea", Published: true}); err != nil {
			t.Fatal(err)
		}
		_, err = db.RemoveMaterialImage(w.ctx, w.a, mine.ID, 0)
		wantCode(t, err, errs.Conflict, "images")
		// media gc counts a material's pictures as its product's.
		shown, err := db.ProductImageLists(w.ctx, []int64{pa.ID})
		if err != nil || !slices.Contains(shown[pa.ID], "/media/p/tea.jpg") {
			t.Fatalf("the pictures media gc keeps for the product: %v %v", shown, err)
		}
		_, err = db.UpdateMaterial(w.ctx, w.b, mine.ID, material.Input{CopyEN: "Hijack"})
		wantCode(t, err, errs.NotFound, "")
		_, err = db.UpdateMaterial(w.ctx, w.a, mine.ID, material.Input{ProductID: pb.ID, CopyEN: "x"})
		wantCode(t, err, errs.Invalid, "product_id")

		ops, err := db.CreateMaterial(w.ctx, w.op, material.Input{ProductID: pb.ID, CopyEN: "Cup", Images: []string{"https://img.example.com/cup.jpg"}, Published: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateMaterial(w.ctx, w.op, material.Input{ProductID: pb.ID, CopyEN: "Draft"}); err != nil {
			t.Fatal(err)
		}

		listA, err := db.Materials(w.ctx, w.a, store.MaterialFilter{})
		if err != nil || len(listA) != 1 || listA[0].ID != mine.ID || listA[0].ProductTitle != "Tea" {
			t.Fatalf("supplier A's list %+v %v", listA, err)
		}
		if all, err := db.Materials(w.ctx, w.op, store.MaterialFilter{}); err != nil || len(all) != 3 {
			t.Fatalf("operator's list %d %v", len(all), err)
		}
		pub, err := db.PublishedMaterials(w.ctx, store.MaterialFilter{})
		if err != nil || len(pub) != 2 || pub[0].ID != ops.ID || pub[1].ID != mine.ID {
			t.Fatalf("published %+v %v", pub, err)
		}
		if got := pub[1].Copy("zh-CN"); got != "好茶" {
			t.Fatalf("zh copy %q", got)
		}
		if got := pub[0].Copy("zh"); got != "Cup" {
			t.Fatalf("copy falls back to English: %q", got)
		}
		w.exec(`UPDATE products SET on_sale = FALSE WHERE id = ?`, pb.ID)
		if pub, err = db.PublishedMaterials(w.ctx, store.MaterialFilter{}); err != nil || len(pub) != 1 {
			t.Fatalf("a product off sale still lists its material: %d %v", len(pub), err)
		}
		_, err = db.PublishedMaterial(w.ctx, ops.ID)
		wantCode(t, err, errs.NotFound, "")
	})
}

// TestMaterialVisitsCounted: a visit through a material's link counts for
// that material and no other; a visit without a material, or naming a
// material of another product, counts for none and is otherwise the same
// visit; an order the visit brought is credited to the latest material
// the customer came through, with its paid amount.
func TestMaterialVisitsCounted(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		tea := w.product(w.a, "Tea", [2]int64{1000, 0})
		cup := w.product(w.a, "Cup", [2]int64{500, 0})
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{tea.SKUs[0].ID: 10, cup.SKUs[0].ID: 10})
		mk := func(p int64, copy string) int64 {
			m, err := db.CreateMaterial(w.ctx, w.a, material.Input{ProductID: p, CopyEN: copy, Images: []string{"/media/x/" + copy + ".jpg"}, Published: true})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		m1, m2, mCup := mk(tea.ID, "one"), mk(tea.ID, "two"), mk(cup.ID, "cup")
		link, err := db.ShareLink(w.ctx, w.sellerActor, tea.ID, store.ChannelLink)
		if err != nil {
			t.Fatal(err)
		}
		visit := func(who account.Actor, visitor string, m int64) *store.Visit {
			t.Helper()
			w.clock.Advance(time.Second)
			v, _, err := db.RecordMaterialVisit(w.ctx, who, link.Code, visitor, m)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := visit(w.cust, "c1", m1); v.MaterialID != m1 {
			t.Fatalf("visit via m1 kept %d", v.MaterialID)
		}
		other := w.account(account.Customer)
		visit(other, "o1", m2)
		visit(account.Actor{}, "anon", m2)
		if v := visit(account.Actor{}, "anon2", mCup); v.MaterialID != 0 {
			t.Fatalf("a material of another product was kept: %d", v.MaterialID)
		}
		if v := visit(account.Actor{}, "anon3", 999999); v.MaterialID != 0 {
			t.Fatalf("an unknown material was kept: %d", v.MaterialID)
		}
		if _, _, err := db.RecordVisit(w.ctx, account.Actor{}, link.Code, "plain"); err != nil {
			t.Fatal(err)
		}
		if n := w.int(`SELECT COUNT(*) FROM visits WHERE material_id IS NULL`); n != 3 {
			t.Fatalf("visits without a material: %d, want 3", n)
		}
		links, err := db.ShareLinkVisits(w.ctx, w.sellerActor, w.seller.ID)
		if err != nil || len(links) != 1 || links[0].Visits != 6 {
			t.Fatalf("the link's visits count every visit, material or not: %+v %v", links, err)
		}

		// The customer (bound to the seller by its first visit) buys tea and a cup.
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: tea.SKUs[0].ID, Quantity: 2}, order.Item{SKUID: cup.SKUs[0].ID, Quantity: 1}), "k1")
		if o.SellerID != w.seller.ID {
			t.Fatalf("order seller %d, want %d", o.SellerID, w.seller.ID)
		}
		stats := func() map[int64]material.Stats {
			t.Helper()
			s, err := db.MaterialStats(w.ctx, w.a, []int64{m1, m2, mCup})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		want := map[int64]material.Stats{m1: {Visits: 1, Orders: 1}, m2: {Visits: 2}, mCup: {}}
		if got := stats(); !equalStats(got, want) {
			t.Fatalf("placed: %+v, want %+v", got, want)
		}
		w.payOrder(o)
		want[m1] = material.Stats{Visits: 1, Orders: 1, PaidOrders: 1, PaidAmount: money.Amount(2000)}
		if got := stats(); !equalStats(got, want) {
			t.Fatalf("paid: %+v, want %+v", got, want)
		}

		// A later visit through m2 takes the credit of the next order, not of the first.
		begin, mid := w.clock.Now().Add(-time.Hour), w.clock.Now().Add(time.Millisecond)
		visit(w.cust, "c1", m2)
		o2 := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: tea.SKUs[0].ID, Quantity: 1}), "k2")
		w.payOrder(o2)
		want[m2] = material.Stats{Visits: 3, Orders: 1, PaidOrders: 1, PaidAmount: 1000}
		if got := stats(); !equalStats(got, want) {
			t.Fatalf("second order: %+v, want %+v", got, want)
		}
		// The funnel of a period: only its visits and orders, most visited first.
		end := w.clock.Now().Add(time.Second)
		period, err := db.MaterialFunnel(w.ctx, w.a, mid, end, 10)
		if err != nil || len(period) != 1 || period[0].ID != m2 ||
			period[0].Stats != (material.Stats{Visits: 1, Orders: 1, PaidOrders: 1, PaidAmount: 1000}) {
			t.Fatalf("the period after the first order: %+v %v", period, err)
		}
		all, err := db.MaterialFunnel(w.ctx, w.a, begin, end, 10)
		if err != nil || len(all) != 2 || all[0].ID != m2 || all[1].ID != m1 || all[1].Stats != want[m1] {
			t.Fatalf("the whole period: %+v %v", all, err)
		}
		_, err = db.MaterialFunnel(w.ctx, w.a, end, mid, 10)
		wantCode(t, err, errs.Invalid, "to")
		// Another supplier sees none of them.
		if s, err := db.MaterialStats(w.ctx, w.b, []int64{m1}); err != nil || len(s) != 0 {
			t.Fatalf("supplier B read A's stats: %+v %v", s, err)
		}
	})
}

func equalStats(a, b map[int64]material.Stats) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}
