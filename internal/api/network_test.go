package api

import (
	"fmt"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// netScenario is one request and what it must get back.
type netScenario struct {
	name   string
	method string
	path   string
	token  string
	body   any
	status int
	code   errs.Code // for errors
	field  string
}

func (ta *testAPI) runNet(t *testing.T, scenarios []netScenario) {
	t.Helper()
	for _, sc := range scenarios {
		res := ta.do(sc.method, sc.path, sc.token, sc.body)
		if res.Status != sc.status {
			t.Fatalf("%s: %s %s: status %d, want %d: %s", sc.name, sc.method, sc.path, res.Status, sc.status, res.Raw)
		}
		if sc.code != "" && (res.errCode() != sc.code || res.errField() != sc.field) {
			t.Fatalf("%s: got %s, want error %s on %q", sc.name, res.Raw, sc.code, sc.field)
		}
	}
}

// netOperator is the operator made by ta.operator(), as the store sees it.
func netOperator(t *testing.T, ta *testAPI) account.Actor {
	t.Helper()
	c, err := ta.db.CredentialsFor(t.Context(), "op@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ta.db.ActorFor(t.Context(), c.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func netStr(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func TestNetworkAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		_, tokA := ta.newAccount("a@example.com")
		_, tokB := ta.newAccount("b@example.com")
		_, tokC := ta.newAccount("c@example.com")
		_, tokD := ta.newAccount("d@example.com")

		a := ta.do("POST", "/api/v1/distributors", tokA, map[string]any{"display_name": "Ann"}).must(t, 201)
		if a.Body["view"] != "full" || a.Body["sponsor_id"] != nil || len(netStr(a.Body, "referral_code")) != 8 {
			t.Fatalf("join: %s", a.Raw)
		}
		codeA := netStr(a.Body, "referral_code")
		b := ta.do("POST", "/api/v1/distributors", tokB, map[string]any{"invite_code": strings.ToLower(codeA)}).must(t, 201)
		if int64(b.Body["sponsor_id"].(float64)) != a.id() {
			t.Fatalf("sponsor: %s", b.Raw)
		}
		A, B := fmt.Sprint(a.id()), fmt.Sprint(b.id())

		ta.runNet(t, []netScenario{
			// Joining.
			{"anonymous join", "POST", "/api/v1/distributors", "", map[string]any{}, 401, errs.Unauthorized, ""},
			{"join twice", "POST", "/api/v1/distributors", tokB, map[string]any{}, 409, errs.Conflict, ""},
			{"bad json", "POST", "/api/v1/distributors", tokC, "{", 400, errs.Invalid, "body"},
			{"empty body", "POST", "/api/v1/distributors", tokC, "", 400, errs.Invalid, "body"},
			{"unknown field", "POST", "/api/v1/distributors", tokC, map[string]any{"sponsor": 1}, 400, errs.Invalid, "sponsor"},
			{"wrong type", "POST", "/api/v1/distributors", tokC, map[string]any{"invite_code": 5}, 400, errs.Invalid, "invite_code"},
			{"bad code", "POST", "/api/v1/distributors", tokC, map[string]any{"invite_code": "ABC"}, 400, errs.Invalid, "invite_code"},
			{"unknown code", "POST", "/api/v1/distributors", tokC, map[string]any{"invite_code": "ZZZZZZZZ"}, 400, errs.Invalid, "invite_code"},
			{"long name", "POST", "/api/v1/distributors", tokC, map[string]any{"display_name": strings.Repeat("x", 41)}, 400, errs.Invalid, "display_name"},
			// Reading.
			{"me anonymous", "GET", "/api/v1/distributors/me", "", nil, 401, errs.Unauthorized, ""},
			{"me not joined", "GET", "/api/v1/distributors/me", tokC, nil, 404, errs.NotFound, ""},
			{"me", "GET", "/api/v1/distributors/me", tokB, nil, 200, "", ""},
			{"bad id", "GET", "/api/v1/distributors/abc", tokA, nil, 400, errs.Invalid, "id"},
			{"zero id", "GET", "/api/v1/distributors/0", tokA, nil, 400, errs.Invalid, "id"},
			{"stranger", "GET", "/api/v1/distributors/" + B, tokC, nil, 404, errs.NotFound, ""},
			{"anonymous read", "GET", "/api/v1/distributors/" + B, "", nil, 401, errs.Unauthorized, ""},
			{"downline reads upline", "GET", "/api/v1/distributors/" + A, tokB, nil, 404, errs.NotFound, ""},
			{"missing", "GET", "/api/v1/distributors/9999", op, nil, 404, errs.NotFound, ""},
			{"list not operator", "GET", "/api/v1/distributors", tokA, nil, 403, errs.Forbidden, ""},
			{"list anonymous", "GET", "/api/v1/distributors", "", nil, 401, errs.Unauthorized, ""},
			{"list bad status", "GET", "/api/v1/distributors?status=gone", op, nil, 400, errs.Invalid, "status"},
			{"list bad limit", "GET", "/api/v1/distributors?limit=0", op, nil, 400, errs.Invalid, "limit"},
			{"members bad depth", "GET", "/api/v1/distributors/" + A + "/members?depth=4", tokA, nil, 400, errs.Invalid, "depth"},
			{"members of a member", "GET", "/api/v1/distributors/" + B + "/members", tokA, nil, 403, errs.Forbidden, ""},
			{"members stranger", "GET", "/api/v1/distributors/" + A + "/members", tokC, nil, 404, errs.NotFound, ""},
			{"team of a member", "GET", "/api/v1/distributors/" + B + "/team", tokA, nil, 403, errs.Forbidden, ""},
			{"team stranger", "GET", "/api/v1/distributors/" + A + "/team", tokC, nil, 404, errs.NotFound, ""},
			{"upline stranger", "GET", "/api/v1/distributors/" + B + "/upline", tokC, nil, 404, errs.NotFound, ""},
			// Operator decisions.
			{"review not operator", "POST", "/api/v1/distributors/" + B + "/review", tokA, map[string]any{"approve": true}, 403, errs.Forbidden, ""},
			{"review no decision", "POST", "/api/v1/distributors/" + B + "/review", op, map[string]any{}, 400, errs.Invalid, "approve"},
			{"review not pending", "POST", "/api/v1/distributors/" + B + "/review", op, map[string]any{"approve": true}, 409, errs.Conflict, "status"},
			{"move not operator", "PUT", "/api/v1/distributors/" + B + "/sponsor", tokA, map[string]any{"sponsor_id": 0}, 403, errs.Forbidden, ""},
			{"move to self", "PUT", "/api/v1/distributors/" + B + "/sponsor", op, map[string]any{"sponsor_id": b.id()}, 400, errs.Invalid, "sponsor_id"},
			{"move into own team", "PUT", "/api/v1/distributors/" + A + "/sponsor", op, map[string]any{"sponsor_id": b.id()}, 400, errs.Invalid, "sponsor_id"},
			{"move no sponsor", "PUT", "/api/v1/distributors/" + B + "/sponsor", op, map[string]any{}, 400, errs.Invalid, "sponsor_id"},
			{"move wrong type", "PUT", "/api/v1/distributors/" + B + "/sponsor", op, map[string]any{"sponsor_id": "1"}, 400, errs.Invalid, "sponsor_id"},
			{"move missing", "PUT", "/api/v1/distributors/9999/sponsor", op, map[string]any{"sponsor_id": 0}, 404, errs.NotFound, ""},
			{"grade not operator", "PUT", "/api/v1/distributors/" + B + "/grade", tokB, map[string]any{"grade_id": 0}, 403, errs.Forbidden, ""},
			{"grade unknown", "PUT", "/api/v1/distributors/" + B + "/grade", op, map[string]any{"grade_id": 9999}, 400, errs.Invalid, "grade_id"},
			{"grade missing", "PUT", "/api/v1/distributors/" + B + "/grade", op, map[string]any{}, 400, errs.Invalid, "grade_id"},
		})
		// Refusals changed nothing: B is still under A, C never joined.
		if got := ta.do("GET", "/api/v1/distributors/"+B, op, nil).must(t, 200); int64(got.Body["sponsor_id"].(float64)) != a.id() {
			t.Fatalf("sponsor changed: %s", got.Raw)
		}
		if list := ta.do("GET", "/api/v1/distributors?limit=1", op, nil).must(t, 200); len(list.Body["items"].([]any)) != 1 || list.Body["next_after"] == nil {
			t.Fatalf("page: %s", list.Raw)
		}

		card := ta.do("GET", "/api/v1/distributors/"+B, tokA, nil).must(t, 200)
		if card.Body["view"] != "card" || card.Body["referral_code"] != nil || card.Body["team_size"] != nil {
			t.Fatalf("card: %s", card.Raw)
		}
		members := ta.do("GET", "/api/v1/distributors/"+A+"/members?depth=1", tokA, nil).must(t, 200)
		if items := members.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["view"] != "card" {
			t.Fatalf("members: %s", members.Raw)
		}
		team := ta.do("GET", "/api/v1/distributors/"+A+"/team", tokA, nil).must(t, 200)
		if team.Body["team_size"] != 1.0 || fmt.Sprint(team.Body["by_depth"]) != "[1 0 0]" || team.Body["deeper"] != 0.0 {
			t.Fatalf("team: %s", team.Raw)
		}
		up := ta.do("GET", "/api/v1/distributors/"+B+"/upline", tokB, nil).must(t, 200)
		if items := up.Body["items"].([]any); len(items) != 2 || items[1].(map[string]any)["tier"] != 2.0 {
			t.Fatalf("upline: %s", up.Raw)
		}

		// Moving B to the root empties A's team.
		ta.do("PUT", "/api/v1/distributors/"+B+"/sponsor", op, map[string]any{"sponsor_id": 0}).must(t, 200)
		if team := ta.do("GET", "/api/v1/distributors/"+A+"/team", op, nil).must(t, 200); team.Body["team_size"] != 0.0 {
			t.Fatalf("team after move: %s", team.Raw)
		}
		// With review on, D joins pending under B and an operator approves it.
		s, err := ta.db.Settings(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		s.DistributorReview = true
		if _, err := ta.db.UpdateSettings(t.Context(), netOperator(t, ta), s, s.Version); err != nil {
			t.Fatal(err)
		}
		d := ta.do("POST", "/api/v1/distributors", tokD, map[string]any{"invite_code": netStr(b.Body, "referral_code")}).must(t, 201)
		if d.Body["status"] != "pending" {
			t.Fatalf("pending: %s", d.Raw)
		}
		D := fmt.Sprint(d.id())
		ta.runNet(t, []netScenario{
			{"reject without reason", "POST", "/api/v1/distributors/" + D + "/review", op, map[string]any{"approve": false}, 400, errs.Invalid, "reason"},
			{"join under pending", "POST", "/api/v1/distributors", tokC, map[string]any{"invite_code": netStr(d.Body, "referral_code")}, 400, errs.Invalid, "invite_code"},
		})
		ok := ta.do("POST", "/api/v1/distributors/"+D+"/review", op, map[string]any{"approve": true}).must(t, 200)
		if ok.Body["status"] != "active" || ok.Body["reviewed_at"] == nil {
			t.Fatalf("approve: %s", ok.Raw)
		}
		if team := ta.do("GET", "/api/v1/distributors/"+B+"/team", tokB, nil).must(t, 200); team.Body["team_size"] != 1.0 {
			t.Fatalf("team after approval: %s", team.Raw)
		}
	})
}

func TestGradesAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		_, tokA := ta.newAccount("a@example.com")
		g := ta.do("POST", "/api/v1/grades", op, map[string]any{"name": "Silver", "rank": 1, "tier1_rate_bp": 1200, "own_sales_min": "100.50"}).must(t, 201)
		if g.Body["currency"] != "CNY" || g.Body["own_sales_min"] != "100.50" || g.Body["tier1_rate_bp"] != 1200.0 || g.Body["team_sales_min"] != "0.00" {
			t.Fatalf("grade: %s", g.Raw)
		}
		G := fmt.Sprint(g.id())
		ta.runNet(t, []netScenario{
			{"anonymous list", "GET", "/api/v1/grades", "", nil, 401, errs.Unauthorized, ""},
			{"list", "GET", "/api/v1/grades", tokA, nil, 200, "", ""},
			{"create not operator", "POST", "/api/v1/grades", tokA, map[string]any{"name": "x", "rank": 2}, 403, errs.Forbidden, ""},
			{"create anonymous", "POST", "/api/v1/grades", "", map[string]any{"name": "x", "rank": 2}, 401, errs.Unauthorized, ""},
			{"no name", "POST", "/api/v1/grades", op, map[string]any{"rank": 2}, 400, errs.Invalid, "name"},
			{"no rank", "POST", "/api/v1/grades", op, map[string]any{"name": "x"}, 400, errs.Invalid, "rank"},
			{"same name", "POST", "/api/v1/grades", op, map[string]any{"name": "Silver", "rank": 2}, 409, errs.Conflict, "name"},
			{"same rank", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 1}, 409, errs.Conflict, "rank"},
			{"too precise", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 2, "own_sales_min": "1.234"}, 400, errs.Invalid, "own_sales_min"},
			{"negative", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 2, "team_sales_min": "-1"}, 400, errs.Invalid, "team_sales_min"},
			{"amount as number", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 2, "own_sales_min": 5}, 400, errs.Invalid, "own_sales_min"},
			{"over cap", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 2, "tier1_rate_bp": 2600}, 400, errs.Invalid, "tier1_rate_bp"},
			{"rate not integer", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 2, "tier1_rate_bp": "10"}, 400, errs.Invalid, "tier1_rate_bp"},
			{"head count off", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 2, "direct_members_min": 3}, 400, errs.Invalid, "direct_members_min"},
			{"unknown field", "POST", "/api/v1/grades", op, map[string]any{"name": "Gold", "rank": 2, "colour": "gold"}, 400, errs.Invalid, "colour"},
			{"patch missing", "PATCH", "/api/v1/grades/9999", op, map[string]any{"name": "x"}, 404, errs.NotFound, ""},
			{"patch bad id", "PATCH", "/api/v1/grades/x", op, map[string]any{"name": "x"}, 400, errs.Invalid, "id"},
			{"patch not operator", "PATCH", "/api/v1/grades/" + G, tokA, map[string]any{"name": "x"}, 403, errs.Forbidden, ""},
			{"patch empty name", "PATCH", "/api/v1/grades/" + G, op, map[string]any{"name": " "}, 400, errs.Invalid, "name"},
		})
		if list := ta.do("GET", "/api/v1/grades", tokA, nil).must(t, 200); len(list.Body["items"].([]any)) != 1 {
			t.Fatalf("refused creates added grades: %s", list.Raw)
		}
		p := ta.do("PATCH", "/api/v1/grades/"+G, op, map[string]any{"tier1_rate_bp": nil, "rank": 3}).must(t, 200)
		if p.Body["tier1_rate_bp"] != nil || p.Body["rank"] != 3.0 || p.Body["name"] != "Silver" || p.Body["own_sales_min"] != "100.50" {
			t.Fatalf("patch: %s", p.Raw)
		}

		// Set a distributor's grade.
		d := ta.do("POST", "/api/v1/distributors", tokA, map[string]any{}).must(t, 201)
		got := ta.do("PUT", fmt.Sprintf("/api/v1/distributors/%d/grade", d.id()), op, map[string]any{"grade_id": g.id()}).must(t, 200)
		if got.Body["grade_id"] != float64(g.id()) {
			t.Fatalf("grade: %s", got.Raw)
		}
		got = ta.do("PUT", fmt.Sprintf("/api/v1/distributors/%d/grade", d.id()), op, map[string]any{"grade_id": 0}).must(t, 200)
		if got.Body["grade_id"] != nil {
			t.Fatalf("cleared grade: %s", got.Raw)
		}
	})
}
