package commission

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

const (
	seller   = 11
	sponsor  = 12
	grand    = 13
	agentID  = 70
	supplier = 5
)

var (
	tier1    = Party{KindTier, 1, seller}
	tier2    = Party{KindTier, 2, sponsor}
	tier3    = Party{KindTier, 3, grand}
	markup   = Party{Kind: KindMarkup, ID: seller}
	area     = Party{Kind: KindAgent, ID: agentID}
	platform = Party{Kind: KindPlatform}
	payable  = Party{Kind: KindSupplier, ID: supplier}
)

// defaults is the program's defaults: 2 tiers at 10% and 5%, cap 30%.
func defaults() Snapshot {
	return Snapshot{Currency: "CNY", SupplierID: supplier, SellerID: seller, Upline: []int64{sponsor},
		Rules: []TierRule{Rate(1000), Rate(500)}, Cap: 3000}
}

// cny parses "19.99" into minor units.
func cny(t *testing.T, s string) money.Amount {
	t.Helper()
	c, _ := money.LookupCurrency("CNY")
	a, err := c.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestWorkedExample(t *testing.T) {
	s := defaults()
	s.PlatformRate = 200
	line := Line{Base: 3 * cny(t, "19.99"), Quantity: 3}
	got, err := Split(s, line)
	if err != nil {
		t.Fatal(err)
	}
	want := Shares{{tier1, cny(t, "5.99")}, {tier2, cny(t, "2.99")}, {markup, 0},
		{platform, cny(t, "1.19")}, {payable, cny(t, "49.80")}}
	if line.Base != cny(t, "59.97") || !slices.Equal(got, want) {
		t.Fatalf("Split(%v) = %v; want %v", line, got, want)
	}

	after := Line{Base: 2 * cny(t, "19.99"), Quantity: 2} // one unit refunded
	now, _ := Split(s, after)
	wantNow := Shares{{tier1, cny(t, "3.99")}, {tier2, cny(t, "1.99")}, {markup, 0},
		{platform, cny(t, "0.79")}, {payable, cny(t, "33.21")}}
	if after.Base != cny(t, "39.98") || !slices.Equal(now, wantNow) {
		t.Fatalf("after the refund: %v; want %v", now, wantNow)
	}
	d, err := Recompute(s, line, after)
	if err != nil {
		t.Fatal(err)
	}
	wantD := Delta{{tier1, 200}, {tier2, 100}, {markup, 0}, {platform, 40}, {payable, 1659}}
	if !slices.Equal(d, wantD) || d.Total() != cny(t, "19.99") {
		t.Fatalf("Recompute = %v; want %v", d, wantD)
	}
	// Refunding the rest reverses exactly what is left.
	rest, _ := Recompute(s, after, Line{})
	if !slices.Equal(rest, Delta(wantNow)) {
		t.Fatalf("full refund reverses %v; want %v", rest, wantNow)
	}
}

func TestSplitRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Snapshot)
		line Line
		want Shares
	}{
		{"fixed per unit × quantity", func(s *Snapshot) { s.Rules = []TierRule{Fixed(150), Fixed(40)} },
			Line{Base: 6000, Quantity: 4},
			Shares{{tier1, 600}, {tier2, 160}, {markup, 0}, {platform, 0}, {payable, 5240}}},
		{"seller without sponsor: tier 2 stays with the supplier", func(s *Snapshot) { s.Upline = nil },
			Line{Base: 10000, Quantity: 1},
			Shares{{tier1, 1000}, {markup, 0}, {platform, 0}, {payable, 9000}}},
		{"an upline entry of 0 is nobody", func(s *Snapshot) {
			s.Rules = append(s.Rules, Rate(300))
			s.Upline = []int64{0, grand}
		},
			Line{Base: 10000, Quantity: 1},
			Shares{{tier1, 1000}, {tier3, 300}, {markup, 0}, {platform, 0}, {payable, 8700}}},
		{"three tiers", func(s *Snapshot) {
			s.Rules = append(s.Rules, Rate(300))
			s.Upline = append(s.Upline, grand)
		},
			Line{Base: 999, Quantity: 1},
			Shares{{tier1, 99}, {tier2, 49}, {tier3, 29}, {markup, 0}, {platform, 0}, {payable, 822}}},
		{"no seller: platform and supplier only", func(s *Snapshot) { s.SellerID, s.Upline, s.PlatformRate = 0, nil, 250 },
			Line{Base: 1001, Quantity: 1},
			Shares{{platform, 25}, {payable, 976}}},
		{"markup is the seller's and not commissionable", nil,
			Line{Base: 2000, Markup: 333, Quantity: 1},
			Shares{{tier1, 200}, {tier2, 100}, {markup, 333}, {platform, 0}, {payable, 1700}}},
		{"regional agent", func(s *Snapshot) { s.Agent = &Agent{agentID, 300}; s.PlatformRate = 100 },
			Line{Base: 5999, Quantity: 1},
			Shares{{tier1, 599}, {tier2, 299}, {markup, 0}, {area, 179}, {platform, 59}, {payable, 4863}}},
		{"fixed over the cap: tier 2 is cut first", func(s *Snapshot) { s.Rules = []TierRule{Fixed(200), Fixed(200)} },
			Line{Base: 1000, Quantity: 1}, // room 300
			Shares{{tier1, 200}, {tier2, 100}, {markup, 0}, {platform, 0}, {payable, 700}}},
		{"cut: tier 3, then 2, then 1, and the agent keeps its share", func(s *Snapshot) {
			s.Rules = []TierRule{Fixed(250), Fixed(100), Fixed(100)}
			s.Upline = []int64{sponsor, grand}
			s.Agent = &Agent{agentID, 1000}
			s.PlatformRate = 1000
		},
			Line{Base: 1000, Quantity: 1}, // room 30% of 1000 = 300 (the platform fee is outside it): agent 100, tier 1 the other 200
			Shares{{tier1, 200}, {tier2, 0}, {tier3, 0}, {markup, 0}, {area, 100}, {platform, 100}, {payable, 600}}},
		{"the agent is cut last", func(s *Snapshot) {
			s.Rules = []TierRule{Fixed(500), Fixed(500)}
			s.Agent = &Agent{agentID, 2500}
			s.Cap = 2000
		},
			Line{Base: 1000, Quantity: 1},
			Shares{{tier1, 0}, {tier2, 0}, {markup, 0}, {area, 200}, {platform, 0}, {payable, 800}}},
		{"a platform rate above the cap does not squeeze commissions", func(s *Snapshot) { s.PlatformRate = 4000 },
			Line{Base: 1000, Quantity: 1},
			Shares{{tier1, 100}, {tier2, 50}, {markup, 0}, {platform, 400}, {payable, 450}}},
		{"the tiers at exactly the cap beside a platform fee", func(s *Snapshot) { s.Rules = []TierRule{Rate(2000), Rate(1000)}; s.PlatformRate = 200 },
			Line{Base: 1000, Quantity: 1},
			Shares{{tier1, 200}, {tier2, 100}, {markup, 0}, {platform, 20}, {payable, 680}}},
		{"the supplier never goes negative: commissions take at most what the platform fee leaves", func(s *Snapshot) {
			s.Rules = []TierRule{Fixed(900), Fixed(900)}
			s.PlatformRate = 9000
			s.Cap = 10000
		},
			Line{Base: 1000, Quantity: 1},
			Shares{{tier1, 100}, {tier2, 0}, {markup, 0}, {platform, 900}, {payable, 0}}},
		{"a zero line splits to zeros", nil, Line{},
			Shares{{tier1, 0}, {tier2, 0}, {markup, 0}, {platform, 0}, {payable, 0}}},
		{"a huge base does not overflow the rate", func(s *Snapshot) { s.Rules = []TierRule{Rate(10000)}; s.Upline = nil; s.Cap = 10000 },
			Line{Base: math.MaxInt64, Quantity: 1},
			Shares{{tier1, math.MaxInt64}, {markup, 0}, {platform, 0}, {payable, 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := defaults()
			if tc.edit != nil {
				tc.edit(&s)
			}
			got, err := Split(s, tc.line)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("Split = %v\nwant    %v", got, tc.want)
			}
			if got.Total() != tc.line.Paid() {
				t.Fatalf("shares sum to %d, paid %d", got.Total(), tc.line.Paid())
			}
		})
	}
}

func TestSplitRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Snapshot)
		line  Line
		field string
	}{
		{"negative base", nil, Line{Base: -1, Quantity: 1}, "base"},
		{"negative markup", nil, Line{Base: 1, Markup: -1, Quantity: 1}, "markup"},
		{"negative quantity", nil, Line{Base: 1, Quantity: -1}, "quantity"},
		{"paid overflows", nil, Line{Base: math.MaxInt64, Markup: 1, Quantity: 1}, "markup"},
		{"fixed × quantity overflows", func(s *Snapshot) { s.Rules = []TierRule{Fixed(1 << 40)}; s.Upline = nil },
			Line{Base: 1, Quantity: 1 << 30}, "quantity"},
		{"markup without a seller", func(s *Snapshot) { s.SellerID, s.Upline = 0, nil }, Line{Base: 1, Markup: 1, Quantity: 1}, "markup"},
		{"unknown currency", func(s *Snapshot) { s.Currency = "XXX" }, Line{}, "currency"},
		{"no supplier", func(s *Snapshot) { s.SupplierID = 0 }, Line{}, "supplier_id"},
		{"negative seller", func(s *Snapshot) { s.SellerID = -1 }, Line{}, "seller_id"},
		{"four tiers", func(s *Snapshot) { s.Rules = []TierRule{Rate(1), Rate(1), Rate(1), Rate(1)} }, Line{}, "rules"},
		{"upline deeper than the tiers", func(s *Snapshot) { s.Upline = []int64{sponsor, grand} }, Line{}, "upline"},
		{"upline without a seller", func(s *Snapshot) { s.SellerID = 0 }, Line{}, "upline[0]"},
		{"negative upline", func(s *Snapshot) { s.Upline = []int64{-2} }, Line{}, "upline[0]"},
		{"rate above 100%", func(s *Snapshot) { s.Rules[1] = Rate(10001) }, Line{}, "rules[1].rate_bp"},
		{"negative rate", func(s *Snapshot) { s.Rules[0] = Rate(-1) }, Line{}, "rules[0].rate_bp"},
		{"negative fixed", func(s *Snapshot) { s.Rules[0] = Fixed(-1) }, Line{}, "rules[0].per_unit"},
		{"rate with a per-unit amount", func(s *Snapshot) { s.Rules[0].PerUnit = 5 }, Line{}, "rules[0].per_unit"},
		{"fixed with a rate", func(s *Snapshot) { s.Rules[0] = Fixed(5); s.Rules[0].Rate = 5 }, Line{}, "rules[0].rate_bp"},
		{"unknown kind", func(s *Snapshot) { s.Rules[0].Kind = "percent" }, Line{}, "rules[0].kind"},
		{"platform rate", func(s *Snapshot) { s.PlatformRate = 10001 }, Line{}, "platform_rate_bp"},
		{"cap", func(s *Snapshot) { s.Cap = -1 }, Line{}, "cap_bp"},
		{"agent without id", func(s *Snapshot) { s.Agent = &Agent{Rate: 100} }, Line{}, "agent.distributor_id"},
		{"agent rate", func(s *Snapshot) { s.Agent = &Agent{agentID, 20000} }, Line{}, "agent.rate_bp"},
	} {
		s := defaults()
		if tc.edit != nil {
			tc.edit(&s)
		}
		got, err := Split(s, tc.line)
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: Split = %v, %v; want invalid %s", tc.name, got, err, tc.field)
		}
	}
}

