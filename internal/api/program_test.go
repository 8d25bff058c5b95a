package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"sharemall/internal/errs"
)

// settingsBody reads the current settings as a PUT body.
func settingsBody(t *testing.T, ta *testAPI, tok string) map[string]any {
	t.Helper()
	res := ta.do("GET", "/api/v1/program/settings", tok, nil).must(t, 200)
	var m map[string]any
	if err := json.Unmarshal(res.Raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSettingsDefaultsAndAccess(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		_, cust := ta.newAccount("c@example.com")
		ta.do("GET", "/api/v1/program/settings", "", nil).wantErr(t, errs.Unauthorized, "")
		s := settingsBody(t, ta, cust)
		if s["version"].(float64) != 0 || s["tiers"].(float64) != 2 || s["commission_cap_bp"].(float64) != 3000 ||
			s["withdrawal"].(map[string]any)["minimum"] != "1.00" || s["binding"].(map[string]any)["mode"] != "first_touch" {
			t.Fatalf("defaults = %v", s)
		}
		ta.do("PUT", "/api/v1/program/settings", cust, s).wantErr(t, errs.Forbidden, "")
	})
}

func TestSettingsValidation(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		for _, tc := range []struct {
			name  string
			edit  func(m map[string]any)
			field string
		}{
			{"four tiers", func(m map[string]any) { m["tiers"] = 4; m["tier_rates_bp"] = []int{500, 400, 300, 200} }, "tiers"},
			{"zero tiers", func(m map[string]any) { m["tiers"] = 0; m["tier_rates_bp"] = []int{} }, "tiers"},
			{"rates per tier", func(m map[string]any) { m["tier_rates_bp"] = []int{1000} }, "tier_rates_bp"},
			{"negative rate", func(m map[string]any) { m["tier_rates_bp"] = []int{1000, -1} }, "tier_rates_bp[1]"},
			{"over the cap", func(m map[string]any) { m["tier_rates_bp"] = []int{2500, 600} }, "tier_rates_bp"},
			{"area over the cap", func(m map[string]any) { m["area_rate_bp"] = 1501 }, "tier_rates_bp"},
			{"platform and cap over 100%", func(m map[string]any) { m["platform_rate_bp"] = 7001 }, "platform_rate_bp"},
			{"cap over 100%", func(m map[string]any) { m["commission_cap_bp"] = 10001 }, "commission_cap_bp"},
			{"fractional rate", func(m map[string]any) { m["platform_rate_bp"] = 1.5 }, "platform_rate_bp"},
			{"unknown currency", func(m map[string]any) { m["currency"] = "ABC" }, "currency"},
			{"binding mode", func(m map[string]any) { m["binding"] = map[string]any{"mode": "sticky", "lock_days": 0} }, "binding.mode"},
			{"lock days missing", func(m map[string]any) { m["binding"] = map[string]any{"mode": "first_touch_lock", "lock_days": 0} }, "binding.lock_days"},
			{"unpaid timeout", func(m map[string]any) { m["unpaid_timeout_minutes"] = 0 }, "unpaid_timeout_minutes"},
			{"auto confirm", func(m map[string]any) { m["auto_confirm_days"] = 0 }, "auto_confirm_days"},
			{"after-sale", func(m map[string]any) { m["after_sale_days"] = -1 }, "after_sale_days"},
			{"withdrawal minimum format", func(m map[string]any) { m["withdrawal"].(map[string]any)["minimum"] = "1.005" }, "withdrawal.minimum"},
			{"withdrawal minimum zero", func(m map[string]any) { m["withdrawal"].(map[string]any)["minimum"] = "0" }, "withdrawal.minimum"},
			{"withdrawal fee", func(m map[string]any) { m["withdrawal"].(map[string]any)["fee_rate_bp"] = 20000 }, "withdrawal.fee_rate_bp"},
			{"daily limit", func(m map[string]any) { m["withdrawal"].(map[string]any)["daily_limit"] = 0 }, "withdrawal.daily_limit"},
			{"missing version", func(m map[string]any) { delete(m, "version") }, "version"},
			{"unknown field", func(m map[string]any) { m["tier4_rate"] = 5 }, "tier4_rate"},
			{"wrong type", func(m map[string]any) { m["distributor_review"] = "yes" }, "distributor_review"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				m := settingsBody(t, ta, op)
				tc.edit(m)
				ta.do("PUT", "/api/v1/program/settings", op, m).wantErr(t, errs.Invalid, tc.field)
				if v := settingsBody(t, ta, op)["version"].(float64); v != 0 {
					t.Fatalf("a refused change saved version %v", v)
				}
			})
		}
		log := ta.do("GET", "/api/v1/audit-log", op, nil).must(t, 200)
		if n := len(log.Body["items"].([]any)); n != 0 {
			t.Fatalf("refused changes were audited: %s", log.Raw)
		}
	})
}

func TestSettingsUpdateAuditedAndLocked(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		m := settingsBody(t, ta, op)
		m["tiers"], m["tier_rates_bp"] = 3, []int{1000, 500, 300}
		m["distributor_review"] = true
		res := ta.do("PUT", "/api/v1/program/settings", op, m).must(t, 200)
		if res.Body["version"].(float64) != 1 || len(res.Body["warnings"].([]any)) != 1 {
			t.Fatalf("saved = %s", res.Raw)
		}
		// The same stale body again: a conflict, not a silent overwrite.
		ta.do("PUT", "/api/v1/program/settings", op, m).wantErr(t, errs.Conflict, "version")

		log := ta.do("GET", "/api/v1/audit-log?action=program.settings.update", op, nil).must(t, 200)
		items := log.Body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("audit = %s", log.Raw)
		}
		e := items[0].(map[string]any)
		if e["old"].(map[string]any)["settings"].(map[string]any)["tiers"].(float64) != 2 ||
			e["new"].(map[string]any)["settings"].(map[string]any)["tiers"].(float64) != 3 || e["actor_account_id"] == nil {
			t.Fatalf("audit line = %v", e)
		}

		// The export is CSV with the same line.
		req, _ := http.NewRequest("GET", ta.http.URL+"/api/v1/audit-log/export", nil)
		req.Header.Set("Authorization", "Bearer "+op)
		got, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if got.StatusCode != 200 || !strings.HasPrefix(string(body), "id,at,actor_account_id,action") || !strings.Contains(string(body), "program.settings.update") {
			t.Fatalf("export %d: %s", got.StatusCode, body)
		}
	})
}
