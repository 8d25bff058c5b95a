package api

import (
	"testing"

	"sharemall/internal/errs"
)

// TestCorrectionsAPI: suspension and reinstatement, a binding moved and a
// wallet adjusted through the API, each refusing bad input by its field
// and changing nothing then.
func TestCorrectionsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op, tokA, tokB, tokC, a, b := wdSetup(t, ta)
		A, B := itoa(a), itoa(b)
		custID, _ := ta.newAccount("dora@example.com")
		ta.runWd(t, []wdCase{
			{"suspend: anonymous", "POST", "/api/v1/distributors/" + A + "/suspend", "", map[string]any{"reason": "x"}, "", 401, errs.Unauthorized, ""},
			{"suspend: distributor", "POST", "/api/v1/distributors/" + B + "/suspend", tokA, map[string]any{"reason": "x"}, "", 403, errs.Forbidden, ""},
			{"suspend: no reason", "POST", "/api/v1/distributors/" + A + "/suspend", op, map[string]any{}, "", 400, errs.Invalid, "reason"},
			{"suspend: blank reason", "POST", "/api/v1/distributors/" + A + "/suspend", op, map[string]any{"reason": " "}, "", 400, errs.Invalid, "reason"},
			{"suspend: unknown field", "POST", "/api/v1/distributors/" + A + "/suspend", op, map[string]any{"reason": "x", "until": 1}, "", 400, errs.Invalid, "until"},
			{"suspend: unknown", "POST", "/api/v1/distributors/99999/suspend", op, map[string]any{"reason": "x"}, "", 404, errs.NotFound, ""},
			{"reinstate: active", "POST", "/api/v1/distributors/" + A + "/reinstate", op, map[string]any{"reason": "x"}, "", 409, errs.Conflict, "status"},
		})
		res := ta.do("POST", "/api/v1/distributors/"+A+"/suspend", op, map[string]any{"reason": "fake reviews"}).must(t, 200)
		if res.Body["status"] != "suspended" {
			t.Fatalf("suspended: %s", res.Raw)
		}
		ta.do("POST", "/api/v1/withdrawals", tokA, map[string]any{"amount": "5.00"}).wantErr(t, errs.Conflict, "distributor_id")

		bind := "/api/v1/customers/" + itoa(custID) + "/binding"
		ta.runWd(t, []wdCase{
			{"bind: customer", "PUT", bind, tokC, map[string]any{"distributor_id": b, "reason": "x"}, "", 403, errs.Forbidden, ""},
			{"bind: no distributor", "PUT", bind, op, map[string]any{"reason": "x"}, "", 400, errs.Invalid, "distributor_id"},
			{"bind: no reason", "PUT", bind, op, map[string]any{"distributor_id": b}, "", 400, errs.Invalid, "reason"},
			{"bind: suspended", "PUT", bind, op, map[string]any{"distributor_id": a, "reason": "x"}, "", 409, errs.Conflict, "distributor_id"},
			{"bind: unknown customer", "PUT", "/api/v1/customers/99999/binding", op, map[string]any{"distributor_id": b, "reason": "x"}, "", 404, errs.NotFound, ""},
		})
		res = ta.do("PUT", bind, op, map[string]any{"distributor_id": b, "reason": "signed up in the shop of B"}).must(t, 200)
		if res.Body["distributor_id"] != float64(b) {
			t.Fatalf("binding: %s", res.Raw)
		}
		res = ta.do("POST", "/api/v1/distributors/"+A+"/reinstate", op, map[string]any{"reason": "cleared"}).must(t, 200)
		if res.Body["status"] != "active" {
			t.Fatalf("reinstated: %s", res.Raw)
		}

		adj := "/api/v1/distributors/" + B + "/adjustments"
		body := map[string]any{"amount": "60.00", "direction": "debit", "reason": "duplicate commission", "key": "fix-1"}
		ta.runWd(t, []wdCase{
			{"adjust: distributor", "POST", adj, tokB, body, "", 403, errs.Forbidden, ""},
			{"adjust: no amount", "POST", adj, op, map[string]any{"direction": "debit", "reason": "r", "key": "k"}, "", 400, errs.Invalid, "amount"},
			{"adjust: bad amount", "POST", adj, op, map[string]any{"amount": "1.001", "direction": "debit", "reason": "r", "key": "k"}, "", 400, errs.Invalid, "amount"},
			{"adjust: bad direction", "POST", adj, op, map[string]any{"amount": "1.00", "direction": "up", "reason": "r", "key": "k"}, "", 400, errs.Invalid, "direction"},
			{"adjust: no reason", "POST", adj, op, map[string]any{"amount": "1.00", "direction": "debit", "key": "k"}, "", 400, errs.Invalid, "reason"},
			{"adjust: no key", "POST", adj, op, map[string]any{"amount": "1.00", "direction": "debit", "reason": "r"}, "", 400, errs.Invalid, "key"},
			{"adjust: unknown", "POST", "/api/v1/distributors/99999/adjustments", op, body, "", 404, errs.NotFound, ""},
		})
		res = ta.do("POST", adj, op, body).must(t, 201)
		if res.Body["amount"] != "60.00" || res.Body["to_debt"] != "10.00" || res.Body["reason"] != "duplicate commission" {
			t.Fatalf("adjustment: %s", res.Raw)
		}
		ta.do("POST", adj, op, body).must(t, 200)
		body["amount"] = "61.00"
		ta.do("POST", adj, op, body).wantErr(t, errs.Conflict, "key")
		list := ta.do("GET", adj, tokB, nil).must(t, 200)
		if items, _ := list.Body["items"].([]any); len(items) != 1 {
			t.Fatalf("adjustments: %s", list.Raw)
		}
		ta.do("GET", adj, tokA, nil).wantErr(t, errs.NotFound, "")
		wdWallet(t, ta, b, 0, 0)
		problems, err := ta.db.CheckLedger(t.Context())
		if err != nil || len(problems) > 0 {
			t.Fatalf("ledger check: %v %v", problems, err)
		}
	})
}