func TestRecomputeRefuses(t *testing.T) {
	s := defaults()
	before := Line{Base: 1000, Markup: 100, Quantity: 2}
	for _, tc := range []struct {
		name          string
		before, after Line
		field         string
	}{
		{"base grows", before, Line{Base: 1001, Markup: 100, Quantity: 2}, "after.base"},
		{"markup grows", before, Line{Base: 1000, Markup: 101, Quantity: 2}, "after.markup"},
		{"quantity grows", before, Line{Base: 1000, Markup: 100, Quantity: 3}, "after.quantity"},
		{"negative after", before, Line{Base: -1, Quantity: 1}, "after.base"},
		{"negative before", Line{Base: 1, Quantity: -1}, Line{}, "before.quantity"},
	} {
		got, err := Recompute(s, tc.before, tc.after)
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: Recompute = %v, %v; want invalid %s", tc.name, got, err, tc.field)
		}
	}
	s.Cap = 20000
	if _, err := Recompute(s, before, Line{}); errs.FieldOf(err) != "cap_bp" {
		t.Errorf("bad snapshot: %v; want invalid cap_bp", err)
	}
	s = defaults()
	s.Rules = []TierRule{Fixed(1 << 40)}
	s.Upline = nil
	if _, err := Recompute(s, Line{Base: 1, Quantity: 1 << 30}, Line{}); errs.FieldOf(err) != "before.quantity" {
		t.Errorf("overflow before: %v; want invalid before.quantity", err)
	}
}

