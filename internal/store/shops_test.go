package store_test

import (
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// shopFix is a network fixture with an approved supplier, a product on
// sale (SKU 0: 19.99 without ceiling; SKU 1: 39.99 up to 49.99) and one
// active distributor D.
type shopFix struct {
	*netFixture
	sup      account.Actor
	supplier *catalog.Supplier
	prod     *catalog.Product
	d        *network.Distributor
	da       account.Actor
	cust     account.Actor
}

func newShopFix(t *testing.T, db *store.DB) *shopFix {
	t.Helper()
	w := &shopFix{netFixture: newNetFixture(t, db)}
	owner := w.account()
	s, err := db.ApplySupplier(w.ctx, owner, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "t@example.com", AllowMarkup: true})
	if err != nil {
		t.Fatal(err)
	}
	if w.supplier, err = db.SetSupplierStatus(w.ctx, w.op, s.ID, catalog.Approved, ""); err != nil {
		t.Fatal(err)
	}
	w.sup = w.actor(owner.AccountID)
	w.prod = w.product(true)
	w.d, w.da = w.join("")
	w.cust = w.account(account.Customer)
	return w
}

func (w *shopFix) product(onSale bool) *catalog.Product {
	w.t.Helper()
	p := newProduct(0)
	p.OnSale = onSale
	p, err := w.db.CreateProduct(w.ctx, w.sup, p)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *shopFix) openShop(a account.Actor) {
	w.t.Helper()
	if _, _, err := w.db.PutShop(w.ctx, a, store.ShopInput{Name: "My shop"}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *shopFix) items(distributorID int64) []store.ShopItem {
	w.t.Helper()
	items, err := w.db.ShopItems(w.ctx, distributorID, 0, 50)
	if err != nil {
		w.t.Fatal(err)
	}
	return items
}

func (w *shopFix) setOnSale(id int64, on bool) {
	w.t.Helper()
	if _, err := w.db.UpdateProduct(w.ctx, w.sup, id, catalog.ProductUpdate{OnSale: &on}); err != nil {
		w.t.Fatal(err)
	}
}

func TestPutShop(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		for _, tc := range []struct {
			name  string
			who   account.Actor
			in    store.ShopInput
			code  errs.Code
			field string
		}{
			{"anonymous", account.Actor{}, store.ShopInput{Name: "x"}, errs.Unauthorized, ""},
			{"customer", w.cust, store.ShopInput{Name: "x"}, errs.Forbidden, ""},
			{"supplier", w.sup, store.ShopInput{Name: "x"}, errs.Forbidden, ""},
			{"no name", w.da, store.ShopInput{Name: "  "}, errs.Invalid, "name"},
			{"long name", w.da, store.ShopInput{Name: strings.Repeat("茶", 61)}, errs.Invalid, "name"},
			{"bad avatar", w.da, store.ShopInput{Name: "x", AvatarURL: "javascript:alert(1)"}, errs.Invalid, "avatar_url"},
			{"avatar without host", w.da, store.ShopInput{Name: "x", AvatarURL: "https://"}, errs.Invalid, "avatar_url"},
			{"long description", w.da, store.ShopInput{Name: "x", Description: strings.Repeat("a", 501)}, errs.Invalid, "description"},
		} {
			_, _, err := db.PutShop(w.ctx, tc.who, tc.in)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		if _, err := db.Shop(w.ctx, w.d.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a refused shop exists: %v", err)
		}
		_, err := db.UpdateShop(w.ctx, w.da, store.ShopInput{Name: "x"})
		wantErr(t, err, errs.Conflict, "")

		sh, created, err := db.PutShop(w.ctx, w.da, store.ShopInput{Name: " 茶 Shop ", AvatarURL: "https://img.example/a.png", Description: strings.Repeat("a", 500)})
		if err != nil || !created || sh.Name != "茶 Shop" || sh.AvatarURL != "https://img.example/a.png" {
			t.Fatalf("open: %+v %v %v", sh, created, err)
		}
		w.clock.Advance(1e9)
		sh, created, err = db.PutShop(w.ctx, w.da, store.ShopInput{Name: strings.Repeat("茶", 60)})
		if err != nil || created || sh.AvatarURL != "" || !sh.UpdatedAt.After(sh.CreatedAt) {
			t.Fatalf("update: %+v %v %v", sh, created, err)
		}
		_, err = db.OpenShop(w.ctx, w.da, store.ShopInput{Name: "again"})
		wantErr(t, err, errs.Conflict, "")
		if sh, err = db.UpdateShop(w.ctx, w.da, store.ShopInput{Name: "Renamed"}); err != nil || sh.Name != "Renamed" {
			t.Fatalf("UpdateShop: %+v %v", sh, err)
		}
		got, err := db.Shop(w.ctx, w.d.ID)
		if err != nil || got.Name != "Renamed" {
			t.Fatalf("public shop: %+v %v", got, err)
		}
		_, err = db.Shop(w.ctx, w.d.ID+100)
		wantErr(t, err, errs.NotFound, "")
	})
}

