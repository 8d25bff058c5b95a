package simulate

import (
	"testing"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
)

// TestTallyRanks: gainers by gain, losers by loss, ties by id, each at
// most top long; parties whose amount does not change are in neither.
func TestTallyRanks(t *testing.T) {
	tl := NewTally()
	add := func(id int64, actual, proposed money.Amount) {
		tl.Actual(commission.KindTier, id, actual)
		tl.Proposed(commission.Shares{{Party: commission.Party{Kind: commission.KindTier, Tier: 1, ID: id}, Amount: proposed}})
	}
	add(1, 100, 150) // +50
	add(2, 100, 180) // +80
	add(3, 100, 150) // +50
	add(4, 100, 40)  // −60
	add(5, 100, 90)  // −10
	add(6, 100, 100) // =
	tl.Actual(commission.KindSupplier, 9, 1000)
	tl.Proposed(commission.Shares{{Party: commission.Party{Kind: commission.KindSupplier, ID: 9}, Amount: 880}})
	r := tl.Result(Period{}, "CNY", 2, 2)
	ids := func(cs []Change) (out []int64) {
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if g, l := ids(r.Gainers), ids(r.Losers); len(g) != 2 || g[0] != 2 || g[1] != 1 || len(l) != 2 || l[0] != 4 || l[1] != 5 {
		t.Fatalf("gainers %v, losers %v", g, l)
	}
	if r.Changed != 5 || r.Distributors != 6 || r.Actual.Commission != 600 || r.Proposed.Commission != 710 ||
		len(r.Suppliers) != 1 || r.Suppliers[0].Delta() != -120 {
		t.Fatalf("%+v", r)
	}
}

// TestProposalValidate: each refusal names its field; the rules in force pass.
func TestProposalValidate(t *testing.T) {
	st := program.Default()
	if err := FromSettings(st).Validate(st); err != nil {
		t.Fatal(err)
	}
	r := func(bp money.Rate) *money.Rate { return &bp }
	for field, change := range map[string]func(p *Proposal){
		"tiers":                   func(p *Proposal) { p.Tiers = 0 },
		"tier_rates_bp":           func(p *Proposal) { p.TierRates = []money.Rate{2600, 500} },
		"grades[4].tier1_rate_bp": func(p *Proposal) { p.Grades = map[int64]*money.Rate{4: r(2600)} },
		"products[2].tiers[0].rate_bp": func(p *Proposal) {
			p.Products = map[int64]*catalog.Commission{2: {Tiers: []*catalog.TierCommission{catalog.RateTier(10001)}}}
		},
		"skus[5]": func(p *Proposal) {
			p.SKUs = map[int64]*catalog.Commission{5: {Tiers: []*catalog.TierCommission{catalog.RateTier(2600)}}}
		},
	} {
		p := FromSettings(st)
		change(p)
		if err := p.Validate(st); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != field {
			t.Errorf("%s: got %v", field, err)
		}
	}
	now := time.Now()
	for field, per := range map[string]Period{"from": {To: now}, "to": {From: now, To: now}} {
		if err := per.Validate(); errs.FieldOf(err) != field {
			t.Errorf("period %s: got %v", field, err)
		}
	}
}
