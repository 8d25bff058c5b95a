package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestSearchProducts: the catalog at retail and a shop narrowed by words
// of the title (any case, % and _ taken literally) and by a category with
// its subcategories.
func TestSearchProducts(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		tea, err := db.CreateCategory(w.ctx, w.op, catalog.Category{Name: "Tea", Slug: "tea"})
		if err != nil {
			t.Fatal(err)
		}
		green, err := db.CreateCategory(w.ctx, w.op, catalog.Category{Name: "Green", Slug: "green", ParentID: tea.ID})
		if err != nil {
			t.Fatal(err)
		}
		titles := map[string]int64{}
		for i, c := range []struct {
			title    string
			category int64
		}{{"Longjing Green Tea", green.ID}, {"Black tea 100%", tea.ID}, {"Tea_set", 0}, {"龙井茶", green.ID}, {"Wok", 0}} {
			p, err := db.CreateProduct(w.ctx, w.a, &catalog.Product{Title: c.title, CategoryID: c.category, OnSale: true,
				SKUs: []catalog.SKU{{Code: fmt.Sprintf("K%d", i), RetailPrice: 100, OnSale: true}}})
			if err != nil {
				t.Fatal(err)
			}
			titles[c.title] = p.ID
			w.shopPrice(w.seller, p.ID, p.SKUs[0].ID, 100)
		}
		w.exec(`UPDATE shop_items SET position = product_id`) // the fixture adds items without a position
		catalogTitles := func(f store.ProductFilter) []string {
			t.Helper()
			f.Limit = 50
			ps, err := db.Products(w.ctx, account.Actor{}, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range ps {
				out = append(out, p.Title)
			}
			return out
		}
		retailTitles := func(f store.ProductFilter) []string {
			t.Helper()
			f.Limit = 50
			items, err := db.RetailItems(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				if it.Position != it.ProductID || len(it.SKUs) != 1 || it.SKUs[0].Price != 100 {
					t.Errorf("retail item %+v", it)
				}
				out = append(out, it.Title)
			}
			return out
		}
		shopTitles := func(f store.ShopItemFilter) []string {
			t.Helper()
			f.Limit = 50
			items, err := db.SearchShopItems(w.ctx, w.seller.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range items {
				out = append(out, it.Title)
			}
			return out
		}
		for _, tc := range []struct {
			query    string
			category int64
			want     []string
		}{
			{"TEA", 0, []string{"Longjing Green Tea", "Black tea 100%", "Tea_set"}},
			{"green  longjing", 0, []string{"Longjing Green Tea"}},
			{"100%", 0, []string{"Black tea 100%"}},
			{"%", 0, []string{"Black tea 100%"}},
			{"a_s", 0, []string{"Tea_set"}},
			{"龙井", 0, []string{"龙井茶"}},
			{"", tea.ID, []string{"Longjing Green Tea", "Black tea 100%", "龙井茶"}},
			{"", green.ID, []string{"Longjing Green Tea", "龙井茶"}},
			{"black", green.ID, nil},
		} {
			name := fmt.Sprintf("%q in %d", tc.query, tc.category)
			if got := retailTitles(store.ProductFilter{Query: tc.query, CategoryID: tc.category}); !slices.Equal(got, tc.want) {
				t.Errorf("catalog %s = %q, want %q", name, got, tc.want)
			}
			if tc.category == 0 {
				if got := catalogTitles(store.ProductFilter{Query: tc.query}); !slices.Equal(got, tc.want) {
					t.Errorf("products %s = %q, want %q", name, got, tc.want)
				}
			}
			if got := shopTitles(store.ShopItemFilter{Query: tc.query, CategoryID: tc.category}); !slices.Equal(got, tc.want) {
				t.Errorf("shop %s = %q, want %q", name, got, tc.want)
			}
		}
		// The API's list keeps its exact category.
		if got := catalogTitles(store.ProductFilter{CategoryID: tea.ID}); !slices.Equal(got, []string{"Black tea 100%"}) {
			t.Errorf("exact category = %q", got)
		}
		_, err = db.Products(w.ctx, account.Actor{}, store.ProductFilter{Query: strings.Repeat("x", store.MaxQuery+1)})
		wantCode(t, err, errs.Invalid, "q")
		_, err = db.RetailItems(w.ctx, store.ProductFilter{Query: strings.Repeat("龙", store.MaxQuery+1)})
		wantCode(t, err, errs.Invalid, "q")
		_, err = db.SearchShopItems(w.ctx, w.seller.ID, store.ShopItemFilter{Query: "a b c d e f"})
		wantCode(t, err, errs.Invalid, "q")
		_, err = db.SearchShopItems(w.ctx, w.root.ID, store.ShopItemFilter{})
		wantCode(t, err, errs.NotFound, "") // no shop
	})
}

