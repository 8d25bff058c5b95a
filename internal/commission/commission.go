// Package commission decides who gets what from one order line. It is pure:
// no database, no clock; the order snapshot and the line amounts go in, the
// shares come out.
//
// The rules (DESIGN.md, "Money"):
//
//   - base is what the customer paid at the supplier's retail price after
//     discounts; markup is what was paid above it and belongs wholly to the
//     seller, outside every commission.
//   - tier k pays floor(base × rate_k), or fixed_k × quantity for a fixed
//     rule. Tier 1 is the seller, tier 2 its sponsor, tier 3 the next one up.
//     A tier with nobody in it pays nobody; its share stays with the supplier.
//   - the regional agent gets floor(base × area_rate); the platform
//     floor(base × platform_rate).
//   - the supplier gets base minus all of the above, so it takes every
//     rounding remainder and the shares sum to base + markup to the cent.
//
// The cap bounds what distributors earn: the tiers and the agent together
// get at most floor(base × cap). The platform fee is the platform's, not a
// commission: it does not count against the cap and is never cut. Whatever
// mix of sources the rules came from (SKU, product, grade, program), when
// they exceed the cap the farthest tier is cut first (tier 3, then 2, then
// 1, then the agent) until the rest fits. And the supplier's share is never
// negative: commissions never take more than the platform fee leaves.
//
// Snapshots taken before the cap stopped counting the platform fee carry
// no platform_in_cap field and read as PlatformInCap true: their tiers and
// agent get at most floor(base × (cap − platform_rate)), as when they were
// booked, so refunds of old orders recompute exactly what was booked.
//
// Rounding is floor everywhere, computed in 128 bits; the only overflow is a
// fixed amount × quantity or base + markup beyond int64, which is an error.
//
// Refunds recompute, never scale: Recompute splits the line before and after
// and returns each party's difference, so a full refund reverses exactly
// what was booked and the result never depends on the order of refunds.
package commission

import (
	"encoding/json"
	"fmt"

	"sharemall/internal/catalog"
	"sharemall/internal/money"
)

// MaxTiers is the compliance guard's limit: no commission deeper than three levels.
const MaxTiers = 3

// TierRule is how one tier is paid: a rate of the base, or a fixed amount per unit.
// Kind uses the catalog's vocabulary so a snapshot reads like the override it came from.
type TierRule struct {
	Kind    catalog.CommissionKind `json:"kind"`
	Rate    money.Rate             `json:"rate_bp,omitempty"`  // Kind rate: basis points of the base
	PerUnit money.Amount           `json:"per_unit,omitempty"` // Kind fixed: minor units per unit sold
	// Source is where the rule came from; "" in snapshots taken before
	// overrides resolved per tier (they did not record it).
	Source Source `json:"source,omitempty"`
}

// Rate returns a rate rule.
func Rate(r money.Rate) TierRule { return TierRule{Kind: catalog.RateCommission, Rate: r} }

// Fixed returns a fixed rule of perUnit minor units per unit sold.
func Fixed(perUnit money.Amount) TierRule {
	return TierRule{Kind: catalog.FixedCommission, PerUnit: perUnit}
}

// Agent is the regional agent holding the most specific area of the
// shipping address, and the area rate it is paid.
type Agent struct {
	DistributorID int64      `json:"distributor_id"`
	Rate          money.Rate `json:"rate_bp"`
}

// Snapshot is what checkout records for one order line, so that later
// changes to the tree or the rules never change an existing order.
type Snapshot struct {
	Currency   string `json:"currency"`
	SupplierID int64  `json:"supplier_id"`
	// SellerID is tier 1 and owns the markup; 0 when no distributor sold the line.
	SellerID int64 `json:"seller_id"`
	// Upline[0] is tier 2 (the seller's sponsor), Upline[1] tier 3. Shorter
	// when the tree ends; an entry of 0 is nobody.
	Upline []int64 `json:"upline,omitempty"`
	// Rules[k-1] is tier k's rule, one for each tier the program pays.
	Rules        []TierRule `json:"rules"`
	PlatformRate money.Rate `json:"platform_rate_bp"`
	Agent        *Agent     `json:"agent,omitempty"`
	Cap          money.Rate `json:"cap_bp"`
	// PlatformInCap is true for snapshots taken when the cap counted the
	// platform fee too (see the package comment); a stored snapshot without
	// the field reads as true. New snapshots leave it false.
	PlatformInCap bool `json:"platform_in_cap"`
	// Campaign is the campaign the line was placed under, nil for none; its
	// tier-1 rule is Rules[0] (source "campaign"). Kept so an order shows
	// which campaign (and which edit of it) paid, after it ends or changes.
	Campaign *CampaignRef `json:"campaign,omitempty"`
}

