package commission

import (
	"sharemall/internal/catalog"
	"sharemall/internal/money"
)

// Source says where a tier's rule came from, most specific first.
type Source string

const (
	FromSKU     Source = "sku"     // the SKU's override named the tier
	FromProduct Source = "product" // the product's override named it
	FromGrade   Source = "grade"   // the seller's grade sets tier 1
	FromProgram Source = "program" // the program's rate
	// FromCampaign: a running campaign's boosted tier-1 rule (docs/campaigns.md).
	FromCampaign Source = "campaign"
)

// Sources are every rule source of one order line, as checkout (and anything
// that must compute exactly what checkout would, such as a simulator) reads
// them. Resolve turns them into one rule per tier.
type Sources struct {
	Tiers      int                 // the program's tier count
	Program    []money.Rate        // the program's rate per tier
	GradeTier1 *money.Rate         // the seller's grade tier-1 rate, nil for none
	Product    *catalog.Commission // the product's override, nil for none
	SKU        *catalog.Commission // the SKU's override, nil for none
	// Campaign is the tier-1 rule of the campaign running on the line's SKU
	// at the moment of the order (nil for none): Rate or Fixed. It is the
	// most specific source for tier 1 and names no other tier.
	Campaign *TierRule
}

// Resolve is ResolveTierRules with the campaign on top: while a campaign
// runs, its rule is tier 1's (source "campaign"), whatever the SKU, product
// or grade say; tiers 2.. resolve as always. The cap is not applied here:
// Split cuts what exceeds it.
func Resolve(s Sources) []TierRule {
	rules := ResolveTierRules(s.Tiers, s.Program, s.GradeTier1, s.Product, s.SKU)
	if s.Campaign != nil && len(rules) > 0 {
		rules[0] = *s.Campaign
		rules[0].Source = FromCampaign
	}
	return rules
}

// ResolveTierRules picks the rule for each of the program's tiers, one tier
// at a time, most specific first: the SKU's override if it names the tier,
// else the product's, else (tier 1 only) the seller's grade rate, else the
// program's rate. So kinds may differ between the tiers of one line (a
// fixed amount for tier 1 from the SKU, tier 2 at the program's rate), and
// every rule records its source.
//
// Tiers beyond the program's count are ignored (the program may have dropped
// a tier after the override was saved), and tiers is held to 0..MaxTiers
// whatever the caller passes. The cap is not applied here: Split cuts
// whatever mix of sources exceeds it.
func ResolveTierRules(tiers int, program []money.Rate, gradeTier1 *money.Rate, product, sku *catalog.Commission) []TierRule {
	tiers = min(max(tiers, 0), MaxTiers)
	rules := make([]TierRule, tiers)
	for k := range rules {
		switch {
		case sku.Tier(k) != nil:
			rules[k] = fromOverride(sku.Tier(k), FromSKU)
		case product.Tier(k) != nil:
			rules[k] = fromOverride(product.Tier(k), FromProduct)
		case k == 0 && gradeTier1 != nil:
			rules[k] = Rate(*gradeTier1)
			rules[k].Source = FromGrade
		default:
			var r money.Rate
			if k < len(program) {
				r = program[k]
			}
			rules[k] = Rate(r)
			rules[k].Source = FromProgram
		}
	}
	return rules
}

func fromOverride(t *catalog.TierCommission, src Source) TierRule {
	var r TierRule
	switch t.Kind {
	case catalog.FixedCommission:
		r = Fixed(t.PerUnit)
	case catalog.RateCommission:
		r = Rate(t.Rate)
	default: // kept as it is, so that Split refuses it rather than guessing
		r = TierRule{Kind: t.Kind}
	}
	r.Source = src
	return r
}
