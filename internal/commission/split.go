package commission

import (
	"fmt"
	"math"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Split gives every party its share of one line (see the package comment
// for the rules). The shares sum to l.Base + l.Markup exactly, none is
// negative, and the tiers with the agent stay within the cap.
func Split(s Snapshot, l Line) (Shares, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if err := checkLine("", l); err != nil {
		return nil, err
	}
	return split(&s, l, "")
}

// Recompute is a refund of part or all of a line: before is the line as it
// stood, after what remains once the refund is taken off. Both are split
// afresh and each party's reversal is its old share minus its new one, so a
// full refund (after is the zero line) reverses exactly what Split(before)
// gave, and any sequence of refunds adds up to the same as one.
func Recompute(s Snapshot, before, after Line) (Delta, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	if err := checkLine("before.", before); err != nil {
		return nil, err
	}
	if err := checkLine("after.", after); err != nil {
		return nil, err
	}
	switch {
	case after.Base > before.Base:
		return nil, errs.Invalidf("after.base", "must not exceed the base before the refund (%d)", before.Base)
	case after.Markup > before.Markup:
		return nil, errs.Invalidf("after.markup", "must not exceed the markup before the refund (%d)", before.Markup)
	case after.Quantity > before.Quantity:
		return nil, errs.Invalidf("after.quantity", "must not exceed the quantity before the refund (%d)", before.Quantity)
	}
	old, err := split(&s, before, "before.")
	if err != nil {
		return nil, err
	}
	now, err := split(&s, after, "after.")
	if err != nil {
		return nil, err
	}
	// The parties depend on the snapshot alone, so the two lists line up.
	d := make(Delta, len(old))
	for i := range old {
		d[i] = Share{Party: old[i].Party, Amount: old[i].Amount - now[i].Amount}
	}
	return d, nil
}

// split assumes a validated snapshot and line; prefix names the line in errors.
func split(s *Snapshot, l Line, prefix string) (Shares, error) {
	if s.SellerID == 0 && l.Markup != 0 {
		return nil, errs.Invalidf(prefix+"markup", "must be 0 when no distributor sold the line")
	}
	platform, err := s.PlatformRate.Of(l.Base)
	if err != nil {
		return nil, errs.Invalidf("platform_rate_bp", "%v", err)
	}
	// The tiers and the agent share the cap; the platform fee is outside it
	// (inside it for old snapshots) and never cut. Neither may take the
	// supplier below zero.
	capRate := s.Cap
	if s.PlatformInCap {
		capRate = max(s.Cap-s.PlatformRate, 0)
	}
	room, err := capRate.Of(l.Base)
	if err != nil {
		return nil, errs.Invalidf("cap_bp", "%v", err)
	}
	room = min(room, l.Base-platform)

	// Fill the room nearest first (agent, tier 1, 2, 3): whatever does not
	// fit is cut from the farthest tier inward.
	var agent money.Amount
	if s.Agent != nil {
		want, err := s.Agent.Rate.Of(l.Base)
		if err != nil {
			return nil, errs.Invalidf("agent.rate_bp", "%v", err)
		}
		agent = min(want, room)
		room -= agent
	}
	var tiers [MaxTiers]money.Amount
	for k, r := range s.Rules {
		if s.Beneficiary(k+1) == 0 {
			continue // nobody in this tier: its share stays with the supplier
		}
		want, err := r.amount(k, l, prefix)
		if err != nil {
			return nil, err
		}
		tiers[k] = min(want, room)
		room -= tiers[k]
	}

	supplier := l.Base - platform - agent
	shares := make(Shares, 0, len(s.Rules)+4)
	for k := range s.Rules {
		if id := s.Beneficiary(k + 1); id != 0 {
			shares = append(shares, Share{Party{KindTier, k + 1, id}, tiers[k]})
			supplier -= tiers[k]
		}
	}
	if s.SellerID != 0 {
		shares = append(shares, Share{Party{Kind: KindMarkup, ID: s.SellerID}, l.Markup})
	}
	if s.Agent != nil {
		shares = append(shares, Share{Party{Kind: KindAgent, ID: s.Agent.DistributorID}, agent})
	}
	shares = append(shares,
		Share{Party{Kind: KindPlatform}, platform},
		Share{Party{Kind: KindSupplier, ID: s.SupplierID}, supplier})
	return shares, nil
}

// amount is what tier k+1 would be paid before the cap.
func (r TierRule) amount(k int, l Line, prefix string) (money.Amount, error) {
	if r.Kind == catalog.FixedCommission {
		if l.Quantity != 0 && int64(r.PerUnit) > math.MaxInt64/l.Quantity {
			return 0, errs.Invalidf(prefix+"quantity", "%d units at tier %d's fixed %d per unit overflow", l.Quantity, k+1, r.PerUnit)
		}
		return r.PerUnit * money.Amount(l.Quantity), nil
	}
	v, err := r.Rate.Of(l.Base)
	if err != nil {
		return 0, errs.Invalidf(ruleFields[k]+".rate_bp", "%v", err)
	}
	return v, nil
}

func checkLine(prefix string, l Line) error {
	switch {
	case l.Base < 0:
		return errs.Invalidf(prefix+"base", "must not be negative")
	case l.Markup < 0:
		return errs.Invalidf(prefix+"markup", "must not be negative")
	case l.Quantity < 0:
		return errs.Invalidf(prefix+"quantity", "must not be negative")
	case l.Base > math.MaxInt64-l.Markup:
		return errs.Invalidf(prefix+"markup", "base plus markup overflows")
	}
	return nil
}

// ruleFields are the rules' field names, built once: validate runs on every split.
var ruleFields = [MaxTiers]string{"rules[0]", "rules[1]", "rules[2]"}

func (s *Snapshot) validate() error {
	if _, ok := money.LookupCurrency(s.Currency); !ok {
		return errs.Invalidf("currency", "%q is not a supported currency", s.Currency)
	}
	if s.SupplierID <= 0 {
		return errs.Invalidf("supplier_id", "must name the supplier")
	}
	if s.SellerID < 0 {
		return errs.Invalidf("seller_id", "must not be negative")
	}
	if len(s.Rules) > MaxTiers {
		return errs.Invalidf("rules", "lists %d tiers; at most %d are paid", len(s.Rules), MaxTiers)
	}
	if len(s.Upline) > max(len(s.Rules)-1, 0) {
		return errs.Invalidf("upline", "lists %d distributors but only %d tiers above the seller are paid", len(s.Upline), max(len(s.Rules)-1, 0))
	}
	for i, id := range s.Upline {
		if id < 0 || (id != 0 && s.SellerID == 0) {
			return errs.Invalidf(fmt.Sprintf("upline[%d]", i), "must be a distributor above the seller, or 0 for nobody")
		}
	}
	for k, r := range s.Rules {
		f := ruleFields[k]
		switch r.Source {
		case "", FromSKU, FromProduct, FromGrade, FromProgram, FromCampaign:
		default:
			return errs.Invalidf(f+".source", "must be sku, product, grade, program or campaign")
		}
		switch r.Kind {
		case catalog.RateCommission:
			if !r.Rate.Valid() {
				return errs.Invalidf(f+".rate_bp", "must be from 0 to 10000 basis points")
			}
			if r.PerUnit != 0 {
				return errs.Invalidf(f+".per_unit", "applies only to kind fixed")
			}
		case catalog.FixedCommission:
			if r.PerUnit < 0 {
				return errs.Invalidf(f+".per_unit", "must not be negative")
			}
			if r.Rate != 0 {
				return errs.Invalidf(f+".rate_bp", "applies only to kind rate")
			}
		default:
			return errs.Invalidf(f+".kind", "must be rate or fixed")
		}
	}
	if !s.PlatformRate.Valid() {
		return errs.Invalidf("platform_rate_bp", "must be from 0 to 10000 basis points")
	}
	if !s.Cap.Valid() {
		return errs.Invalidf("cap_bp", "must be from 0 to 10000 basis points")
	}
	if a := s.Agent; a != nil {
		if a.DistributorID <= 0 {
			return errs.Invalidf("agent.distributor_id", "must name the agent")
		}
		if !a.Rate.Valid() {
			return errs.Invalidf("agent.rate_bp", "must be from 0 to 10000 basis points")
		}
	}
	return nil
}
