package campaign

import (
	"testing"

	"pgregory.net/rapid"

	"sharemall/internal/commission"
	"sharemall/internal/money"
)

// TestCheckCapNeverCut: whatever rules pass CheckCap at a unit price, a
// line of any quantity sold at that price (no coupon) splits with no tier
// and no agent cut by Split's cap: the save-time check is exact, so what
// the centre shows is what checkout pays.
func TestCheckCapNeverCut(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tiers := rapid.IntRange(1, commission.MaxTiers).Draw(t, "tiers")
		rules := make([]commission.TierRule, tiers)
		for k := range rules {
			if rapid.Bool().Draw(t, "fixed") {
				rules[k] = commission.Fixed(money.Amount(rapid.Int64Range(0, 5000).Draw(t, "per_unit")))
			} else {
				rules[k] = commission.Rate(money.Rate(rapid.Int64Range(0, 3000).Draw(t, "rate")))
			}
		}
		area := money.Rate(rapid.Int64Range(0, 1000).Draw(t, "area"))
		cap := money.Rate(rapid.Int64Range(0, 10000).Draw(t, "cap"))
		unit := money.Amount(rapid.Int64Range(1, 1_000_000).Draw(t, "unit"))
		if CheckCap(rules, area, cap, unit) != nil {
			t.Skip("refused")
		}
		q := rapid.Int64Range(1, 100).Draw(t, "quantity")
		s := commission.Snapshot{Currency: "CNY", SupplierID: 1, SellerID: 10, Upline: []int64{11, 12}[:tiers-1], Rules: rules, Cap: cap,
			Agent: &commission.Agent{DistributorID: 13, Rate: area}}
		base := unit * money.Amount(q)
		shares, err := commission.Split(s, commission.Line{Base: base, Quantity: q})
		if err != nil {
			t.Fatal(err)
		}
		for k, r := range rules {
			want := r.PerUnit * money.Amount(q)
			if r.Kind != "fixed" {
				want, _ = r.Rate.MulFloor(base)
			}
			got := shares.Of(commission.Party{Kind: commission.KindTier, Tier: k + 1, ID: s.Beneficiary(k + 1)})
			if got != want {
				t.Fatalf("tier %d got %d, want %d uncut (base %d, shares %v)", k+1, got, want, base, shares)
			}
		}
		if want, _ := area.MulFloor(base); shares.Of(commission.Party{Kind: commission.KindAgent, ID: 13}) != want {
			t.Fatalf("the agent was cut: %v", shares)
		}
	})
}
