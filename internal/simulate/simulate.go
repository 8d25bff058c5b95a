// Package simulate replays past order lines under rules an operator
// proposes and sums what every party would have earned beside what it did
// earn. It holds the proposal, its checks and the tally; the store streams
// the lines and splits each with commission.ResolveTierRules and
// commission.Split, the code checkout books with, so no rule is written
// twice (docs/simulator.md).
package simulate

import (
	"fmt"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
)

// Proposal is the rules an operator proposes. The program's commission
// rules are given whole; grades and overrides only where they change: a
// grade or a product or SKU not named keeps the rule it has today.
type Proposal struct {
	Tiers        int
	TierRates    []money.Rate // tier 1 first, one per tier
	PlatformRate money.Rate
	AreaRate     money.Rate
	Cap          money.Rate
	// Grades maps a grade's id to its proposed tier-1 rate (nil: the grade
	// pays the program's rate).
	Grades map[int64]*money.Rate
	// Products and SKUs map an id to its proposed override (nil: none).
	Products map[int64]*catalog.Commission
	SKUs     map[int64]*catalog.Commission
	// Campaigns maps a product's id to the tier-1 rule of a campaign
	// proposed on it for the whole period: every replayed line of the
	// product pays tier 1 by it (in place of any campaign it was sold in),
	// at the price it was sold at (docs/simulator.md says why).
	Campaigns map[int64]*catalog.TierCommission
}

// FromSettings is the proposal that changes nothing: the program's
// commission rules of st.
func FromSettings(st *program.Settings) *Proposal {
	return &Proposal{Tiers: st.Tiers, TierRates: append([]money.Rate(nil), st.TierRates...), PlatformRate: st.PlatformRate,
		AreaRate: st.AreaRate, Cap: st.CommissionCap}
}

// Apply returns a copy of st with the proposal's program rules: what
// saving the proposal through the settings would store.
func (p *Proposal) Apply(st *program.Settings) *program.Settings {
	out := *st
	out.Tiers, out.TierRates = p.Tiers, append([]money.Rate(nil), p.TierRates...)
	out.PlatformRate, out.AreaRate, out.CommissionCap = p.PlatformRate, p.AreaRate, p.Cap
	out.Notices = nil
	return &out
}

// Validate checks the proposal against the program's other settings st
// with the settings' own rules (the compliance guard's limits), then each
// grade rate and override it changes; every error names its field.
func (p *Proposal) Validate(st *program.Settings) error {
	s := p.Apply(st)
	if err := s.Validate(); err != nil {
		return err
	}
	var gradeMax money.Rate
	for id, r := range p.Grades {
		if r == nil {
			continue
		}
		f := fmt.Sprintf("grades[%d].tier1_rate_bp", id)
		if !r.Valid() {
			return errs.Invalidf(f, "must be from 0 to 10000 basis points")
		}
		if s.RateSum(r) > s.CommissionCap {
			return errs.Invalidf(f, "%v at tier 1 with the other rates goes above the cap of %v", *r, s.CommissionCap)
		}
		gradeMax = max(gradeMax, *r)
	}
	lim := catalog.Limits{Tiers: s.Tiers, TierRates: s.TierRates, GradeTier1: gradeMax, AreaRate: s.AreaRate, Cap: s.CommissionCap}
	for id, c := range p.Products {
		f := fmt.Sprintf("products[%d]", id)
		if err := c.Validate(f, lim); err != nil {
			return err
		}
		if err := lim.Fit(f, -1, c); err != nil {
			return err
		}
	}
	for id, t := range p.Campaigns {
		f := fmt.Sprintf("campaigns[%d].tier1", id)
		switch {
		case t == nil:
		case t.Kind == catalog.RateCommission && (t.Rate <= 0 || !t.Rate.Valid()):
			return errs.Invalidf(f, "must be from 1 to 10000 basis points")
		case t.Kind == catalog.FixedCommission && t.PerUnit <= 0:
			return errs.Invalidf(f, "must be a positive amount per unit")
		case t.Kind != catalog.RateCommission && t.Kind != catalog.FixedCommission:
			return errs.Invalidf(f, "must be basis points or = and an amount per unit")
		}
	}
	for id, c := range p.SKUs {
		f := fmt.Sprintf("skus[%d]", id)
		if err := c.Validate(f, lim); err != nil {
			return err
		}
		if err := lim.Fit(f, -1, c); err != nil {
			return err
		}
	}
	return nil
}

// Period is the half-open span [From, To) of booking times replayed: the
// lines paid in it.
type Period struct {
	From, To time.Time
}

// MaxPeriod is the longest span one simulation replays.
const MaxPeriod = 366 * 24 * time.Hour

// Validate refuses an empty, reversed or too long period.
func (p Period) Validate() error {
	switch {
	case p.From.IsZero():
		return errs.Invalidf("from", "is required")
	case p.To.IsZero():
		return errs.Invalidf("to", "is required")
	case !p.To.After(p.From):
		return errs.Invalidf("to", "must be after from")
	case p.To.Sub(p.From) > MaxPeriod:
		return errs.Invalidf("to", "the period may span at most 366 days")
	}
	return nil
}

// Override is a product's or a SKU's commission override in force.
type Override struct {
	Scope      string // "product" or "sku"
	ID         int64
	Label      string // the product's title (and the SKU's code)
	Commission *catalog.Commission
}

// Grade is a grade and its tier-1 rate in force (nil: the program's).
type Grade struct {
	ID        int64
	Name      string
	Tier1Rate *money.Rate
}

// Current is the rules in force: what the simulator's form starts from.
type Current struct {
	Settings  *program.Settings
	Grades    []Grade
	Overrides []Override
}
