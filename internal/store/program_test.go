package store_test

import (
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestSettingsKeepExistingRulesWhole: a settings change that would make an
// existing grade or commission override break the cap is refused, and
// nothing is saved.
func TestSettingsKeepExistingRulesWhole(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		p := newProduct(f.supA.ID)
		p.Commission = &catalog.Commission{Kind: catalog.RateCommission, Tiers: []int64{1800, 700}}
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
		// 1800 + 700 + 600 platform = 3100 > 3000: the product override no longer fits.
		st.PlatformRate = 600
		_, err = db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("override breaking the cap: %v", err)
		}
		// 1800 (grade) + 500 + 800 platform = 3100: the grade no longer fits.
		st.PlatformRate = 800
		st.CommissionCap = 3050
		_, err = db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "commission_cap_bp" {
			t.Fatalf("grade breaking the cap: %v", err)
		}
		st.PlatformRate, st.CommissionCap = 500, 3000
		saved, err := db.UpdateSettings(f.ctx, f.op, st, st.Version)
		if err != nil || saved.Version != 1 {
			t.Fatalf("fitting change: %v %v", saved, err)
		}
		// Currency cannot change once products are priced.
		saved.CurrencyCode = "USD"
		if _, err := db.UpdateSettings(f.ctx, f.op, saved, saved.Version); errs.FieldOf(err) != "currency" {
			t.Fatalf("currency change: %v", err)
		}
		if got, _ := db.Settings(f.ctx); got.Version != 1 || got.CurrencyCode != "CNY" || got.PlatformRate != 500 {
			t.Fatalf("settings = %+v", got)
		}
		// Customers cannot change settings at all.
		if _, err := db.UpdateSettings(f.ctx, f.cust, saved, 1); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("customer: %v", err)
		}
	})
}
