package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// On a 390 px phone, in Chinese, the operator raises tier 1 past the
// commission cap: the refusal shows by the rates' field, on screen, and
// the page never scrolls sideways; neither does any other console page
// (wide tables scroll inside their own box).
func TestSettingsRefusalOnPhone(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		w, _ := requestedWithdrawal(t, app) // some money moved, so the pages have rows
		u := app.SignedIn(lang, "op@example.com", password)
		u.Open("/ops/settings")
		acceptDialogs(u)
		u.Fill(Label(T(lang, "ops.settings.tier1")), "2600")
		if status := u.Click(Button(T(lang, "ops.settings.save"))); status != http.StatusBadRequest {
			t.Errorf("rates over the cap: status %d, want 400", status)
		}
		if got := u.Text(Test("error-tier_rates_bp")); !strings.Contains(got, "佣金上限") {
			t.Errorf("the rates' error says %q, want it in Chinese naming the cap", got)
		}
		var box struct{ Left, Right, Width float64 }
		u.Eval(`(() => { const r = document.querySelector('[data-test="error-tier_rates_bp"]').getBoundingClientRect();
			return {Left: r.left, Right: r.right, Width: window.innerWidth}; })()`, &box)
		if box.Left < 0 || box.Right > box.Width {
			t.Errorf("the error is not within the phone's width: %+v", box)
		}
		tierRates(t, w, 1000, 500)

		notSideways(t, u, "/ops", "/ops/settings", "/ops/dashboard", "/ops/insight/network", "/ops/insight/fission", "/ops/withdrawals", "/ops/distributors",
			"/ops/rankings", "/ops/audit", "/ops/journals", "/ops/cases", "/ops/suppliers", "/ops/products/review",
			"/ops/withholding", "/ops/supplier-payouts")
		sup := app.SignedIn(lang, "sup@example.com", password)
		notSideways(t, sup, "/sup", "/sup/products", "/sup/products/new", "/sup/warehouses", "/sup/parcels", "/sup/parcels/upload",
			"/sup/cases", "/sup/keys", "/sup/insight", "/sup/insight/fission", "/sup/payouts")
	})
}

// notSideways opens each page on the tab's phone and fails one wider than the screen.
func notSideways(t *testing.T, u *Tab, paths ...string) {
	t.Helper()
	for _, path := range paths {
		if status := u.Open(path); status != http.StatusOK {
			t.Errorf("%s: status %d", path, status)
			continue
		}
		var wide struct{ Scroll, Width float64 }
		u.Eval(`({Scroll: document.documentElement.scrollWidth, Width: window.innerWidth})`, &wide)
		if wide.Width == 0 || wide.Scroll > wide.Width+1 {
			t.Errorf("%s scrolls sideways on a phone: %v px wide in %v", path, wide.Scroll, wide.Width)
		}
	}
}
