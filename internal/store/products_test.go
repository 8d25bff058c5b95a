package store_test

import (
	"fmt"
	"reflect"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func amount(a money.Amount) *money.Amount { return &a }

// newProduct is a valid product of two SKUs, on sale.
func newProduct(supplierID int64) *catalog.Product {
	return &catalog.Product{SupplierID: supplierID, Title: "Oolong", Images: []string{"https://img.example/o.jpg"}, OnSale: true,
		SKUs: []catalog.SKU{
			{Code: "O-100", RetailPrice: 1999, Options: map[string]string{"size": "100g"}, OnSale: true},
			{Code: "O-250", RetailPrice: 3999, PriceCeiling: amount(4999), OnSale: true},
		}}
}

func (f *catFixture) product(who account.Actor, supplierID int64) *catalog.Product {
	f.t.Helper()
	p, err := f.db.CreateProduct(f.ctx, who, newProduct(supplierID))
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *catFixture) countProducts() int {
	f.t.Helper()
	ps, err := f.db.Products(f.ctx, f.op, store.ProductFilter{Limit: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(ps)
}

func TestCreateProduct(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		cat, err := db.CreateCategory(f.ctx, f.op, catalog.Category{Name: "Tea", Slug: "tea"})
		if err != nil {
			t.Fatal(err)
		}
		in := newProduct(0) // a supplier's own by default
		in.CategoryID = cat.ID
		in.Commission = overrideRates(1500, 500)
		p, err := db.CreateProduct(f.ctx, f.a, in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.Product(f.ctx, f.cust, p.ID)
		if err != nil || got.SupplierID != f.supA.ID || got.CategoryID != cat.ID || len(got.SKUs) != 2 ||
			got.SKUs[1].PriceCeiling == nil || *got.SKUs[1].PriceCeiling != 4999 || got.SKUs[0].Options["size"] != "100g" ||
			!reflect.DeepEqual(got.Commission, in.Commission) || !reflect.DeepEqual(got.Images, in.Images) {
			t.Fatalf("stored %+v, %v", got, err)
		}

		before := f.countProducts()
		for _, tc := range []struct {
			name   string
			who    account.Actor
			change func(p *catalog.Product)
			code   errs.Code
			field  string
		}{
			{"anonymous", account.Actor{}, nil, errs.Unauthorized, ""},
			{"customer", f.cust, nil, errs.Forbidden, ""},
			{"for another supplier", f.b, nil, errs.Forbidden, ""},
			{"operator without supplier", f.op, func(p *catalog.Product) { p.SupplierID = 0 }, errs.Invalid, "supplier_id"},
			{"no title", f.a, func(p *catalog.Product) { p.Title = "" }, errs.Invalid, "title"},
			{"bad image", f.a, func(p *catalog.Product) { p.Images = []string{"javascript:alert(1)"} }, errs.Invalid, "images[0]"},
			{"no SKUs", f.a, func(p *catalog.Product) { p.SKUs = nil }, errs.Invalid, "skus"},
			{"ceiling below retail", f.a, func(p *catalog.Product) { p.SKUs[1].PriceCeiling = amount(1) }, errs.Invalid, "skus[1].price_ceiling"},
			{"same code twice", f.a, func(p *catalog.Product) { p.SKUs[1].Code = "O-100" }, errs.Invalid, "skus[1].code"},
			{"unknown category", f.a, func(p *catalog.Product) { p.CategoryID = 9999 }, errs.Invalid, "category_id"},
			{"three tiers in a two-tier program", f.a, func(p *catalog.Product) {
				p.Commission = overrideRates(100, 100, 100)
			}, errs.Invalid, "commission.tiers[2]"},
			{"rates over the cap", f.a, func(p *catalog.Product) {
				p.Commission = overrideRates(2500, 501)
			}, errs.Invalid, "commission"},
			{"fixed over the cheap SKU", f.a, func(p *catalog.Product) {
				p.Commission = overrideFixed(500, 100)
			}, errs.Invalid, "commission"},
			{"missing supplier", f.op, func(p *catalog.Product) { p.SupplierID = 9999 }, errs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := newProduct(f.supA.ID)
				if tc.change != nil {
					tc.change(p)
				}
				_, err := db.CreateProduct(f.ctx, tc.who, p)
				catErr(t, err, tc.code, tc.field)
			})
		}
		if n := f.countProducts(); n != before {
			t.Fatalf("refused creations stored products: %d, want %d", n, before)
		}
		// Overrides change what distributors earn: audited, and only when stored.
		log, err := db.AuditLog(f.ctx, store.AuditFilter{Action: "catalog.commission"})
		if err != nil || len(log) != 1 || log[0].Subject != fmt.Sprintf("product:%d", p.ID) || log[0].ActorAccountID != f.a.AccountID {
			t.Fatalf("commission audit = %+v, %v", log, err)
		}

		// An operator creates for any supplier; markup needs the supplier's consent.
		if _, err := db.CreateProduct(f.ctx, f.op, newProduct(f.supB.ID)); err != nil {
			t.Fatal(err)
		}
		off := false
		if _, err := db.UpdateSupplier(f.ctx, f.b, f.supB.ID, catalog.SupplierUpdate{AllowMarkup: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateProduct(f.ctx, f.b, newProduct(f.supB.ID))
		catErr(t, err, errs.Invalid, "skus[1].price_ceiling")

		// A supplier that is not approved cannot list products.
		c := f.account(account.Customer)
		s, err := db.ApplySupplier(f.ctx, c, catalog.SupplierApplication{Name: "New", ContactEmail: "n@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.CreateProduct(f.ctx, f.actor(c.AccountID), newProduct(s.ID))
		catErr(t, err, errs.Conflict, "")
	})
}

func TestProductVisibility(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		onSale := f.product(f.a, f.supA.ID)
		hidden := newProduct(f.supA.ID)
		hidden.OnSale = false
		hidden, err := db.CreateProduct(f.ctx, f.a, hidden)
		if err != nil {
			t.Fatal(err)
		}
		bs := f.product(f.b, f.supB.ID)
		// One SKU off sale is hidden from the public, shown to its supplier.
		off := false
		if _, err := db.UpdateSKU(f.ctx, f.a, onSale.SKUs[1].ID, catalog.SKUUpdate{OnSale: &off}); err != nil {
			t.Fatal(err)
		}
		if p, err := db.Product(f.ctx, f.cust, onSale.ID); err != nil || len(p.SKUs) != 1 {
			t.Fatalf("public view = %+v, %v", p, err)
		}
		if p, err := db.Product(f.ctx, f.a, onSale.ID); err != nil || len(p.SKUs) != 2 {
			t.Fatalf("owner view = %+v, %v", p, err)
		}
		for _, who := range []account.Actor{f.cust, f.b, {}} {
			if _, err := db.Product(f.ctx, who, hidden.ID); errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("%+v sees a product not on sale: %v", who, err)
			}
		}
		for _, who := range []account.Actor{f.a, f.op} {
			if _, err := db.Product(f.ctx, who, hidden.ID); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(who account.Actor, filter store.ProductFilter) []int64 {
			t.Helper()
			ps, err := db.Products(f.ctx, who, filter)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, p := range ps {
				out = append(out, p.ID)
			}
			return out
		}
		if got := ids(f.cust, store.ProductFilter{}); !reflect.DeepEqual(got, []int64{onSale.ID, bs.ID}) {
			t.Fatalf("public list %v", got)
		}
		if got := ids(f.b, store.ProductFilter{SupplierID: f.supA.ID}); !reflect.DeepEqual(got, []int64{onSale.ID}) {
			t.Fatalf("B's view of A %v", got)
		}
		if got := ids(f.a, store.ProductFilter{SupplierID: f.supA.ID, OnSale: &off}); !reflect.DeepEqual(got, []int64{hidden.ID}) {
			t.Fatalf("A's hidden products %v", got)
		}
		if got := ids(f.op, store.ProductFilter{Limit: 2}); len(got) != 3 {
			t.Fatalf("operator page of 2 (+1) = %v", got)
		}
		if got := ids(f.op, store.ProductFilter{After: hidden.ID}); !reflect.DeepEqual(got, []int64{bs.ID}) {
			t.Fatalf("after %d = %v", hidden.ID, got)
		}
		// A suspended supplier's products vanish from the public and freeze for their owner.
		if _, err := db.SetSupplierStatus(f.ctx, f.op, f.supA.ID, catalog.Suspended, ""); err != nil {
			t.Fatal(err)
		}
		a := f.actor(f.a.AccountID)
		if _, err := db.Product(f.ctx, f.cust, onSale.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("suspended supplier's product is public: %v", err)
		}
		if got := ids(f.cust, store.ProductFilter{}); !reflect.DeepEqual(got, []int64{bs.ID}) {
			t.Fatalf("public list while A is suspended %v", got)
		}
		title := "New title"
		_, err = db.UpdateProduct(f.ctx, a, onSale.ID, catalog.ProductUpdate{Title: &title})
		catErr(t, err, errs.Conflict, "")
		if _, err := db.UpdateProduct(f.ctx, f.op, onSale.ID, catalog.ProductUpdate{Title: &title}); err != nil {
			t.Fatalf("operator update of a suspended supplier's product: %v", err)
		}
	})
}

func TestUpdateProductAndSKUs(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		p := f.product(f.a, f.supA.ID)
		bp := f.product(f.b, f.supB.ID)
		hidden := newProduct(f.supB.ID)
		hidden.OnSale = false
		hidden, err := db.CreateProduct(f.ctx, f.b, hidden)
		if err != nil {
			t.Fatal(err)
		}

		title, images := " Green tea ", []string{"https://img.example/g.jpg"}
		fixed := overrideFixed(400, 100) // fits 19.99 (5.99 max)
		got, err := db.UpdateProduct(f.ctx, f.a, p.ID, catalog.ProductUpdate{Title: &title, Images: &images, Commission: &fixed})
		if err != nil || got.Title != "Green tea" || !reflect.DeepEqual(got.Commission, fixed) {
			t.Fatalf("%+v, %v", got, err)
		}
		// 6.00 for tier 1 and the program's 5% for tier 2 exceed 30% of 19.99.
		bad, tooMuch, cat := "", overrideFixed(600), int64(9999)
		for _, tc := range []struct {
			name  string
			who   account.Actor
			id    int64
			u     catalog.ProductUpdate
			code  errs.Code
			field string
		}{
			{"empty title", f.a, p.ID, catalog.ProductUpdate{Title: &bad}, errs.Invalid, "title"},
			{"fixed over a SKU price", f.a, p.ID, catalog.ProductUpdate{Commission: &tooMuch}, errs.Invalid, "commission"},
			{"unknown category", f.a, p.ID, catalog.ProductUpdate{CategoryID: &cat}, errs.Invalid, "category_id"},
			{"B changes A's public product", f.b, p.ID, catalog.ProductUpdate{Title: &title}, errs.Forbidden, ""},
			{"A changes B's hidden product", f.a, hidden.ID, catalog.ProductUpdate{Title: &title}, errs.NotFound, ""},
			{"customer", f.cust, p.ID, catalog.ProductUpdate{Title: &title}, errs.Forbidden, ""},
			{"missing", f.op, 9999, catalog.ProductUpdate{Title: &title}, errs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.UpdateProduct(f.ctx, tc.who, tc.id, tc.u)
				catErr(t, err, tc.code, tc.field)
			})
		}
		if now, _ := db.Product(f.ctx, f.op, p.ID); now.Title != "Green tea" || now.Commission.Tiers[0].PerUnit != 400 {
			t.Fatalf("refused updates changed the product: %+v", now)
		}
		if log, _ := db.AuditLog(f.ctx, store.AuditFilter{Action: "catalog.commission"}); len(log) != 1 || string(log[0].Old) != "" {
			t.Fatalf("commission audit = %+v", log)
		}

		// SKUs: lowering a price under the product's fixed commission is refused on retail_price.
		low := money.Amount(1500) // 30% is 4.50 < 5.00
		_, err = db.UpdateSKU(f.ctx, f.a, p.SKUs[0].ID, catalog.SKUUpdate{RetailPrice: &low})
		catErr(t, err, errs.Invalid, "retail_price")
		var noCeiling *money.Amount
		k, err := db.UpdateSKU(f.ctx, f.a, p.SKUs[1].ID, catalog.SKUUpdate{PriceCeiling: &noCeiling, Options: &map[string]string{"size": "250g"}})
		if err != nil || k.PriceCeiling != nil || k.Options["size"] != "250g" {
			t.Fatalf("%+v, %v", k, err)
		}
		high := money.Amount(100)
		ceil := &high
		for _, tc := range []struct {
			name  string
			who   account.Actor
			id    int64
			u     catalog.SKUUpdate
			code  errs.Code
			field string
		}{
			{"ceiling below retail", f.a, p.SKUs[0].ID, catalog.SKUUpdate{PriceCeiling: &ceil}, errs.Invalid, "price_ceiling"},
			{"B changes A's SKU", f.b, p.SKUs[0].ID, catalog.SKUUpdate{RetailPrice: &high}, errs.Forbidden, ""},
			{"A changes B's hidden SKU", f.a, hidden.SKUs[0].ID, catalog.SKUUpdate{RetailPrice: &high}, errs.NotFound, ""},
			{"missing", f.op, 9999, catalog.SKUUpdate{RetailPrice: &high}, errs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.UpdateSKU(f.ctx, tc.who, tc.id, tc.u)
				catErr(t, err, tc.code, tc.field)
			})
		}

		s, err := db.AddSKU(f.ctx, f.a, p.ID, &catalog.SKU{Code: "G-500", RetailPrice: 5999, OnSale: true})
		if err != nil || s.ID == 0 || s.ProductID != p.ID {
			t.Fatalf("%+v, %v", s, err)
		}
		for _, tc := range []struct {
			name  string
			who   account.Actor
			id    int64
			s     catalog.SKU
			code  errs.Code
			field string
		}{
			{"taken code", f.a, p.ID, catalog.SKU{Code: "G-500", RetailPrice: 5999}, errs.Conflict, "code"},
			{"cheap under fixed commission", f.a, p.ID, catalog.SKU{Code: "G-1", RetailPrice: 100}, errs.Invalid, "retail_price"},
			{"own override over cap", f.a, p.ID, catalog.SKU{Code: "G-2", RetailPrice: 5999,
				Commission: overrideRates(3001)}, errs.Invalid, "commission"},
			{"B adds to A", f.b, p.ID, catalog.SKU{Code: "G-3", RetailPrice: 5999}, errs.Forbidden, ""},
			{"A adds to B's hidden", f.a, hidden.ID, catalog.SKU{Code: "G-3", RetailPrice: 5999}, errs.NotFound, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.AddSKU(f.ctx, tc.who, tc.id, &tc.s)
				catErr(t, err, tc.code, tc.field)
			})
		}
		if now, _ := db.Product(f.ctx, f.op, p.ID); len(now.SKUs) != 3 || now.SKUs[0].RetailPrice != 1999 {
			t.Fatalf("refused SKU changes changed the product: %+v", now.SKUs)
		}
		if now, _ := db.Product(f.ctx, f.op, bp.ID); len(now.SKUs) != 2 {
			t.Fatalf("B's product changed: %+v", now.SKUs)
		}
	})
}

