package catalog_test

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// lim is the default program: 2 tiers, cap 30%, no platform or area rate.
var lim = catalog.Limits{Tiers: 2, Cap: 3000}

func wantErr(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if field == "" && code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	if errs.CodeOf(err) != code || errs.FieldOf(err) != field {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
}

func TestStatusTransitions(t *testing.T) {
	allowed := map[[2]catalog.SupplierStatus]bool{
		{catalog.Applied, catalog.Approved}:   true,
		{catalog.Applied, catalog.Rejected}:   true,
		{catalog.Approved, catalog.Suspended}: true,
		{catalog.Suspended, catalog.Approved}: true,
	}
	all := []catalog.SupplierStatus{catalog.Applied, catalog.Approved, catalog.Rejected, catalog.Suspended}
	for _, from := range all {
		for _, to := range all {
			if got := catalog.CanChangeStatus(from, to); got != allowed[[2]catalog.SupplierStatus{from, to}] {
				t.Errorf("%s → %s: got %v", from, to, got)
			}
		}
	}
	if _, err := catalog.ParseSupplierStatus("status", "deleted"); errs.FieldOf(err) != "status" {
		t.Fatalf("bad status: %v", err)
	}
}

func TestSupplierApplication(t *testing.T) {
	for _, tc := range []struct {
		name  string
		app   catalog.SupplierApplication
		field string
	}{
		{"ok", catalog.SupplierApplication{Name: " Acme ", ContactEmail: "Sales@Acme.example"}, ""},
		{"ok with phone", catalog.SupplierApplication{Name: "Acme", ContactEmail: "a@b.cn", ContactPhone: "+86 138-0013-8000"}, ""},
		{"ok with a national phone", catalog.SupplierApplication{Name: "Acme", ContactEmail: "a@b.cn", ContactPhone: "138 0013 8000"}, ""},
		{"no name", catalog.SupplierApplication{Name: "  ", ContactEmail: "a@b.cn"}, "name"},
		{"long name", catalog.SupplierApplication{Name: strings.Repeat("x", 101), ContactEmail: "a@b.cn"}, "name"},
		{"no email", catalog.SupplierApplication{Name: "Acme"}, "contact_email"},
		{"bad phone", catalog.SupplierApplication{Name: "Acme", ContactEmail: "a@b.cn", ContactPhone: "12"}, "contact_phone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.app.Normalize("CN")
			if tc.field == "" {
				wantErr(t, err, "", "")
				return
			}
			wantErr(t, err, errs.Invalid, tc.field)
		})
	}
	a := catalog.SupplierApplication{Name: " Acme ", ContactEmail: "Sales@Acme.example", ContactPhone: "+86 138 0013 8000"}
	if err := a.Normalize("CN"); err != nil || a.Name != "Acme" || a.ContactEmail != "sales@acme.example" || a.ContactPhone != "+8613800138000" {
		t.Fatalf("normalized = %+v, %v", a, err)
	}
}

