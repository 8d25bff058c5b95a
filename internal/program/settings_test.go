package program

import (
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

func TestDefaultsValid(t *testing.T) {
	s := Default()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings()) != 0 {
		t.Fatalf("defaults warn: %v", s.Warnings())
	}
}

// Each rule, one case: the error must be Invalid and name the field.
func TestValidateRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Settings)
		field string
	}{
		{"unknown currency", func(s *Settings) { s.CurrencyCode = "XXX" }, "currency"},
		{"phone region in lower case", func(s *Settings) { s.DefaultPhoneRegion = "cn" }, "default_phone_region"},
		{"no phone region", func(s *Settings) { s.DefaultPhoneRegion = "" }, "default_phone_region"},
		{"zero tiers", func(s *Settings) { s.Tiers, s.TierRates = 0, nil }, "tiers"},
		{"four tiers", func(s *Settings) { s.Tiers, s.TierRates = 4, []money.Rate{100, 100, 100, 100} }, "tiers"},
		{"rates do not match tiers", func(s *Settings) { s.TierRates = []money.Rate{1000} }, "tier_rates_bp"},
		{"negative rate", func(s *Settings) { s.TierRates[1] = -1 }, "tier_rates_bp[1]"},
		{"rate over 100%", func(s *Settings) { s.TierRates[0] = 10001 }, "tier_rates_bp[0]"},
		{"sum above cap", func(s *Settings) { s.TierRates = []money.Rate{2000, 1001} }, "tier_rates_bp"},
		{"area pushes over cap", func(s *Settings) { s.AreaRate = 1600 }, "tier_rates_bp"},
		{"platform and cap over 100%", func(s *Settings) { s.PlatformRate = 7001 }, "platform_rate_bp"},
		{"raised cap and platform over 100%", func(s *Settings) { s.CommissionCap, s.PlatformRate = 9000, 1001 }, "platform_rate_bp"},
		{"bad platform rate", func(s *Settings) { s.PlatformRate = -5 }, "platform_rate_bp"},
		{"bad area rate", func(s *Settings) { s.AreaRate = 20000 }, "area_rate_bp"},
		{"bad cap", func(s *Settings) { s.CommissionCap = 10001 }, "commission_cap_bp"},
		{"unknown binding", func(s *Settings) { s.Binding.Mode = "random" }, "binding.mode"},
		{"lock days without lock mode", func(s *Settings) { s.Binding.LockDays = 5 }, "binding.lock_days"},
		{"lock mode without days", func(s *Settings) { s.Binding.Mode = FirstTouchLock }, "binding.lock_days"},
		{"timeout too short", func(s *Settings) { s.UnpaidTimeoutMinutes = 1 }, "unpaid_timeout_minutes"},
		{"auto confirm zero", func(s *Settings) { s.AutoConfirmDays = 0 }, "auto_confirm_days"},
		{"after-sale negative", func(s *Settings) { s.AfterSaleDays = -1 }, "after_sale_days"},
		{"withdrawal minimum zero", func(s *Settings) { s.Withdrawal.Minimum = 0 }, "withdrawal.minimum"},
		{"withdrawal fee over 100%", func(s *Settings) { s.Withdrawal.FeeRate = 10001 }, "withdrawal.fee_rate_bp"},
		{"daily limit zero", func(s *Settings) { s.Withdrawal.DailyLimit = 0 }, "withdrawal.daily_limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Default()
			tc.edit(s)
			err := s.Validate()
			if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestThreeTiersAllowedWithWarning(t *testing.T) {
	s := Default()
	s.Tiers, s.TierRates = 3, []money.Rate{1000, 500, 300}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings()) != 1 {
		t.Fatalf("warnings = %v", s.Warnings())
	}
	s.HeadCountConditions = true
	if len(s.Warnings()) != 2 {
		t.Fatalf("warnings = %v", s.Warnings())
	}
}

func TestRaisedCapAllowsMore(t *testing.T) {
	s := Default()
	s.TierRates = []money.Rate{3000, 1000}
	if err := s.Validate(); errs.FieldOf(err) != "tier_rates_bp" {
		t.Fatalf("over default cap: %v", err)
	}
	s.CommissionCap = 4000
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

// The cap covers what distributors earn (tiers and area), not the platform
// fee: with a 2% platform fee the tiers may still sum to exactly the cap.
func TestPlatformFeeOutsideCap(t *testing.T) {
	s := Default()
	s.PlatformRate = 200
	s.TierRates = []money.Rate{2000, 1000}
	if err := s.Validate(); err != nil {
		t.Fatalf("tiers at the cap beside a platform fee: %v", err)
	}
	s.AreaRate = 1
	if err := s.Validate(); errs.FieldOf(err) != "tier_rates_bp" {
		t.Fatalf("area over the cap: %v", err)
	}
	s.AreaRate, s.PlatformRate = 0, 7000
	if err := s.Validate(); err != nil {
		t.Fatalf("cap 30%% + platform 70%% is the whole base, allowed: %v", err)
	}
	if got := s.RateSum(nil); got != 3000 {
		t.Fatalf("RateSum = %v; the platform fee is not a commission", got)
	}
}
