package api

import (
	"testing"

	"sharemall/internal/errs"
)

// TestSettingsTimeZone: the program's time zone is a setting, Asia/Shanghai
// by default; anything but an IANA zone name is refused naming time_zone.
func TestSettingsTimeZone(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		if got := settingsBody(t, ta, op)["time_zone"]; got != "Asia/Shanghai" {
			t.Fatalf("default time_zone %v", got)
		}
		for _, bad := range []any{"Mars/Olympus", "Local", "", 8, nil} {
			m := settingsBody(t, ta, op)
			m["time_zone"] = bad
			ta.do("PUT", "/api/v1/program/settings", op, m).wantErr(t, errs.Invalid, "time_zone")
		}
		m := settingsBody(t, ta, op)
		delete(m, "time_zone")
		ta.do("PUT", "/api/v1/program/settings", op, m).wantErr(t, errs.Invalid, "time_zone")

		m["time_zone"] = "Europe/Berlin"
		res := ta.do("PUT", "/api/v1/program/settings", op, m).must(t, 200)
		if res.Body["time_zone"] != "Europe/Berlin" || settingsBody(t, ta, op)["time_zone"] != "Europe/Berlin" {
			t.Fatalf("saved %s", res.Raw)
		}
	})
}
