package api

import (
	"fmt"
	"testing"
)

// TestFraudSignalsAPI: two sign-ups under one sponsor that never bought
// (threshold 2) are listed to the operator only; the fraud thresholds
// travel with the settings; a dismissal without a reason is 400 on reason,
// a confirmation 200 with the hold after it, and a second review 409.
func TestFraudSignalsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		db := ta.db
		op := ta.operator()
		s := settingsBody(t, ta, op)
		f, ok := s["fraud"].(map[string]any)
		if !ok || f["cluster_size"] != float64(3) || f["hold_self_purchase"] != true {
			t.Fatalf("settings fraud %v", s["fraud"])
		}
		f["empty_team_members"] = 2
		ta.do("PUT", "/api/v1/program/settings", op, s).must(t, 200)
		delete(s, "fraud") // absent: kept as it is
		s["version"] = settingsBody(t, ta, op)["version"]
		ta.do("PUT", "/api/v1/program/settings", op, s).must(t, 200)
		if got := settingsBody(t, ta, op)["fraud"].(map[string]any)["empty_team_members"]; got != float64(2) {
			t.Fatalf("empty_team_members %v after a PUT without fraud", got)
		}
		_, tokA := ta.newAccount("ann@example.com")
		res := ta.do("POST", "/api/v1/distributors", tokA, map[string]any{"display_name": "Ann's"}).must(t, 201)
		a, code := res.id(), res.Body["referral_code"].(string)
		for _, e := range []string{"bob@example.com", "carl@example.com"} {
			_, tok := ta.newAccount(e)
			ta.do("POST", "/api/v1/distributors", tok, map[string]any{"invite_code": code}).must(t, 201)
		}
		if _, err := db.SweepFraud(t.Context(), 500); err != nil {
			t.Fatal(err)
		}
		ta.do("GET", "/api/v1/fraud-signals", tokA, nil).must(t, 403)
		list := ta.do("GET", fmt.Sprintf("/api/v1/fraud-signals?status=open&distributor_id=%d", a), op, nil).must(t, 200)
		items := list.Body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["kind"] != "empty_team" {
			t.Fatalf("signals %s", list.Raw)
		}
		id := int64(items[0].(map[string]any)["id"].(float64))
		path := fmt.Sprintf("/api/v1/fraud-signals/%d/review", id)
		if r := ta.do("POST", path, op, map[string]any{"decision": "dismissed"}); r.Status != 400 || r.errField() != "reason" {
			t.Fatalf("dismiss without a reason: %d %s", r.Status, r.Raw)
		}
		done := ta.do("POST", path, op, map[string]any{"decision": "confirmed", "reason": "bought sign-ups"}).must(t, 200)
		if sig := done.Body["signal"].(map[string]any); sig["status"] != "confirmed" || done.Body["hold"].(map[string]any)["held"] != false {
			t.Fatalf("review %s", done.Raw)
		}
		if r := ta.do("POST", path, op, map[string]any{"decision": "dismissed", "reason": "x"}); r.Status != 409 || r.errField() != "status" {
			t.Fatalf("second review: %d %s", r.Status, r.Raw)
		}
		ta.do("GET", "/api/v1/fraud-signals?status=maybe", op, nil).must(t, 400)
	})
}