// rates and fixed build overrides for the tables below; a negative entry
// leaves the tier unnamed.
func rates(bp ...int64) *catalog.Commission {
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

func fixed(amounts ...int64) *catalog.Commission {
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

func TestCommissionShape(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     *catalog.Commission
		lim   catalog.Limits
		field string
	}{
		{"none", nil, lim, ""},
		{"both tiers", rates(2000, 1000), lim, ""},
		{"tier 2 only", rates(-1, 500), lim, ""},
		{"kinds differ per tier", &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(150), catalog.RateTier(500)}}, lim, ""},
		{"bad kind", &catalog.Commission{Tiers: []*catalog.TierCommission{{Kind: "percent"}}}, lim, "commission.tiers[0].kind"},
		{"no tiers", &catalog.Commission{}, lim, "commission.tiers"},
		{"names no tier", rates(-1, -1), lim, "commission.tiers"},
		{"four tiers", rates(1, 1, 1, 1), catalog.Limits{Tiers: 3, Cap: 3000}, "commission.tiers"},
		{"a tier the program does not pay", fixed(1, 1, 1), lim, "commission.tiers[2]"},
		{"a zero where the program pays no tier: migrated overrides", fixed(100, 0, 0), lim, ""},
		{"negative per unit", &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(-5)}}, lim, "commission.tiers[0].per_unit"},
		{"rate over 100%", rates(10001), catalog.Limits{Tiers: 1, Cap: 20000}, "commission.tiers[0].rate_bp"},
		{"rate with an amount", &catalog.Commission{Tiers: []*catalog.TierCommission{{Kind: "rate", Rate: 5, PerUnit: 5}}}, lim, "commission.tiers[0].per_unit"},
		{"fixed with a rate", &catalog.Commission{Tiers: []*catalog.TierCommission{{Kind: "fixed", Rate: 5, PerUnit: 5}}}, lim, "commission.tiers[0].rate_bp"},
		{"fixed too large", fixed(1<<40 + 1), lim, "commission.tiers[0].per_unit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate("commission", tc.lim)
			if tc.field == "" {
				wantErr(t, err, "", "")
				return
			}
			wantErr(t, err, errs.Invalid, tc.field)
		})
	}
}

// TestCommissionFit: what a line pays under overrides (SKU over product
// over grade and program, tier by tier) must fit the cap; the platform fee
// is not a commission and is not counted.
func TestCommissionFit(t *testing.T) {
	program := catalog.Limits{Tiers: 2, TierRates: []money.Rate{1000, 500}, Cap: 3000}
	withArea := program
	withArea.AreaRate = 500
	graded := program
	graded.GradeTier1 = 1800
	for _, tc := range []struct {
		name      string
		lim       catalog.Limits
		price     money.Amount
		overrides []*catalog.Commission // most specific first
		ok        bool
	}{
		{"rates at the cap", lim, -1, []*catalog.Commission{rates(2000, 1000)}, true},
		{"rates over the cap", lim, -1, []*catalog.Commission{rates(2000, 1001)}, false},
		{"tier 2 unnamed falls back to the program's 5%", program, -1, []*catalog.Commission{rates(2500)}, true},
		{"... which counts against the cap", program, -1, []*catalog.Commission{rates(2501)}, false},
		{"area counts", withArea, -1, []*catalog.Commission{rates(2000)}, true},
		{"area counts over", withArea, -1, []*catalog.Commission{rates(2001)}, false},
		{"unnamed tier 1 is checked at the highest grade rate", graded, -1, []*catalog.Commission{rates(-1, 1200)}, true},
		{"... over", graded, -1, []*catalog.Commission{rates(-1, 1201)}, false},
		{"a named tier 1 ignores grades", graded, -1, []*catalog.Commission{rates(2500)}, true},
		{"SKU tier 1 over the product's tier 2", program, -1, []*catalog.Commission{rates(2000), rates(-1, 1000)}, true},
		{"SKU tier 1 over the product's tier 2, over", program, -1, []*catalog.Commission{rates(2001), rates(-1, 1000)}, false},
		{"fixed tier 1, tier 2 at 5%: 25% of 10.00 is 2.50", program, 1000, []*catalog.Commission{fixed(250)}, true},
		{"... 2.51 is over", program, 1000, []*catalog.Commission{fixed(251)}, false},
		{"fixed at an unknown price: rates only", program, -1, []*catalog.Commission{fixed(1 << 30)}, true},
		{"fixed 2.00 + 1.00 fit 30% of 10.00", lim, 1000, []*catalog.Commission{fixed(200, 100)}, true},
		{"... not of 9.99", lim, 999, []*catalog.Commission{fixed(200, 100)}, false},
		{"with area 5%: 25% of 12.00 is 3.00", catalog.Limits{Tiers: 2, AreaRate: 500, Cap: 3000}, 1200, []*catalog.Commission{fixed(200, 100)}, true},
		{"... of 11.99 is 2.99", catalog.Limits{Tiers: 2, AreaRate: 500, Cap: 3000}, 1199, []*catalog.Commission{fixed(200, 100)}, false},
		{"no override: the program's rates", program, 0, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.lim.Fit("commission", tc.price, tc.overrides...)
			if (err == nil) != tc.ok || (err != nil && (errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "commission")) {
				t.Fatalf("Fit = %v; want ok %v", err, tc.ok)
			}
		})
	}
	c := &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(200), nil, catalog.RateTier(0)}}
	s, err := catalog.MarshalCommission(c)
	if err != nil {
		t.Fatal(err)
	}
	if *s != `{"tiers":[{"kind":"fixed","per_unit":200},null,{"kind":"rate"}]}` {
		t.Fatalf("stored form %s", *s)
	}
	back, err := catalog.UnmarshalCommission(*s)
	if err != nil || len(back.Tiers) != 3 || *back.Tiers[0] != *c.Tiers[0] || back.Tiers[1] != nil || *back.Tiers[2] != *c.Tiers[2] {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if _, err := catalog.UnmarshalCommission(`{"kind":"rate","tiers":[1000]}`); err == nil {
		t.Fatal("the form before migration 00013 read without error")
	}
}

