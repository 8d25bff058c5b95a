package catalog

import (
	"encoding/json"
	"fmt"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// CommissionKind says how a commission override's tiers are read.
type CommissionKind string

const (
	// RateCommission tiers are basis points of the line's base.
	RateCommission CommissionKind = "rate"
	// FixedCommission tiers are minor units per unit sold.
	FixedCommission CommissionKind = "fixed"
)

// Commission overrides the program's tier rates for a product or a SKU.
// Tiers[0] is tier 1 (the seller), Tiers[1] its sponsor, and so on.
type Commission struct {
	Kind  CommissionKind `json:"kind"`
	Tiers []int64        `json:"tiers"`
}

// Limits are the program rules a commission override must fit in.
type Limits struct {
	Tiers        int        // how many tiers the program pays (1..3)
	PlatformRate money.Rate // taken from every line's base
	AreaRate     money.Rate // paid to the regional agent from every line's base
	Cap          money.Rate // all of the above together may not exceed this share of base
}

// Validate checks the override's shape against the program's limits. Fixed
// amounts are checked against prices by FitsPrice.
func (c *Commission) Validate(field string, lim Limits) error {
	if c == nil {
		return nil
	}
	if c.Kind != RateCommission && c.Kind != FixedCommission {
		return errs.Invalidf(field+".kind", "must be rate or fixed")
	}
	if len(c.Tiers) == 0 || len(c.Tiers) > 3 {
		return errs.Invalidf(field+".tiers", "must list 1 to 3 tiers")
	}
	if len(c.Tiers) > lim.Tiers {
		return errs.Invalidf(field+".tiers", "lists %d tiers but the program pays %d", len(c.Tiers), lim.Tiers)
	}
	var sum int64
	for i, v := range c.Tiers {
		f := fmt.Sprintf("%s.tiers[%d]", field, i)
		if v < 0 {
			return errs.Invalidf(f, "must not be negative")
		}
		if c.Kind == RateCommission && v > int64(money.MaxRate) {
			return errs.Invalidf(f, "must be at most 10000 basis points")
		}
		if c.Kind == FixedCommission && v > 1<<40 {
			return errs.Invalidf(f, "is too large")
		}
		sum += v
	}
	if c.Kind == RateCommission {
		if total := money.Rate(sum) + lim.PlatformRate + lim.AreaRate; total > lim.Cap {
			return errs.Invalidf(field+".tiers", "tiers plus platform and area rates come to %s, over the cap of %s", total, lim.Cap)
		}
	}
	return nil
}

// FitsPrice checks a fixed override against the retail price of a SKU it
// applies to: the fixed amounts plus the platform and area shares may not
// exceed the cap's share of the price. Rate overrides always fit.
func (c *Commission) FitsPrice(field string, lim Limits, retail money.Amount) error {
	if c == nil || c.Kind != FixedCommission {
		return nil
	}
	var sum int64
	for _, v := range c.Tiers {
		sum += v
	}
	room := lim.Cap - lim.PlatformRate - lim.AreaRate
	if room < 0 {
		room = 0
	}
	most, err := room.MulFloor(retail)
	if err != nil {
		return errs.Invalidf(field, "price is too large")
	}
	if money.Amount(sum) > most {
		return errs.Invalidf(field, "fixed commissions of %d minor units exceed %d, the cap's share of the retail price %d", sum, most, retail)
	}
	return nil
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
