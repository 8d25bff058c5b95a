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
)

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