// TestSKUAvailability: what checkout could reserve, over active warehouses
// that serve an area, less what is reserved.
func TestSKUAvailability(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0}, [2]int64{2000, 0}, [2]int64{3000, 0})
		k0, k1, k2 := p.SKUs[0].ID, p.SKUs[1].ID, p.SKUs[2].ID
		w.warehouse(w.a, "North", 1, []string{"CN"}, map[int64]int64{k0: 4, k1: 0})
		w.warehouse(w.a, "South", 2, []string{"CN.44"}, map[int64]int64{k0: 3})
		closed := w.warehouse(w.a, "Closed", 3, []string{"CN"}, map[int64]int64{k2: 50})
		off := false
		if _, err := db.UpdateWarehouse(w.ctx, w.a, closed, catalog.WarehouseUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		w.checkout(w.cust, cart("CN.11.01.05", order.Item{SKUID: k0, Quantity: 2}), "k")
		got, err := db.SKUAvailability(w.ctx, []int64{k0, k1, k2})
		if err != nil {
			t.Fatal(err)
		}
		if got[k0] != 5 || got[k1] != 0 || got[k2] != 0 {
			t.Fatalf("availability %v; want %d:5 %d:0 %d:0", got, k0, k1, k2)
		}
		if got, err := db.SKUAvailability(w.ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no SKUs: %v %v", got, err)
		}
	})
}

// TestVisitorSeller: an anonymous browser shops with the distributor its
// visits will bind it to on signing in: the first under first touch, the
// last under last touch, none once claimed or for a malformed token.
func TestVisitorSeller(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		link := func(d account.Actor) string {
			l, err := db.ShareLink(w.ctx, d, p.ID, store.ChannelLink)
			if err != nil {
				t.Fatal(err)
			}
			return l.Code
		}
		visit := func(code string) {
			w.clock.Advance(1e9)
			if _, _, err := db.RecordVisit(w.ctx, account.Actor{}, code, "browser-1"); err != nil {
				t.Fatal(err)
			}
		}
		seller := func(visitor string) int64 {
			t.Helper()
			s, err := db.VisitorSeller(w.ctx, visitor)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		if s := seller("browser-1"); s != 0 {
			t.Fatalf("no visits: seller %d", s)
		}
		visit(link(w.sellerActor))
		visit(link(w.midActor))
		if s := seller("browser-1"); s != w.seller.ID {
			t.Fatalf("first touch: seller %d, want %d", s, w.seller.ID)
		}
		w.settings(func(s *program.Settings) { s.Binding.Mode = program.LastTouch })
		if s := seller("browser-1"); s != w.mid.ID {
			t.Fatalf("last touch: seller %d, want %d", s, w.mid.ID)
		}
		if s := seller("not a token!"); s != 0 {
			t.Fatalf("malformed token: seller %d", s)
		}
		res, err := db.ClaimVisits(w.ctx, w.cust, "browser-1")
		if err != nil || res.Claimed != 2 || res.Event == nil || res.Event.DistributorID != w.mid.ID {
			t.Fatalf("claim: %+v %v", res, err)
		}
		if s := seller("browser-1"); s != 0 {
			t.Fatalf("claimed visits: seller %d", s)
		}
	})
}
