// Package program holds the rules one operator runs: tiers and rates,
// binding, timeouts and withdrawals. One deployment serves one program, and
// every rule lives in Settings so that several programs later means several
// Settings, not a hunt through the code.
package program

import (
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// MaxTiers is the compliance guard's hard cap: commission is never paid more
// than three levels up, whatever the operator asks for.
const MaxTiers = 3

// BindingMode decides which distributor a customer belongs to.
type BindingMode string

const (
	FirstTouch     BindingMode = "first_touch"      // the first distributor whose link the customer opened, for good
	FirstTouchLock BindingMode = "first_touch_lock" // the first, locked for LockDays; then the next touch re-binds
	LastTouch      BindingMode = "last_touch"       // the latest distributor whose link the customer opened
)

// Binding is the binding rule.
type Binding struct {
	Mode     BindingMode `json:"mode"`
	LockDays int         `json:"lock_days"`
}

// Withdrawal holds the withdrawal rules.
type Withdrawal struct {
	Minimum    money.Amount `json:"minimum"`     // minor units
	FeeRate    money.Rate   `json:"fee_rate"`    // bp of the amount withdrawn
	DailyLimit int          `json:"daily_limit"` // requests per distributor per day
	// WithholdingRate is the tax withheld from what a distributor withdraws,
	// in bp of the amount, 0 ≤ rate < 10000 (docs/payouts.md, "Withholding").
	WithholdingRate money.Rate `json:"withholding_rate,omitempty"`
}

// Settings are the rules of the program. Stored as JSON, one row per version.
type Settings struct {
	Version int64 `json:"-"` // set by the store; 0 for the defaults never saved
	// Notices are the store's findings about a change just saved (existing
	// overrides that no longer fit), shown with Warnings; never stored.
	Notices []string `json:"-"`

	CurrencyCode  string       `json:"currency"`
	TimeZone      string       `json:"time_zone"` // IANA name; days (daily limits) are counted here
	Tiers         int          `json:"tiers"`
	TierRates     []money.Rate `json:"tier_rates"`
	PlatformRate  money.Rate   `json:"platform_rate"`
	AreaRate      money.Rate   `json:"area_rate"`
	CommissionCap money.Rate   `json:"commission_cap"`
	Binding       Binding      `json:"binding"`

	// DefaultPhoneRegion is where a phone number typed without its country
	// code is read: an ISO 3166-1 alpha-2 code such as "CN".
	DefaultPhoneRegion string `json:"default_phone_region"`

	UnpaidTimeoutMinutes int `json:"unpaid_timeout_minutes"`
	AutoConfirmDays      int `json:"auto_confirm_days"`
	AfterSaleDays        int `json:"after_sale_days"`

	Withdrawal Withdrawal `json:"withdrawal"`

	DistributorReview   bool `json:"distributor_review"`
	HeadCountConditions bool `json:"head_count_conditions"`
	// ProductReview: a new or edited product waits for an operator's
	// approval before it is on sale (off by default).
	ProductReview bool `json:"product_review"`
	// OwnPurchaseCommission (自购返佣, off by default): a distributor buying
	// is the seller of its own order (tier 1), its upline tiers 2.. as
	// usual, under the same cap (docs/campaigns.md, "Own purchase").
	OwnPurchaseCommission bool `json:"own_purchase_commission"`

	// Fraud: the fraud signals' thresholds and holds (fraud.go, docs/fraud.md).
	Fraud Fraud `json:"fraud"`
}

// Default returns the defaults of DESIGN.md.
func Default() *Settings {
	return &Settings{
		CurrencyCode:         "CNY",
		TimeZone:             DefaultTimeZone,
		Tiers:                2,
		TierRates:            []money.Rate{1000, 500},
		CommissionCap:        3000,
		Binding:              Binding{Mode: FirstTouch},
		DefaultPhoneRegion:   account.DefaultPhoneRegion,
		UnpaidTimeoutMinutes: 30,
		AutoConfirmDays:      10,
		AfterSaleDays:        7,
		Withdrawal:           Withdrawal{Minimum: 100, DailyLimit: 3},
		Fraud:                DefaultFraud(),
	}
}

// Currency returns the program's currency.
func (s *Settings) Currency() money.Currency {
	return money.CurrencyOf(s.CurrencyCode)
}

// RateSum is what distributors earn on a line by rate, the total the
// commission cap bounds: every tier and the regional agent. The platform fee
// is not a commission and is not counted. tier1 replaces the program's
// tier-1 rate when a grade sets its own.
func (s *Settings) RateSum(tier1 *money.Rate) money.Rate {
	var sum money.Rate
	for i, r := range s.TierRates {
		if i == 0 && tier1 != nil {
			r = *tier1
		}
		sum += r
	}
	return sum + s.AreaRate
}

// Validate checks every rule and returns the first problem, naming its field.
func (s *Settings) Validate() error {
	if _, ok := money.LookupCurrency(s.CurrencyCode); !ok {
		return errs.Invalidf("currency", "%q is not a supported ISO 4217 currency code", s.CurrencyCode)
	}
	if err := account.CheckPhoneRegion("default_phone_region", s.DefaultPhoneRegion); err != nil {
		return err
	}
	if err := checkTimeZone(s.TimeZone); err != nil {
		return err
	}
	if s.Tiers < 1 {
		return errs.Invalidf("tiers", "must be at least 1")
	}
	if s.Tiers > MaxTiers {
		return errs.Invalidf("tiers", "must be at most %d: deeper commission is refused by the compliance guard (multi-level pyramid selling)", MaxTiers)
	}
	if len(s.TierRates) != s.Tiers {
		return errs.Invalidf("tier_rates_bp", "must give exactly one rate per tier (%d), got %d", s.Tiers, len(s.TierRates))
	}
	for i, r := range s.TierRates {
		if !r.Valid() {
			return errs.Invalidf(fmt.Sprintf("tier_rates_bp[%d]", i), "must be from 0 to 10000 basis points")
		}
	}
	for _, f := range []struct {
		name string
		r    money.Rate
	}{{"platform_rate_bp", s.PlatformRate}, {"area_rate_bp", s.AreaRate}, {"commission_cap_bp", s.CommissionCap}, {"withdrawal.fee_rate_bp", s.Withdrawal.FeeRate}} {
		if !f.r.Valid() {
			return errs.Invalidf(f.name, "must be from 0 to 10000 basis points")
		}
	}
	if r := s.Withdrawal.WithholdingRate; r < 0 || r >= 10000 {
		return errs.Invalidf("withdrawal.withholding_rate_bp", "must be from 0 to 9999 basis points (0 ≤ rate < 100%%)")
	}
	if sum := s.RateSum(nil); sum > s.CommissionCap {
		return errs.Invalidf("tier_rates_bp", "tier and area rates sum to %v, above the commission cap of %v; lower them or raise commission_cap_bp", sum, s.CommissionCap)
	}
	// Commissions can reach the cap (fixed amounts, a grade's tier 1), and the
	// platform fee comes on top: together they may not take more than the
	// base, or the supplier's payable would go negative.
	if total := s.CommissionCap + s.PlatformRate; total > money.MaxRate {
		return errs.Invalidf("platform_rate_bp", "with the commission cap of %v, commissions and the platform fee could take %v of the base, above 100%%; lower platform_rate_bp or commission_cap_bp", s.CommissionCap, total)
	}
	switch s.Binding.Mode {
	case FirstTouch, LastTouch:
		if s.Binding.LockDays != 0 {
			return errs.Invalidf("binding.lock_days", "applies only to mode first_touch_lock; leave it 0")
		}
	case FirstTouchLock:
		if s.Binding.LockDays < 1 || s.Binding.LockDays > 3650 {
			return errs.Invalidf("binding.lock_days", "must be from 1 to 3650 days for mode first_touch_lock")
		}
	default:
		return errs.Invalidf("binding.mode", "must be first_touch, first_touch_lock or last_touch")
	}
	if s.UnpaidTimeoutMinutes < 5 || s.UnpaidTimeoutMinutes > 7*24*60 {
		return errs.Invalidf("unpaid_timeout_minutes", "must be from 5 minutes to 7 days (10080)")
	}
	if s.AutoConfirmDays < 1 || s.AutoConfirmDays > 60 {
		return errs.Invalidf("auto_confirm_days", "must be from 1 to 60")
	}
	if s.AfterSaleDays < 0 || s.AfterSaleDays > 60 {
		return errs.Invalidf("after_sale_days", "must be from 0 to 60")
	}
	if s.Withdrawal.Minimum < 1 {
		return errs.Invalidf("withdrawal.minimum", "must be at least one minor unit")
	}
	if s.Withdrawal.DailyLimit < 1 || s.Withdrawal.DailyLimit > 100 {
		return errs.Invalidf("withdrawal.daily_limit", "must be from 1 to 100")
	}
	if err := s.Fraud.Validate(); err != nil {
		return err
	}
	return nil
}

// Warnings are the compliance guard's notes on valid but risky settings.
// They are shown to the operator and recorded with the change; they do not refuse it.
func (s *Settings) Warnings() []string {
	var w []string
	if s.Tiers == MaxTiers {
		w = append(w, "3 tiers is the legal edge in several jurisdictions (in China three or more levels with thirty or more people is the threshold for prosecution); 2 is the default")
	}
	if s.HeadCountConditions {
		w = append(w, "grade conditions on head count reward recruiting rather than selling, which regulators treat as a mark of pyramid selling")
	}
	if s.OwnPurchaseCommission {
		w = append(w, "commission on own purchases pays distributors for buying, not only for selling: it is a discount in disguise and, with tiers above, rewards the upline for a recruit's consumption, which some regulators read as a pyramid mark; the cap still holds")
	}
	if s.CommissionCap > 3000 {
		w = append(w, "the commission cap is above 30% of the commission base")
	}
	return w
}
