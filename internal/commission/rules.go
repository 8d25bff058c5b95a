package commission

import (
	"sharemall/internal/catalog"
	"sharemall/internal/money"
)

// ResolveTierRules picks the rule for each of the program's tiers, most
// specific first: the SKU's override, else the product's, else the program's
// rates with tier 1 replaced by the seller's grade rate when it sets one.
//
// An override replaces the whole schedule, not single tiers: the tiers it
// does not list pay nothing. That is how overrides are validated (their own
// tiers plus the platform and area rates within the cap), and it keeps one
// kind (rate or fixed) per line. Entries beyond the program's tier count are
// ignored (the program may have dropped a tier after the override was saved),
// and tiers is held to 0..MaxTiers whatever the caller passes.
func ResolveTierRules(tiers int, program []money.Rate, gradeTier1 *money.Rate, product, sku *catalog.Commission) []TierRule {
	tiers = min(max(tiers, 0), MaxTiers)
	rules := make([]TierRule, tiers)
	override := sku
	if override == nil {
		override = product
	}
	for k := range rules {
		switch {
		case override != nil:
			var v int64
			if k < len(override.Tiers) {
				v = override.Tiers[k]
			}
			switch override.Kind {
			case catalog.FixedCommission:
				rules[k] = Fixed(money.Amount(v))
			case catalog.RateCommission:
				rules[k] = Rate(money.Rate(v))
			default: // kept as it is, so that Split refuses it rather than guessing
				rules[k] = TierRule{Kind: override.Kind}
			}
		case k == 0 && gradeTier1 != nil:
			rules[k] = Rate(*gradeTier1)
		case k < len(program):
			rules[k] = Rate(program[k])
		default:
			rules[k] = Rate(0)
		}
	}
	return rules
}