func TestOverridesUnderTighterRules(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		in := newProduct(f.supA.ID)
		in.Commission = overrideRates(1500, 500)
		in.SKUs[1].Commission = overrideFixed(900) // 25% of 39.99 (tier 2 is the product's 5%) is 9.99
		p, err := db.CreateProduct(f.ctx, f.a, in)
		if err != nil {
			t.Fatal(err)
		}
		wide := catalog.Limits{Tiers: 2, Cap: 3000}
		if err := db.CheckOverridesFitForTest(f.ctx, wide); err != nil {
			t.Fatalf("overrides fit the defaults: %v", err)
		}
		catErr(t, db.CheckOverridesFitForTest(f.ctx, catalog.Limits{Tiers: 1, Cap: 3000}), errs.Conflict, "")
		catErr(t, db.CheckOverridesFitForTest(f.ctx, catalog.Limits{Tiers: 2, Cap: 2000}), errs.Conflict, "")

		// The operator tightens the program: one tier only.
		s, err := db.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.Tiers, s.TierRates = 1, s.TierRates[:1]
		if _, err := db.UpdateSettings(f.ctx, f.op, s, s.Version); err != nil {
			t.Fatal(err)
		}
		// Editing other fields still works; changing the override must fit.
		title, on := "Renamed", true
		if _, err := db.UpdateProduct(f.ctx, f.a, p.ID, catalog.ProductUpdate{Title: &title}); err != nil {
			t.Fatalf("title edit blocked by an old override: %v", err)
		}
		if _, err := db.UpdateSKU(f.ctx, f.a, p.SKUs[0].ID, catalog.SKUUpdate{OnSale: &on}); err != nil {
			t.Fatalf("SKU edit blocked by an old override: %v", err)
		}
		two := overrideRates(1000, 500)
		_, err = db.UpdateProduct(f.ctx, f.a, p.ID, catalog.ProductUpdate{Commission: &two})
		catErr(t, err, errs.Invalid, "commission.tiers[1]")
		one := overrideRates(2000)
		if _, err := db.UpdateProduct(f.ctx, f.a, p.ID, catalog.ProductUpdate{Commission: &one}); err != nil {
			t.Fatal(err)
		}
		low := money.Amount(2000) // 30% is 6.00 < 9.00 of the SKU's own fixed override
		_, err = db.UpdateSKU(f.ctx, f.a, p.SKUs[1].ID, catalog.SKUUpdate{RetailPrice: &low})
		catErr(t, err, errs.Invalid, "commission")
	})
}

// overrideRates and overrideFixed build overrides; a negative entry leaves
// the tier unnamed (it falls back to the next source).
func overrideRates(bp ...int64) *catalog.Commission {
	c := &catalog.Commission{}
	for _, v := range bp {
		if v < 0 {
			c.Tiers = append(c.Tiers, nil)
		} else {
			c.Tiers = append(c.Tiers, catalog.RateTier(money.Rate(v)))
		}
	}
	return c
}

func overrideFixed(amounts ...int64) *catalog.Commission {
	c := &catalog.Commission{}
	for _, v := range amounts {
		if v < 0 {
			c.Tiers = append(c.Tiers, nil)
		} else {
			c.Tiers = append(c.Tiers, catalog.FixedTier(money.Amount(v)))
		}
	}
	return c
}