func ceiling(a money.Amount) *money.Amount { return &a }

func goodProduct() *catalog.Product {
	return &catalog.Product{Title: "Tea", Images: []string{"https://img.example/tea.jpg"}, SKUs: []catalog.SKU{
		{Code: "TEA-100", RetailPrice: 1999, Options: map[string]string{"size": "100g"}},
		{Code: "TEA-250", RetailPrice: 3999, PriceCeiling: ceiling(4999)},
	}}
}

func TestNewProduct(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(p *catalog.Product)
		markup bool
		field  string
	}{
		{"ok", func(p *catalog.Product) {}, true, ""},
		{"no title", func(p *catalog.Product) { p.Title = " " }, true, "title"},
		{"long description", func(p *catalog.Product) { p.Description = strings.Repeat("x", 10001) }, true, "description"},
		{"ftp image", func(p *catalog.Product) { p.Images = []string{"ftp://x/y.jpg"} }, true, "images[0]"},
		{"site image", func(p *catalog.Product) { p.Images = []string{"https://a/b.jpg", "/media/b.svg"} }, true, ""},
		{"relative image", func(p *catalog.Product) { p.Images = []string{"https://a/b.jpg", "b.jpg"} }, true, "images[1]"},
		{"other host", func(p *catalog.Product) { p.Images = []string{"//evil.example/b.jpg"} }, true, "images[0]"},
		{"backslash host", func(p *catalog.Product) { p.Images = []string{"/\\evil.example/b.jpg"} }, true, "images[0]"},
		{"javascript", func(p *catalog.Product) { p.Images = []string{"javascript:alert(1)"} }, true, "images[0]"},
		{"eleven images", func(p *catalog.Product) { p.Images = make([]string, 11) }, true, "images"},
		{"no skus", func(p *catalog.Product) { p.SKUs = nil }, true, "skus"},
		{"bad code", func(p *catalog.Product) { p.SKUs[1].Code = "a b" }, true, "skus[1].code"},
		{"repeated code", func(p *catalog.Product) { p.SKUs[1].Code = "TEA-100" }, true, "skus[1].code"},
		{"negative price", func(p *catalog.Product) { p.SKUs[0].RetailPrice = -1 }, true, "skus[0].retail_price"},
		{"ceiling below retail", func(p *catalog.Product) { p.SKUs[1].PriceCeiling = ceiling(3998) }, true, "skus[1].price_ceiling"},
		{"price too large", func(p *catalog.Product) { p.SKUs[0].RetailPrice = catalog.MaxPrice + 1 }, true, "skus[0].retail_price"},
		{"ceiling too large", func(p *catalog.Product) { p.SKUs[1].PriceCeiling = ceiling(catalog.MaxPrice + 1) }, true, "skus[1].price_ceiling"},
		{"ceiling without markup", func(p *catalog.Product) {}, false, "skus[1].price_ceiling"},
		{"empty option", func(p *catalog.Product) { p.SKUs[0].Options["size"] = "" }, true, "skus[0].options.size"},
		{"product rate over cap", func(p *catalog.Product) {
			p.Commission = rates(3001)
		}, true, "commission"},
		{"product fixed over a cheap sku", func(p *catalog.Product) {
			p.Commission = fixed(600) // 30% of 19.99 is 5.99
		}, true, "commission"},
		{"sku override takes the cheap sku", func(p *catalog.Product) {
			p.Commission = fixed(600)
			p.SKUs[0].Commission = rates(1000)
		}, true, ""},
		{"sku fixed over its price", func(p *catalog.Product) {
			p.SKUs[1].Commission = fixed(1200)
		}, true, "skus[1].commission"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := goodProduct()
			tc.change(p)
			err := p.NormalizeNew(lim, tc.markup)
			if tc.field == "" {
				wantErr(t, err, "", "")
				return
			}
			wantErr(t, err, errs.Invalid, tc.field)
		})
	}
}

