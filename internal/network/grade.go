package network

import (
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Grade is a distributor rank. Tier1Rate replaces the program's tier 1 rate
// for distributors of this grade (nil keeps the program rate). The minimums
// are the conditions for an automatic upgrade; they are stored and checked
// now and evaluated once orders exist.
type Grade struct {
	ID               int64
	Name             string
	Rank             int64
	Tier1Rate        *money.Rate
	OwnSalesMin      money.Amount
	TeamSalesMin     money.Amount
	DirectMembersMin int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Rules are the program settings a grade is checked against.
type Rules struct {
	Tiers               int
	TierRates           []money.Rate // tier 1 first
	AreaRate            money.Rate
	CommissionCap       money.Rate // bounds the tiers and the area rate; the platform fee is outside it
	HeadCountConditions bool
}

// MaxGradeName is the longest grade name, in characters.
const MaxGradeName = 40

// Normalize trims g's name and checks g against the program rules.
func (g *Grade) Normalize(r Rules) error {
	g.Name = strings.TrimSpace(g.Name)
	if n := utf8.RuneCountInString(g.Name); n < 1 || n > MaxGradeName || !utf8.ValidString(g.Name) {
		return errs.Invalidf("name", "must be 1 to %d characters", MaxGradeName)
	}
	if g.Rank < 0 {
		return errs.Invalidf("rank", "must not be negative")
	}
	if g.Tier1Rate != nil {
		if !g.Tier1Rate.Valid() {
			return errs.Invalidf("tier1_rate_bp", "must be from 0 to 10000")
		}
		if total := r.TotalWithTier1(*g.Tier1Rate); total > r.CommissionCap {
			return errs.Invalidf("tier1_rate_bp", "with the other tier and area rates makes %s, above the commission cap of %s",
				total, r.CommissionCap)
		}
	}
	if g.OwnSalesMin < 0 {
		return errs.Invalidf("own_sales_min", "must not be negative")
	}
	if g.TeamSalesMin < 0 {
		return errs.Invalidf("team_sales_min", "must not be negative")
	}
	if g.DirectMembersMin < 0 {
		return errs.Invalidf("direct_members_min", "must not be negative")
	}
	if g.DirectMembersMin > 0 && !r.HeadCountConditions {
		return errs.Invalidf("direct_members_min",
			"head-count conditions are off: rewarding recruitment can count as pyramid selling; the operator must turn them on in the program settings first")
	}
	return nil
}

// TotalWithTier1 is the commission a line pays when tier 1 earns tier1: that
// rate, the program's rates for tiers 2..Tiers and the area rate (the
// platform fee is not a commission and does not count against the cap).
func (r Rules) TotalWithTier1(tier1 money.Rate) money.Rate {
	total := tier1 + r.AreaRate
	for i := 1; i < r.Tiers && i < len(r.TierRates); i++ {
		total += r.TierRates[i]
	}
	return total
}

// GradeUpdate changes some fields of a grade; nil leaves a field as it is.
type GradeUpdate struct {
	Name             *string
	Rank             *int64
	Tier1Rate        *money.Rate
	ClearTier1Rate   bool // back to the program rate
	OwnSalesMin      *money.Amount
	TeamSalesMin     *money.Amount
	DirectMembersMin *int64
}

// Apply returns g with u's changes.
func (u GradeUpdate) Apply(g Grade) Grade {
	if u.Name != nil {
		g.Name = *u.Name
	}
	if u.Rank != nil {
		g.Rank = *u.Rank
	}
	if u.ClearTier1Rate {
		g.Tier1Rate = nil
	} else if u.Tier1Rate != nil {
		r := *u.Tier1Rate
		g.Tier1Rate = &r
	}
	if u.OwnSalesMin != nil {
		g.OwnSalesMin = *u.OwnSalesMin
	}
	if u.TeamSalesMin != nil {
		g.TeamSalesMin = *u.TeamSalesMin
	}
	if u.DirectMembersMin != nil {
		g.DirectMembersMin = *u.DirectMembersMin
	}
	return g
}