func TestShopItemsAndPrices(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopFix(t, db)
		d2, a2 := w.join("")
		hidden := w.product(false)

		_, err := db.AddShopItem(w.ctx, w.da, w.prod.ID)
		wantErr(t, err, errs.Conflict, "") // shop not open
		w.openShop(w.da)
		w.openShop(a2)
		for _, tc := range []struct {
			name  string
			who   account.Actor
			id    int64
			code  errs.Code
			field string
		}{
			{"anonymous", account.Actor{}, w.prod.ID, errs.Unauthorized, ""},
			{"customer", w.cust, w.prod.ID, errs.Forbidden, ""},
			{"off sale", w.da, hidden.ID, errs.Invalid, "product_id"},
			{"no such product", w.da, 999999, errs.Invalid, "product_id"},
		} {
			_, err := db.AddShopItem(w.ctx, tc.who, tc.id)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		if n := len(w.items(w.d.ID)); n != 0 {
			t.Fatalf("refused adds left %d items", n)
		}
		it, err := db.AddShopItem(w.ctx, w.da, w.prod.ID)
		if err != nil || it.ProductID != w.prod.ID || len(it.SKUs) != 2 || it.SKUs[0].Price != 1999 || it.SKUs[1].Price != 3999 {
			t.Fatalf("add: %+v %v", it, err)
		}
		if _, err := db.AddShopItem(w.ctx, w.da, w.prod.ID); err != nil {
			t.Fatal(err)
		}
		if n := len(w.items(w.d.ID)); n != 1 {
			t.Fatalf("adding twice gave %d items", n)
		}

		sku0, sku1 := w.prod.SKUs[0].ID, w.prod.SKUs[1].ID
		for _, tc := range []struct {
			name  string
			who   account.Actor
			sku   int64
			price money.Amount
			code  errs.Code
			field string
		}{
			{"customer", w.cust, sku1, 4500, errs.Forbidden, ""},
			{"below retail", w.da, sku1, 3998, errs.Invalid, "price"},
			{"above ceiling", w.da, sku1, 5000, errs.Invalid, "price"},
			{"no ceiling", w.da, sku0, 2000, errs.Invalid, "price"},
			{"not in the shop", a2, sku1, 4500, errs.NotFound, ""},
			{"no such SKU", w.da, 999999, 4500, errs.NotFound, ""},
		} {
			_, err := db.SetShopPrice(w.ctx, tc.who, tc.sku, tc.price)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		if p := w.items(w.d.ID)[0].SKUs[1].Price; p != 3999 {
			t.Fatalf("refused prices changed the price to %d", p)
		}
		if k, err := db.SetShopPrice(w.ctx, w.da, sku1, 4999); err != nil || k.Price != 4999 {
			t.Fatalf("set price: %+v %v", k, err)
		}
		if k, err := db.SetShopPrice(w.ctx, w.da, sku0, 1999); err != nil || k.Price != 1999 {
			t.Fatalf("retail price: %+v %v", k, err)
		}
		if p := w.items(w.d.ID)[0].SKUs[1].Price; p != 4999 {
			t.Fatalf("shop price %d, want 4999", p)
		}

		// The supplier stops markup: the stored price gives way to retail, and a new one is refused.
		off := false
		if _, err := db.UpdateSupplier(w.ctx, w.sup, w.supplier.ID, catalog.SupplierUpdate{AllowMarkup: &off}); err != nil {
			t.Fatal(err)
		}
		if p := w.items(w.d.ID)[0].SKUs[1].Price; p != 3999 {
			t.Fatalf("price without markup %d, want retail", p)
		}
		_, err = db.SetShopPrice(w.ctx, w.da, sku1, 4500)
		wantErr(t, err, errs.Invalid, "price")
		on := true
		if _, err := db.UpdateSupplier(w.ctx, w.sup, w.supplier.ID, catalog.SupplierUpdate{AllowMarkup: &on}); err != nil {
			t.Fatal(err)
		}
		if p := w.items(w.d.ID)[0].SKUs[1].Price; p != 4999 {
			t.Fatalf("price with markup back %d, want 4999", p)
		}
		// The ceiling drops below the shop's price: retail applies until a new price is set.
		lower := amount(4500)
		if _, err := db.UpdateSKU(w.ctx, w.sup, sku1, catalog.SKUUpdate{PriceCeiling: &lower}); err != nil {
			t.Fatal(err)
		}
		if p := w.items(w.d.ID)[0].SKUs[1].Price; p != 3999 {
			t.Fatalf("price above the new ceiling %d, want retail", p)
		}
		if k, err := db.SetShopPrice(w.ctx, w.da, sku1, 4500); err != nil || k.Price != 4500 {
			t.Fatalf("price at the new ceiling: %+v %v", k, err)
		}

		// Off sale: the product leaves the shop and comes back.
		w.setOnSale(w.prod.ID, false)
		if n := len(w.items(w.d.ID)); n != 0 {
			t.Fatalf("off-sale product still listed")
		}
		w.setOnSale(w.prod.ID, true)
		if n := len(w.items(w.d.ID)); n != 1 {
			t.Fatalf("product back on sale not listed")
		}

		// Paging by position.
		p2, p3 := w.product(true), w.product(true)
		for _, p := range []*catalog.Product{p2, p3} {
			if _, err := db.AddShopItem(w.ctx, w.da, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		page, err := db.ShopItems(w.ctx, w.d.ID, 0, 2)
		if err != nil || len(page) != 3 || page[0].ProductID != w.prod.ID || page[2].ProductID != p3.ID {
			t.Fatalf("page: %d items, %v", len(page), err)
		}
		page, err = db.ShopItems(w.ctx, w.d.ID, page[1].Position, 2)
		if err != nil || len(page) != 1 || page[0].ProductID != p3.ID {
			t.Fatalf("second page: %+v %v", page, err)
		}

		err = db.RemoveShopItem(w.ctx, a2, w.prod.ID)
		wantErr(t, err, errs.NotFound, "")
		if err := db.RemoveShopItem(w.ctx, w.da, w.prod.ID); err != nil {
			t.Fatal(err)
		}
		err = db.RemoveShopItem(w.ctx, w.da, w.prod.ID)
		wantErr(t, err, errs.NotFound, "")
		if n := len(w.items(w.d.ID)); n != 2 {
			t.Fatalf("after removal %d items", n)
		}
		if n := len(w.items(d2.ID)); n != 0 {
			t.Fatalf("D2's shop has %d items", n)
		}
		_, err = db.ShopItems(w.ctx, 999999, 0, 10)
		wantErr(t, err, errs.NotFound, "")
	})
}