func TestCategoryAndWarehouse(t *testing.T) {
	for _, tc := range []struct {
		c     catalog.Category
		field string
	}{
		{catalog.Category{Name: "Tea", Slug: "tea"}, ""},
		{catalog.Category{Name: "Home", Slug: "home-garden"}, ""},
		{catalog.Category{Name: "", Slug: "x"}, "name"},
		{catalog.Category{Name: "X", Slug: "Tea"}, "slug"},
		{catalog.Category{Name: "X", Slug: "a--b"}, "slug"},
		{catalog.Category{Name: "X", Slug: "x", ParentID: -1}, "parent_id"},
	} {
		err := tc.c.Normalize()
		if tc.field == "" {
			wantErr(t, err, "", "")
			continue
		}
		wantErr(t, err, errs.Invalid, tc.field)
	}
	for _, tc := range []struct {
		w     catalog.Warehouse
		field string
	}{
		{catalog.Warehouse{Name: "Shenzhen", RegionCode: "CN.44.03.05"}, ""},
		{catalog.Warehouse{Name: "", RegionCode: "CN"}, "name"},
		{catalog.Warehouse{Name: "X", RegionCode: "CN.4"}, "region_code"},
		{catalog.Warehouse{Name: "X", RegionCode: "CN", Priority: 1001}, "priority"},
	} {
		err := tc.w.Normalize()
		if tc.field == "" {
			wantErr(t, err, "", "")
			continue
		}
		wantErr(t, err, errs.Invalid, tc.field)
	}
	areas, err := catalog.NormalizeAreas("areas", []string{"CN.44", "CN.11", "CN.44"})
	if err != nil || len(areas) != 2 || areas[0] != "CN.44" {
		t.Fatalf("areas = %v, %v", areas, err)
	}
	_, err = catalog.NormalizeAreas("areas", []string{"CN.44", "cn"})
	wantErr(t, err, errs.Invalid, "areas[1]")
	wantErr(t, catalog.CheckOnHand(-1, 0), errs.Invalid, "on_hand")
	wantErr(t, catalog.CheckOnHand(4, 5), errs.Conflict, "on_hand")
	wantErr(t, catalog.CheckOnHand(5, 5), "", "")
}

