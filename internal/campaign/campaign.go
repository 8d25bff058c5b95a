// Package campaign holds the rules of campaigns (docs/campaigns.md): for a
// period [StartsAt, EndsAt) a boosted tier-1 rule, an optional customer
// price and an optional stock limit on chosen products or SKUs, run by the
// operator (any product) or a supplier (its own). It is pure: the store
// reads and writes campaigns, checkout applies them through
// commission.Resolve, and the compliance guard's save-time check is CheckCap.
package campaign

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Status is where a campaign stands at a moment.
type Status string

const (
	Coming  Status = "coming"  // before StartsAt
	Running Status = "running" // in [StartsAt, EndsAt)
	Ended   Status = "ended"   // at or after EndsAt
)

// Limits of one campaign.
const (
	MaxItems    = 100
	MaxNameLen  = 100
	MaxDuration = 366 * 24 * time.Hour
	maxPerUnit  = 1 << 40 // as catalog's fixed overrides
	maxStock    = 1 << 40
)

// Item chooses what a campaign runs on: a whole product (every SKU it has
// when the campaign is saved) or one SKU, and the customer's unit price
// during the campaign (nil: the usual price). A price must be below the
// retail price of every SKU it covers.
type Item struct {
	ProductID int64         `json:"product_id,omitempty"`
	SKUID     int64         `json:"sku_id,omitempty"`
	Price     *money.Amount `json:"price,omitempty"`
}

// Input is a campaign as its owner writes it.
type Input struct {
	Name       string
	StartsAt   time.Time
	EndsAt     time.Time
	Tier1      catalog.TierCommission // Kind rate (Rate) or fixed (PerUnit)
	StockLimit *int64                 // units sold under the campaign, nil for no limit
	Items      []Item
}

// SKUItem is one SKU a campaign covers, as stored.
type SKUItem struct {
	ProductID    int64         `json:"product_id"`
	SKUID        int64         `json:"sku_id"`
	ProductTitle string        `json:"product_title"`
	SKUCode      string        `json:"sku_code"`
	Retail       money.Amount  `json:"retail_price"`
	Price        *money.Amount `json:"price,omitempty"`
}

// Campaign is a saved campaign.
type Campaign struct {
	ID         int64                  `json:"id"`
	SupplierID int64                  `json:"supplier_id,omitempty"` // 0: the operator's
	Name       string                 `json:"name"`
	StartsAt   time.Time              `json:"starts_at"`
	EndsAt     time.Time              `json:"ends_at"`
	Tier1      catalog.TierCommission `json:"tier1"`
	StockLimit *int64                 `json:"stock_limit,omitempty"`
	Sold       int64                  `json:"sold"`
	Version    int64                  `json:"version"`
	Items      []SKUItem              `json:"items"`
	CreatedAt  time.Time              `json:"created_at"`
}

// StatusAt is the campaign's status at now.
func (c *Campaign) StatusAt(now time.Time) Status {
	switch {
	case now.Before(c.StartsAt):
		return Coming
	case now.Before(c.EndsAt):
		return Running
	}
	return Ended
}

// Rule is the campaign's tier-1 rule as commission.Resolve takes it.
func (c *Campaign) Rule() *commission.TierRule { return TierRule(c.Tier1) }

// TierRule turns a stored tier-1 rule into a commission rule.
func TierRule(t catalog.TierCommission) *commission.TierRule {
	var r commission.TierRule
	if t.Kind == catalog.FixedCommission {
		r = commission.Fixed(t.PerUnit)
	} else {
		r = commission.Rate(t.Rate)
	}
	r.Source = commission.FromCampaign
	return &r
}