// TestProductReviewAPI: with product_review on, a supplier's new product
// is pending and hidden from customers until an operator approves it.
func TestProductReviewAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		op := w.tok["op"]
		s := settingsBody(t, ta, op)
		s["product_review"] = true
		ta.do("PUT", "/api/v1/program/settings", op, s).must(t, 200)
		id, _ := w.product(t, "a", "A-9", true)
		P := "/api/v1/products/" + itoa(id)
		if res := ta.do("GET", P, w.tok["a"], nil).must(t, 200); res.Body["review"] != "pending" {
			t.Fatalf("new product: %s", res.Raw)
		}
		ta.do("GET", P, w.tok["cust"], nil).must(t, 404)
		w.run(t, []catScenario{
			{"review: supplier", "POST", P + "/review", "a", map[string]any{"approve": true}, 403, errs.Forbidden, ""},
			{"review: no approve", "POST", P + "/review", "op", map[string]any{}, 400, errs.Invalid, "approve"},
			{"review: reject without reason", "POST", P + "/review", "op", map[string]any{"approve": false}, 400, errs.Invalid, "reason"},
			{"review: unknown", "POST", "/api/v1/products/99999/review", "op", map[string]any{"approve": true}, 404, errs.NotFound, ""},
		})
		if res := ta.do("POST", P+"/review", op, map[string]any{"approve": true}).must(t, 200); res.Body["review"] != "approved" {
			t.Fatalf("approved: %s", res.Raw)
		}
		ta.do("GET", P, w.tok["cust"], nil).must(t, 200)
		ta.do("POST", P+"/review", op, map[string]any{"approve": true}).wantErr(t, errs.Conflict, "review")
	})
}
