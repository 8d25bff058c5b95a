package campaign

import (
	"testing"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

func TestCheckCap(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []commission.TierRule
		area  money.Rate
		unit  money.Amount
		field string // "" fits
	}{
		{"rates at the cap", []commission.TierRule{commission.Rate(2500), commission.Rate(500)}, 0, 1000, ""},
		{"rates over", []commission.TierRule{commission.Rate(2501), commission.Rate(500)}, 0, 1000, "tier1.rate_bp"},
		{"area counts", []commission.TierRule{commission.Rate(2400), commission.Rate(500)}, 200, 1000, "tier1.rate_bp"},
		{"fixed at the cap", []commission.TierRule{commission.Fixed(250), commission.Rate(500)}, 0, 1000, ""},
		{"fixed over by a cent of price", []commission.TierRule{commission.Fixed(250), commission.Rate(500)}, 0, 999, "tier1.per_unit"},
		{"fixed tier 2", []commission.TierRule{commission.Rate(2000), commission.Fixed(101)}, 0, 1000, "tier1.rate_bp"},
		// 1/3 of a cent: an exact comparison, no rounding lets it through.
		{"no rounding", []commission.TierRule{commission.Rate(2999), commission.Fixed(1)}, 0, 9999, "tier1.rate_bp"},
	} {
		err := CheckCap(tc.rules, tc.area, 3000, tc.unit)
		if errs.FieldOf(err) != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("%s: %v, want field %q", tc.name, err, tc.field)
		}
	}
}

func TestResolveCampaign(t *testing.T) {
	grade := money.Rate(1500)
	sku := &catalog.Commission{Tiers: []*catalog.TierCommission{catalog.RateTier(1200), catalog.FixedTier(30)}}
	camp := TierRule(catalog.TierCommission{Kind: catalog.FixedCommission, PerUnit: 99})
	got := commission.Resolve(commission.Sources{Tiers: 2, Program: []money.Rate{1000, 500}, GradeTier1: &grade, SKU: sku, Campaign: camp})
	if got[0] != (commission.TierRule{Kind: catalog.FixedCommission, PerUnit: 99, Source: commission.FromCampaign}) ||
		got[1] != (commission.TierRule{Kind: catalog.FixedCommission, PerUnit: 30, Source: commission.FromSKU}) {
		t.Fatalf("%+v", got)
	}
	// Without a campaign, Resolve is ResolveTierRules.
	got = commission.Resolve(commission.Sources{Tiers: 2, Program: []money.Rate{1000, 500}, GradeTier1: &grade})
	if got[0].Source != commission.FromGrade || got[0].Rate != 1500 || got[1].Source != commission.FromProgram {
		t.Fatalf("%+v", got)
	}
}

func TestStatusAt(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	c := &Campaign{StartsAt: t0, EndsAt: t0.Add(time.Hour)}
	for at, want := range map[time.Time]Status{t0.Add(-1): Coming, t0: Running, t0.Add(time.Hour - 1): Running, t0.Add(time.Hour): Ended} {
		if got := c.StatusAt(at); got != want {
			t.Errorf("at %v: %s, want %s", at, got, want)
		}
	}
}