// CampaignRef names a campaign and the version of it an order was placed under.
type CampaignRef struct {
	ID      int64 `json:"id"`
	Version int64 `json:"version"`
}

// UnmarshalJSON reads a stored snapshot; one written before the field
// platform_in_cap existed reads with PlatformInCap true, so it splits as it
// did when it was booked.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	type plain Snapshot // without this method
	v := plain{PlatformInCap: true}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Snapshot(v)
	return nil
}

// Beneficiary is the distributor tier k (1-based) pays, or 0 for nobody.
func (s *Snapshot) Beneficiary(tier int) int64 {
	switch {
	case tier == 1:
		return s.SellerID
	case tier >= 2 && tier-2 < len(s.Upline):
		return s.Upline[tier-2]
	}
	return 0
}

// Line is what the customer paid for one order line: Base at the supplier's
// retail price after discounts (shipping excluded), Markup above it.
type Line struct {
	Base     money.Amount `json:"base"`
	Markup   money.Amount `json:"markup"`
	Quantity int64        `json:"quantity"`
}

// Paid is what the customer paid for the line.
func (l Line) Paid() money.Amount { return l.Base + l.Markup }

// PartyKind says what role a share is paid for.
type PartyKind string

const (
	KindTier     PartyKind = "tier"     // a tier's commission; ID is the distributor
	KindMarkup   PartyKind = "markup"   // the seller's markup; ID is the seller
	KindAgent    PartyKind = "agent"    // the regional agent's commission; ID is the distributor
	KindPlatform PartyKind = "platform" // the platform fee; ID is 0
	KindSupplier PartyKind = "supplier" // the supplier's payable; ID is the supplier
)

// Party is who a share goes to and why. It is stable for a snapshot, so the
// ledger can key journals on it.
type Party struct {
	Kind PartyKind
	Tier int   // 1..3 for KindTier, else 0
	ID   int64 // see PartyKind
}

// String is the party's stable key: "tier1:42", "markup:42", "agent:7",
// "platform", "supplier:3".
func (p Party) String() string {
	switch p.Kind {
	case KindTier:
		return fmt.Sprintf("tier%d:%d", p.Tier, p.ID)
	case KindPlatform:
		return "platform"
	}
	return fmt.Sprintf("%s:%d", p.Kind, p.ID)
}

// Share is one party's amount of a line.
type Share struct {
	Party  Party
	Amount money.Amount
}

// Shares are every party's share of a line, in a fixed order: tiers 1..N
// that have somebody in them, the seller's markup (when there is a seller),
// the agent (when there is one), the platform, the supplier. Zero shares are
// kept, so the same snapshot always yields the same parties.
type Shares []Share

// Total is the sum of the shares: the amount paid for the line.
func (ss Shares) Total() money.Amount {
	var t money.Amount
	for _, s := range ss {
		t += s.Amount
	}
	return t
}

// Of returns p's share, or 0 when p has none.
func (ss Shares) Of(p Party) money.Amount {
	for _, s := range ss {
		if s.Party == p {
			return s.Amount
		}
	}
	return 0
}

// Commissions is what the tiers and the agent get together: the amount the cap bounds.
func (ss Shares) Commissions() money.Amount {
	var t money.Amount
	for _, s := range ss {
		if s.Party.Kind == KindTier || s.Party.Kind == KindAgent {
			t += s.Amount
		}
	}
	return t
}

// Delta is what a refund reverses: for each party of the snapshot, its share
// before minus its share after, in the order of Shares. An entry may be
// negative (a party whose recomputed share grew, by rounding or because a
// nearer tier no longer fills the cap): the ledger credits it back. The
// entries sum to the paid amount refunded.
type Delta []Share

// Total is the sum of the reversals: the paid amount refunded.
func (d Delta) Total() money.Amount { return Shares(d).Total() }