func TestRegionCodes(t *testing.T) {
	for _, tc := range []struct {
		code  string
		ok    bool
		level int
	}{
		{"CN", true, 1}, {"CN.44", true, 2}, {"CN.44.03", true, 3}, {"CN.44.03.05", true, 4},
		{"", false, 0}, {"cn", false, 0}, {"CHN", false, 0}, {"CN.4", false, 0}, {"CN.444", false, 0},
		{"CN.44.03.05.01", false, 0}, {"CN.00", false, 0}, {"CN..44", false, 0}, {"CN.44.", false, 0}, {"CN.4a", false, 0},
	} {
		_, err := catalog.ParseRegionCode("code", tc.code)
		if (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.code, err)
		}
		if tc.ok && catalog.Level(tc.code) != tc.level {
			t.Errorf("Level(%q) = %d", tc.code, catalog.Level(tc.code))
		}
	}
	for _, tc := range []struct {
		area, code string
		want       bool
	}{
		{"CN", "CN", true}, {"CN", "CN.44.03.05", true}, {"CN.44", "CN.44.03", true},
		{"CN.44", "CN.45", false}, {"CN.4", "CN.44", false}, {"CN.44.03", "CN.44", false}, {"", "CN", false},
	} {
		if got := catalog.Covers(tc.area, tc.code); got != tc.want {
			t.Errorf("Covers(%q, %q) = %v", tc.area, tc.code, got)
		}
	}
}

// regionCode draws a well-formed code of 1 to 4 levels.
func regionCode() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		code := rapid.SampledFrom([]string{"CN", "HK", "US"}).Draw(t, "country")
		for range rapid.IntRange(0, 3).Draw(t, "depth") {
			code += "." + rapid.SampledFrom([]string{"01", "03", "05", "11", "44", "45", "99"}).Draw(t, "seg")
		}
		return code
	})
}

func TestRegionProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := regionCode().Draw(t, "a"), regionCode().Draw(t, "b")
		if _, err := catalog.ParseRegionCode("code", a); err != nil {
			t.Fatalf("generated %q is refused: %v", a, err)
		}
		if !catalog.Covers(a, a) {
			t.Fatalf("%q does not cover itself", a)
		}
		// Every ancestor covers a code; the code covers none of its ancestors.
		for p := catalog.ParentCode(a); p != ""; p = catalog.ParentCode(p) {
			if !catalog.Covers(p, a) || catalog.Covers(a, p) {
				t.Fatalf("ancestor %q of %q", p, a)
			}
			if catalog.Level(p) >= catalog.Level(a) {
				t.Fatalf("ancestor %q is not shallower than %q", p, a)
			}
		}
		// Covering both ways means equal; covering implies a deeper or equal level.
		if catalog.Covers(a, b) && catalog.Covers(b, a) && a != b {
			t.Fatalf("%q and %q cover each other", a, b)
		}
		if catalog.Covers(a, b) && catalog.Level(a) > catalog.Level(b) {
			t.Fatalf("%q covers shallower %q", a, b)
		}
		// Covering is transitive: a covers b and b covers c ⇒ a covers c.
		c := b + "." + rapid.SampledFrom([]string{"01", "02"}).Draw(t, "child")
		if catalog.Level(c) <= catalog.MaxRegionLevel && catalog.Covers(a, b) && !catalog.Covers(a, c) {
			t.Fatalf("%q covers %q but not its child %q", a, b, c)
		}
		// A sibling prefix (CN.4 vs CN.44) never counts as covering.
		if catalog.Covers(a, b) != (a == b || len(b) > len(a) && b[:len(a)] == a && b[len(a)] == '.') {
			t.Fatalf("Covers(%q, %q) disagrees with the definition", a, b)
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.StringMatching(`[A-Za-z0-9.]{0,14}`).Draw(t, "s")
		_, err := catalog.ParseRegionCode("code", s)
		if err == nil && (catalog.Level(s) < 1 || catalog.Level(s) > catalog.MaxRegionLevel || len(s) != 2+3*(catalog.Level(s)-1)) {
			t.Fatalf("accepted malformed %q", s)
		}
		if err != nil && errs.FieldOf(err) != "code" {
			t.Fatalf("error names %q", errs.FieldOf(err))
		}
	})
}
