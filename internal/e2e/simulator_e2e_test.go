package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// On a phone, in Chinese, the operator proposes tier 1 at 12% instead of
// 10%, simulates the month: Lin, who sold ¥168.00, would have earned ¥3.36
// more. Then she saves the rules she simulated. The page never scrolls
// sideways.
func TestOperatorSimulatesCommission(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		w, _ := requestedWithdrawal(t, app)
		u := app.SignedIn(lang, "op@example.com", password)
		notSideways(t, u, "/ops/simulator")
		var width float64
		u.Eval(`window.innerWidth`, &width)
		if width > 400 {
			t.Errorf("the page widens the phone's viewport to %v px", width)
		}
		u.Open("/ops")
		u.Click(Link(T(lang, "console.nav.simulator")))
		tier1 := Label(T(lang, "ops.settings.tier1"))
		if got := u.Value(tier1); got != "1000" {
			t.Fatalf("tier 1 shows %q, want the program's 1000", got)
		}
		if u.Has(Test("save")) {
			t.Error("saving is offered before a simulation")
		}
		u.Fill(tier1, "1200")
		if status := u.Click(Button(T(lang, "sim.simulate"))); status != http.StatusOK {
			t.Fatalf("simulate: status %d", status)
		}
		if got := u.Text(Test("delta").In(Test("gainers"))); got != "+¥3.36" {
			t.Errorf("Lin's gain shows %q, want +¥3.36", got)
		}
		if got := u.Text(Test("summary")); !strings.Contains(got, "1 条订单行") {
			t.Errorf("the summary says %q", got)
		}
		var wide struct{ Scroll, Width float64 }
		u.Eval(`({Scroll: document.documentElement.scrollWidth, Width: window.innerWidth})`, &wide)
		if wide.Scroll > wide.Width+1 || wide.Width > 400 {
			t.Errorf("the result is wider than a phone: %v px wide in %v", wide.Scroll, wide.Width)
		}
		tierRates(t, w, 1000, 500)
		if status := u.Click(Test("save")); status != http.StatusOK {
			t.Fatalf("save: status %d", status)
		}
		u.See(T(lang, "sim.saved"))
		tierRates(t, w, 1200, 500)
	})
}
