package api

import (
	"strings"
	"testing"

	"sharemall/internal/testutil"
)

// TestFulfilmentRoutesRefuseGarbage is TestEveryRouteRefusesGarbage for
// this file's routes, with a customer's token too (cases are theirs).
func TestFulfilmentRoutesRefuseGarbage(t *testing.T) {
	ta := newTestAPI(t, testutil.OpenSQLite(t))
	op := ta.operator()
	_, cust := ta.newAccount("c@example.com")
	ids := []string{"abc", "0", "-1", "99999999999999999999", "1.5", "%20", "1"}
	bodies := []any{nil, "", "{", "[]", "null", `{"unknown_field_x":1}`, `{"id":"x","name":12,"price":{}}`, "\x00\xff", strings.Repeat("[", 5000),
		map[string]any{"approve": "yes"}, map[string]any{"order_line_id": 1, "kind": "refund_only", "quantity": 1, "reason": "x"}}
	for _, route := range ta.srv.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		if !strings.Contains(pattern, "/fulfilment-orders") && !strings.Contains(pattern, "/aftersale-cases") && !strings.HasSuffix(pattern, "/tracking") {
			continue
		}
		for _, id := range ids {
			path := strings.ReplaceAll(pattern, "{id}", id)
			for _, tok := range []string{"", op, cust} {
				for _, body := range bodies {
					if method == "GET" && body != nil {
						continue
					}
					res := ta.do(method, path, tok, body)
					if res.Status >= 500 {
						t.Errorf("%s %s with %q: %d %s", method, path, body, res.Status, res.Raw)
					}
				}
			}
		}
	}
}
