package store_test

import (
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestSettingsKeepExistingRulesWhole: a settings change under which an
// operator's grade would break the cap is refused and nothing is saved; one
// under which a supplier's override no longer fits is saved with a notice.
func TestSettingsKeepExistingRulesWhole(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		p := newProduct(f.supA.ID)
		p.Commission = overrideRates(1800, 700)
		if _, err := db.CreateProduct(f.ctx, f.a, p); err != nil {
			t.Fatal(err)
		}
		r := money.Rate(1800)
		if _, err := db.CreateGrade(f.ctx, f.op, network.Grade{Name: "Gold", Rank: 2, Tier1Rate: &r}); err != nil {
			t.Fatal(err)
		}
		st, err := db.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The cap bounds what distributors earn; the platform fee is outside
		// it. 1800 + 700 = 2500 fits a cap of 2500 beside a 4% platform fee;
		// 2400 does not: the operator's change wins, with a notice naming the product.
		st.PlatformRate, st.CommissionCap = 400, 2500
		fits, err := db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if err != nil || len(fits.Notices) != 0 {
			t.Fatalf("override at the cap beside a platform fee: %+v, %v", fits, err)
		}
		st = fits
		st.CommissionCap = 2400
		tight, err := db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if err != nil || len(tight.Notices) != 1 || !strings.Contains(tight.Notices[0], "product") {
			t.Fatalf("override breaking the cap: %+v, %v", tight, err)
		}
		st = tight
		st.Notices = nil
		// The grade: 1800 + 500 = 2300, whatever the platform fee.
		st.PlatformRate, st.CommissionCap = 800, 2299
		_, err = db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "commission_cap_bp" {
			t.Fatalf("grade breaking the cap: %v", err)
		}
		// Cap and platform fee together may not take more than the base.
		st.PlatformRate, st.CommissionCap = 7001, 3000
		_, err = db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "platform_rate_bp" {
			t.Fatalf("cap + platform over 100%%: %v", err)
		}
		st.PlatformRate, st.CommissionCap = 500, 3000
		saved, err := db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if err != nil || saved.Version != 3 || len(saved.Notices) != 0 {
			t.Fatalf("fitting change: %v %v", saved, err)
		}
		// Currency cannot change once products are priced.
		saved.CurrencyCode = "USD"
		if _, err := db.UpdateSettings(f.ctx, f.op, saved, saved.Version); errs.FieldOf(err) != "currency" {
			t.Fatalf("currency change: %v", err)
		}
		if got, _ := db.Settings(f.ctx); got.Version != 3 || got.CurrencyCode != "CNY" || got.PlatformRate != 500 {
			t.Fatalf("settings = %+v", got)
		}
		// Customers cannot change settings at all.
		if _, err := db.UpdateSettings(f.ctx, f.cust, saved, 3); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("customer: %v", err)
		}
	})
}
