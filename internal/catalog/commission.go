package catalog

import (
	"encoding/json"
	"fmt"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// CommissionKind says how one tier of a commission override is paid.
type CommissionKind string

const (
	// RateCommission pays basis points of the line's base.
	RateCommission CommissionKind = "rate"
	// FixedCommission pays minor units per unit sold.
	FixedCommission CommissionKind = "fixed"
)

// MaxCommissionTiers is the deepest tier an override can name: the
// compliance guard's limit.
const MaxCommissionTiers = 3

// maxPerUnit bounds a fixed amount so that amount × quantity and sums of
// tiers stay far from overflow.
const maxPerUnit = 1 << 40

// TierCommission is how an override pays one tier: a rate of the base, or
// a fixed amount per unit sold.
type TierCommission struct {
	Kind    CommissionKind `json:"kind"`
	Rate    money.Rate     `json:"rate_bp,omitempty"`  // kind rate
	PerUnit money.Amount   `json:"per_unit,omitempty"` // kind fixed, minor units
}

// RateTier is a tier paid rate basis points of the base.
func RateTier(rate money.Rate) *TierCommission {
	return &TierCommission{Kind: RateCommission, Rate: rate}
}

// FixedTier is a tier paid perUnit minor units per unit sold.
func FixedTier(perUnit money.Amount) *TierCommission {
	return &TierCommission{Kind: FixedCommission, PerUnit: perUnit}
}

// Commission overrides tiers of the program's schedule for a product or a
// SKU. Tiers[0] is tier 1 (the seller), Tiers[1] its sponsor, and so on. An
// override sets only the tiers it names: a nil entry, or a tier past the end
// of the list, comes from the next less specific source (SKU, then product,
// then the seller's grade for tier 1, then the program).
type Commission struct {
	Tiers []*TierCommission `json:"tiers"`
}

// Tier is the rule the override names for tier k+1, or nil when it names none.
func (c *Commission) Tier(k int) *TierCommission {
	if c == nil || k < 0 || k >= len(c.Tiers) {
		return nil
	}
	return c.Tiers[k]
}

// Limits are the program rules a commission override must fit in.
type Limits struct {
	Tiers     int          // how many tiers the program pays (1..3)
	TierRates []money.Rate // the program's rates, tier 1 first: what a tier no override names pays
	// GradeTier1 is the highest tier-1 rate a grade pays (0 when no grade
	// sets one): an override that leaves tier 1 unnamed is checked against
	// the larger of it and the program's rate.
	GradeTier1 money.Rate
	AreaRate   money.Rate // paid to the regional agent from every line's base
	// Cap bounds what distributors earn on a line: every tier and the area
	// rate. The platform fee is not a commission and is not counted.
	Cap money.Rate
}

// Validate checks the override's shape: one to three entries, at least one
// of them named; each named one of a known kind within range; and no tier
// the program does not pay set above zero (a zero there is allowed: it is
// how overrides written before per-tier fallback keep their meaning).
// Whether it fits the cap with what it falls back to is Fit's question.
func (c *Commission) Validate(field string, lim Limits) error {
	if c == nil {
		return nil
	}
	if len(c.Tiers) == 0 || len(c.Tiers) > MaxCommissionTiers {
		return errs.Invalidf(field+".tiers", "must list 1 to %d tiers (null for a tier left to the program)", MaxCommissionTiers)
	}
	named := false
	for i, t := range c.Tiers {
		if t == nil {
			continue
		}
		named = true
		f := fmt.Sprintf("%s.tiers[%d]", field, i)
		switch t.Kind {
		case RateCommission:
			if !t.Rate.Valid() {
				return errs.Invalidf(f+".rate_bp", "must be from 0 to 10000 basis points")
			}
			if t.PerUnit != 0 {
				return errs.Invalidf(f+".per_unit", "applies only to kind fixed")
			}
		case FixedCommission:
			if t.PerUnit < 0 {
				return errs.Invalidf(f+".per_unit", "must not be negative")
			}
			if t.PerUnit > maxPerUnit {
				return errs.Invalidf(f+".per_unit", "is too large")
			}
			if t.Rate != 0 {
				return errs.Invalidf(f+".rate_bp", "applies only to kind rate")
			}
		default:
			return errs.Invalidf(f+".kind", "must be rate or fixed")
		}
		if i >= lim.Tiers && (t.Rate != 0 || t.PerUnit != 0) {
			return errs.Invalidf(f, "the program pays %d tiers; leave tier %d out (null) or at 0", lim.Tiers, i+1)
		}
	}
	if !named {
		return errs.Invalidf(field+".tiers", "names no tier; send null instead of an override to remove it")
	}
	return nil
}

// Fit checks what a line of the SKU would pay under overrides (most
// specific first: the SKU's, then its product's; nil entries are skipped)
// against the cap. Each tier the program pays takes its rule from the first
// override that names it, else the program's rate, and for tier 1 the
// highest of the program's and the grades' rates. The rates of those tiers
// plus the area rate may not exceed the cap; the fixed amounts may not
// exceed what the cap leaves of the retail price (retail < 0: the price is
// not known yet, only rates are checked). A discount can still shrink the
// base under fixed amounts: then the split cuts them to the cap.
func (lim Limits) Fit(field string, retail money.Amount, overrides ...*Commission) error {
	var rates money.Rate
	var fixed money.Amount
	for k := range min(lim.Tiers, MaxCommissionTiers) {
		var rule *TierCommission
		for _, o := range overrides {
			if rule = o.Tier(k); rule != nil {
				break
			}
		}
		switch {
		case rule == nil:
			rates += lim.fallback(k)
		case rule.Kind == FixedCommission:
			fixed += rule.PerUnit
		default:
			rates += rule.Rate
		}
	}
	if total := rates + lim.AreaRate; total > lim.Cap {
		return errs.Invalidf(field, "the tiers' rates (with what the override leaves to the program and grades) plus the area rate come to %s, over the commission cap of %s", total, lim.Cap)
	}
	if retail < 0 || fixed == 0 {
		return nil
	}
	most, err := (lim.Cap - rates - lim.AreaRate).MulFloor(retail)
	if err != nil {
		return errs.Invalidf(field, "price is too large")
	}
	if fixed > most {
		return errs.Invalidf(field, "fixed commissions of %d minor units exceed %d, what the commission cap leaves of the retail price %d after the rates", fixed, most, retail)
	}
	return nil
}

// fallback is the rate tier k+1 pays when no override names it, at worst.
func (lim Limits) fallback(k int) money.Rate {
	var r money.Rate
	if k < len(lim.TierRates) {
		r = lim.TierRates[k]
	}
	if k == 0 {
		r = max(r, lim.GradeTier1)
	}
	return r
}

// MarshalCommission is the stored form: JSON text, or nil for no override.
func MarshalCommission(c *Commission) (*string, error) {
	if c == nil {
		return nil, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// UnmarshalCommission reads the stored form; "" is no override.
func UnmarshalCommission(s string) (*Commission, error) {
	if s == "" {
		return nil, nil
	}
	c := &Commission{}
	if err := json.Unmarshal([]byte(s), c); err != nil {
		return nil, fmt.Errorf("catalog: stored commission %q: %w", s, err)
	}
	return c, nil
}