// src labels a rule with its source.
func src(r TierRule, from Source) TierRule {
	r.Source = from
	return r
}

func TestResolveTierRules(t *testing.T) {
	program := []money.Rate{1000, 500}
	grade := money.Rate(1500)
	product := &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.RateTier(1200), catalog.RateTier(600)}}
	skuFixed1 := &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(300)}}
	productTier2 := &catalog.Commission{Tiers: []*catalog.TierCommission{nil, catalog.FixedTier(80)}}
	skuZeros := &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(300), catalog.FixedTier(0), catalog.FixedTier(0)}}
	for _, tc := range []struct {
		name         string
		tiers        int
		program      []money.Rate
		grade        *money.Rate
		product, sku *catalog.Commission
		want         []TierRule
	}{
		{"program", 2, program, nil, nil, nil, []TierRule{src(Rate(1000), FromProgram), src(Rate(500), FromProgram)}},
		{"grade replaces tier 1 only", 2, program, &grade, nil, nil, []TierRule{src(Rate(1500), FromGrade), src(Rate(500), FromProgram)}},
		{"product beats grade", 2, program, &grade, product, nil, []TierRule{src(Rate(1200), FromProduct), src(Rate(600), FromProduct)}},
		{"SKU names tier 1; tier 2 falls back to the product", 2, program, &grade, product, skuFixed1,
			[]TierRule{src(Fixed(300), FromSKU), src(Rate(600), FromProduct)}},
		{"fixed tier 1, tier 2 at the program's rate", 2, program, nil, nil, skuFixed1,
			[]TierRule{src(Fixed(300), FromSKU), src(Rate(500), FromProgram)}},
		{"product names tier 2 only; tier 1 from the grade", 2, program, &grade, productTier2, nil,
			[]TierRule{src(Rate(1500), FromGrade), src(Fixed(80), FromProduct)}},
		{"each tier its own source", 3, []money.Rate{1000, 500, 200}, &grade, productTier2, skuFixed1,
			[]TierRule{src(Fixed(300), FromSKU), src(Fixed(80), FromProduct), src(Rate(200), FromProgram)}},
		{"migrated override: explicit zeros keep tiers at 0", 2, program, &grade, product, skuZeros,
			[]TierRule{src(Fixed(300), FromSKU), src(Fixed(0), FromSKU)}},
		{"override longer than the program pays", 1, program[:1], nil, product, nil, []TierRule{src(Rate(1200), FromProduct)}},
		{"program shorter than its tiers", 3, program, nil, nil, nil,
			[]TierRule{src(Rate(1000), FromProgram), src(Rate(500), FromProgram), src(Rate(0), FromProgram)}},
		{"never deeper than three", 5, []money.Rate{1, 2, 3, 4, 5}, nil, nil, nil,
			[]TierRule{src(Rate(1), FromProgram), src(Rate(2), FromProgram), src(Rate(3), FromProgram)}},
		{"no tiers", 0, nil, &grade, nil, nil, []TierRule{}},
		{"bad kind is kept for Split to refuse", 1, program, nil,
			&catalog.Commission{Tiers: []*catalog.TierCommission{{Kind: "x", Rate: 1}}}, nil, []TierRule{{Kind: "x", Source: FromProduct}}},
	} {
		got := ResolveTierRules(tc.tiers, tc.program, tc.grade, tc.product, tc.sku)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, got, tc.want)
		}
	}
	s := defaults()
	s.Rules = ResolveTierRules(1, program, nil, &catalog.Commission{Tiers: []*catalog.TierCommission{{Kind: "x"}}}, nil)
	s.Upline = nil
	if _, err := Split(s, Line{}); errs.FieldOf(err) != "rules[0].kind" {
		t.Errorf("bad kind: %v", err)
	}
}