// Validate checks everything that needs no database, naming the field of
// the first problem. now is the moment of saving: a new or edited campaign
// must end in the future.
func (in *Input) Validate(now time.Time) error {
	in.Name = strings.TrimSpace(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		return errs.Invalidf("name", "is required")
	case n > MaxNameLen:
		return errs.Invalidf("name", "must be at most %d characters", MaxNameLen)
	}
	switch {
	case in.StartsAt.IsZero():
		return errs.Invalidf("starts_at", "is required")
	case in.EndsAt.IsZero():
		return errs.Invalidf("ends_at", "is required")
	case !in.EndsAt.After(in.StartsAt):
		return errs.Invalidf("ends_at", "must be after starts_at")
	case !in.EndsAt.After(now):
		return errs.Invalidf("ends_at", "must be in the future")
	case in.EndsAt.Sub(in.StartsAt) > MaxDuration:
		return errs.Invalidf("ends_at", "a campaign may run at most 366 days")
	}
	switch in.Tier1.Kind {
	case catalog.RateCommission:
		if in.Tier1.Rate <= 0 || in.Tier1.Rate > money.MaxRate {
			return errs.Invalidf("tier1.rate_bp", "must be from 1 to 10000 basis points")
		}
		if in.Tier1.PerUnit != 0 {
			return errs.Invalidf("tier1.per_unit", "applies only to kind fixed; leave it out")
		}
	case catalog.FixedCommission:
		if in.Tier1.PerUnit <= 0 || in.Tier1.PerUnit > maxPerUnit {
			return errs.Invalidf("tier1.per_unit", "must be a positive amount in minor units")
		}
		if in.Tier1.Rate != 0 {
			return errs.Invalidf("tier1.rate_bp", "applies only to kind rate; leave it out")
		}
	default:
		return errs.Invalidf("tier1.kind", "must be rate or fixed")
	}
	if in.StockLimit != nil && (*in.StockLimit < 1 || *in.StockLimit > maxStock) {
		return errs.Invalidf("stock_limit", "must be a positive number of units, or left out for no limit")
	}
	if len(in.Items) == 0 {
		return errs.Invalidf("items", "choose at least one product or SKU")
	}
	if len(in.Items) > MaxItems {
		return errs.Invalidf("items", "at most %d products or SKUs", MaxItems)
	}
	for i, it := range in.Items {
		f := fmt.Sprintf("items[%d]", i)
		switch {
		case (it.ProductID == 0) == (it.SKUID == 0):
			return errs.Invalidf(f+".product_id", "give exactly one of product_id and sku_id")
		case it.ProductID < 0:
			return errs.Invalidf(f+".product_id", "must be a positive id")
		case it.SKUID < 0:
			return errs.Invalidf(f+".sku_id", "must be a positive id")
		case it.Price != nil && *it.Price <= 0:
			return errs.Invalidf(f+".price", "must be a positive amount in minor units, or left out for the usual price")
		}
	}
	return nil
}

// CheckCap is the compliance guard's save-time check for one SKU: with the
// campaign's tier-1 rule in rules[0], the other tiers as they resolve now
// (SKU, product, program) and the regional agent's area rate, what the
// distributors would earn on a line sold at unit (the campaign price, else
// retail) must fit in cap. Exact for any quantity: rate tiers are compared
// as rates, fixed tiers as their share of unit, without rounding. It does
// not know a coupon: a discount lowers the base below unit, and Split's
// cap then cuts the farthest tier first at checkout.
func CheckCap(rules []commission.TierRule, areaRate, cap money.Rate, unit money.Amount) error {
	field := "tier1.rate_bp"
	if len(rules) > 0 && rules[0].Kind == catalog.FixedCommission {
		field = "tier1.per_unit"
	}
	if unit <= 0 {
		return errs.Invalidf(field, "the unit price must be positive")
	}
	rate, fixed := int64(areaRate), int64(0)
	for _, r := range rules {
		if r.Kind == catalog.FixedCommission {
			fixed += int64(r.PerUnit)
		} else {
			rate += int64(r.Rate)
		}
	}
	// rate/10000 + fixed/unit <= cap/10000  ⇔  rate·unit + fixed·10000 <= cap·unit.
	// unit < 2^40·10^4-ish prices and rates ≤ 4·10^4: far inside int64.
	if rate*int64(unit)+fixed*int64(money.MaxRate) <= int64(cap)*int64(unit) {
		return nil
	}
	earned, _ := money.MulDivFloor(rate, int64(unit), int64(money.MaxRate))
	earned += fixed
	return errs.Invalidf(field, "with the other tiers and the area rate, distributors would earn %d of a unit price of %d, above the commission cap of %v; lower the campaign's tier-1 rule", earned, int64(unit), cap)
}
