package web_test

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestOpsSimulator: the form starts from the rules in force; simulating
// them shows what was booked on both sides; a higher tier 2 rate shows the
// sponsor gaining exactly the difference; saving needs the simulation of
// the very rules saved, and then saves them through the settings.
func TestOpsSimulator(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		c := w.customer("cus@example.com", "Chen", w.link)
		w.buy(c, 2)
		w.buy(c, 1)
		w.signIn("lin@example.com")
		if p := w.s.get("/ops/simulator"); p.Status != http.StatusForbidden {
			t.Fatalf("a distributor: %d", p.Status)
		}
		w.signIn("op@example.com")
		p := w.s.get("/ops/simulator")
		form := settingsValues(t, p.Body)
		if p.Status != http.StatusOK || form.Get("tier_rates_bp[1]") != "500" || form.Get("from") == "" || form.Get("to") == "" {
			t.Fatalf("form %d %v", p.Status, form)
		}
		form.Set("action", "simulate")
		p = w.s.post("/ops/simulator", form)
		actual, proposed := minorOf(t, p.Body, "actual"), minorOf(t, p.Body, "proposed")
		// 3 teas at 100.00: tier 1 10%, tier 2 5%.
		if p.Status != http.StatusOK || actual != 4500 || proposed != actual || strings.Contains(p.Body, `data-test="gainers"`) {
			t.Fatalf("as booked: %d, commission %d → %d", p.Status, actual, proposed)
		}
		form.Set("tier_rates_bp[1]", "800")
		p = w.s.post("/ops/simulator", form)
		mustContain(t, p.Body, `data-test="gainer-`+strconv.FormatInt(w.sponsor.DistributorID, 10)+`"`, `data-minor="900"`)
		proof := settingsValues(t, p.Body).Get("proof")

		// Saving rules not simulated (or without a simulation) is refused.
		save := cloneValues(form)
		save.Set("action", "save")
		save.Set("tier_rates_bp[1]", "700")
		save.Set("proof", proof)
		if p := w.s.post("/ops/simulator", save); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-proof"`) {
			t.Fatalf("save of other rules: %d", p.Status)
		}
		if st, _ := db.Settings(w.ctx); st.TierRates[1] != 500 {
			t.Fatalf("saved anyway: %v", st.TierRates)
		}
		save.Set("tier_rates_bp[1]", "800")
		if p := w.s.post("/ops/simulator", save); p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", p.Status, p.Body)
		}
		if st, _ := db.Settings(w.ctx); st.TierRates[1] != 800 {
			t.Fatalf("not saved: %v", st.TierRates)
		}

		// Bad input is refused by its field, with what was typed kept.
		for field, value := range map[string]string{"to": "2020-01-01", "from": "yesterday", "tier_rates_bp": "",
			"new.id": "x", "new.tiers[0]": "ten"} {
			bad := cloneValues(form)
			bad.Set(field, value)
			if field == "tier_rates_bp" {
				bad.Set("tier_rates_bp[0]", "2800")
			}
			if field == "new.tiers[0]" {
				bad.Set("new.id", strconv.FormatInt(w.product, 10))
				bad.Set("new.scope", "product")
			}
			p := w.s.post("/ops/simulator", bad)
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-`+field+`"`) || strings.Contains(p.Body, `data-test="result"`) {
				t.Errorf("%s=%s: %d", field, value, p.Status)
			}
		}
		// A proposed campaign: each wrong cell is refused at its field; a
		// good one simulates.
		for _, c := range []struct{ product, tier1, field string }{
			{"x", "1000", "campaign.product_id"},
			{strconv.FormatInt(w.product, 10), "", "campaign.tier1"},
			{strconv.FormatInt(w.product, 10), "=0", "campaign.tier1"},
			{strconv.FormatInt(w.product, 10), "ten", "campaign.tier1"},
			{"999999", "1000", "campaign.product_id"},
		} {
			bad := cloneValues(form)
			bad.Set("campaign.product_id", c.product)
			bad.Set("campaign.tier1", c.tier1)
			p := w.s.post("/ops/simulator", bad)
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-`+c.field+`"`) || strings.Contains(p.Body, `data-test="result"`) {
				t.Errorf("campaign %q %q: %d, want an error at %s", c.product, c.tier1, p.Status, c.field)
			}
		}
		good := cloneValues(form)
		good.Set("campaign.product_id", strconv.FormatInt(w.product, 10))
		good.Set("campaign.tier1", "1500")
		if p := w.s.post("/ops/simulator", good); p.Status != http.StatusOK || !strings.Contains(p.Body, `data-test="result"`) {
			t.Errorf("a proposed campaign: %d", p.Status)
		}
	})
}

func minorOf(t *testing.T, body, test string) int64 {
	t.Helper()
	m := regexp.MustCompile(`(?s)data-test="total-commission">.*?data-test="` + test + `" data-minor="(-?\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s commission in %s", test, body)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}