// TestMixedSourcesSplit: a fixed amount for tier 1 from the SKU and tier 2
// at the program's rate on one line, cut by the cap from the farthest tier.
func TestMixedSourcesSplit(t *testing.T) {
	s := defaults()
	s.PlatformRate = 200
	s.Rules = ResolveTierRules(2, []money.Rate{1000, 500}, nil, nil,
		&catalog.Commission{Tiers: []*catalog.TierCommission{catalog.FixedTier(150)}})
	got, err := Split(s, Line{Base: 4000, Quantity: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := Shares{{tier1, 300}, {tier2, 200}, {markup, 0}, {platform, 80}, {payable, 3420}}
	if !slices.Equal(got, want) {
		t.Fatalf("Split = %v; want %v", got, want)
	}
	// A discount shrinks the base under the fixed amount: the cap (30% of
	// 1000 = 300) cuts tier 2 first, then tier 1; the platform fee stays whole.
	got, _ = Split(s, Line{Base: 1000, Quantity: 2})
	want = Shares{{tier1, 300}, {tier2, 0}, {markup, 0}, {platform, 20}, {payable, 680}}
	if !slices.Equal(got, want) {
		t.Fatalf("discounted: %v; want %v", got, want)
	}
}

// TestOldSnapshot: a snapshot stored before per-tier sources and before the
// cap stopped counting the platform fee reads with no sources and splits as
// it did when it was booked (room = cap − platform).
func TestOldSnapshot(t *testing.T) {
	old := `{"currency":"CNY","supplier_id":5,"seller_id":11,"upline":[12],"rules":[{"kind":"fixed","per_unit":200},{"kind":"fixed","per_unit":200}],"platform_rate_bp":1000,"cap_bp":3000}`
	var s Snapshot
	if err := json.Unmarshal([]byte(old), &s); err != nil {
		t.Fatal(err)
	}
	if !s.PlatformInCap || s.Rules[0].Source != "" {
		t.Fatalf("old snapshot read as %+v", s)
	}
	got, err := Split(s, Line{Base: 1000, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	// (30% − 10%) of 1000 = 200 for the tiers, as booked then.
	want := Shares{{tier1, 200}, {tier2, 0}, {markup, 0}, {platform, 100}, {payable, 700}}
	if !slices.Equal(got, want) {
		t.Fatalf("old snapshot splits %v; want %v", got, want)
	}
	// Written back, it keeps its meaning; a new snapshot says so explicitly.
	b, _ := json.Marshal(s)
	var again Snapshot
	if err := json.Unmarshal(b, &again); err != nil || !again.PlatformInCap {
		t.Fatalf("rewritten old snapshot: %s, %v", b, err)
	}
	s.PlatformInCap = false
	got, _ = Split(s, Line{Base: 1000, Quantity: 1})
	want = Shares{{tier1, 200}, {tier2, 100}, {markup, 0}, {platform, 100}, {payable, 600}}
	if !slices.Equal(got, want) {
		t.Fatalf("new rule splits %v; want %v", got, want)
	}
}

func TestPartyKeys(t *testing.T) {
	for p, want := range map[Party]string{
		tier1: "tier1:11", tier3: "tier3:13", markup: "markup:11", area: "agent:70",
		platform: "platform", payable: "supplier:5",
	} {
		if p.String() != want {
			t.Errorf("%#v = %q; want %q", p, p.String(), want)
		}
	}
	s := defaults()
	s.Upline = nil
	if s.Beneficiary(1) != seller || s.Beneficiary(2) != 0 || s.Beneficiary(0) != 0 || s.Beneficiary(4) != 0 {
		t.Error("Beneficiary")
	}
}
