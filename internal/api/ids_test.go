package api

import (
	"strings"
	"testing"
)

// TestZeroIDsAreRefused: wherever the API documents a positive id (a body
// field, a query parameter, a path segment), 0 is refused naming it, never
// read as "absent", and nothing changes.
func TestZeroIDsAreRefused(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShipWorld(t, ta)
		_, dist := ta.newAccount("dist@example.com")
		ta.do("POST", "/api/v1/distributors", dist, map[string]any{"display_name": "Dee"}).must(t, 201)
		product := ta.do("GET", "/api/v1/products", w.a, nil).must(t, 200).Body["items"].([]any)[0].(map[string]any)
		pid := itoa(int64(product["id"].(float64)))
		sku := map[string]any{"code": "Z-1", "retail_price": "9.99"}
		shipTo := map[string]any{"region_code": "CN.44.03.05", "name": "Li", "phone": "13800138000", "address": "1 Road"}
		count := func(path string) int {
			return len(ta.do("GET", path, w.op, nil).must(t, 200).Body["items"].([]any))
		}
		categories, products, warehouses := count("/api/v1/categories"), count("/api/v1/products"), count("/api/v1/warehouses")

		bodies := []struct {
			method, path, token string
			body                map[string]any
			field               string
		}{
			{"POST", "/api/v1/categories", w.op, map[string]any{"parent_id": 0, "name": "Tea", "slug": "tea"}, "parent_id"},
			{"POST", "/api/v1/products", w.op, map[string]any{"supplier_id": 0, "title": "T", "skus": []any{sku}}, "supplier_id"},
			{"POST", "/api/v1/products", w.a, map[string]any{"category_id": 0, "title": "T", "skus": []any{sku}}, "category_id"},
			{"PATCH", "/api/v1/products/" + pid, w.a, map[string]any{"category_id": 0}, "category_id"},
			{"POST", "/api/v1/warehouses", w.op, map[string]any{"supplier_id": 0, "name": "X", "region_code": "CN.44"}, "supplier_id"},
			{"POST", "/api/v1/shop/items", dist, map[string]any{"product_id": 0}, "product_id"},
			{"POST", "/api/v1/share-links", dist, map[string]any{"product_id": 0}, "product_id"},
			{"PUT", "/api/v1/regions/CN.44/agent", w.op, map[string]any{"distributor_id": 0}, "distributor_id"},
			{"POST", "/api/v1/orders", w.cust, map[string]any{"items": []any{map[string]any{"sku_id": 0, "quantity": 1}}, "ship_to": shipTo}, "items[0].sku_id"},
			{"POST", "/api/v1/withdrawals", w.op, map[string]any{"amount": "1.00", "distributor_id": 0}, "distributor_id"},
			{"POST", "/api/v1/aftersale-cases", w.cust, map[string]any{"order_line_id": 0, "kind": "refund_only", "quantity": 1, "reason": "x"}, "order_line_id"},
		}
		for _, b := range bodies {
			if res := ta.do(b.method, b.path, b.token, b.body); res.Status != 400 || res.errField() != b.field {
				t.Errorf("%s %s with %s 0: %d %s, want 400 naming %s", b.method, b.path, b.field, res.Status, res.Raw, b.field)
			}
		}
		if c, p, wh := count("/api/v1/categories"), count("/api/v1/products"), count("/api/v1/warehouses"); c != categories || p != products || wh != warehouses {
			t.Errorf("refused requests changed something: categories %d→%d, products %d→%d, warehouses %d→%d", categories, c, products, p, warehouses, wh)
		}

		// Every id a route takes in its query or its path, as the operator.
		isID := func(name string) bool { return name == "id" || strings.HasSuffix(name, "_id") }
		checked := 0
		for _, route := range ta.srv.Routes() {
			method, pattern, _ := strings.Cut(route, " ")
			if !strings.HasPrefix(pattern, "/api/v1/") || route == "DELETE /api/v1/sessions/current" {
				continue
			}
			var params []string
			for rest := pattern; strings.Contains(rest, "{"); {
				i, j := strings.Index(rest, "{"), strings.Index(rest, "}")
				params, rest = append(params, rest[i+1:j]), rest[j+1:]
			}
			if !slicesAll(params, isID) {
				continue // a path with a code or a role; its ids are not the point here
			}
			fill := func(zero string) string {
				path := pattern
				for _, p := range params {
					v := "1"
					if p == zero {
						v = "0"
					}
					path = strings.Replace(path, "{"+p+"}", v, 1)
				}
				return path
			}
			for _, p := range params {
				res := ta.do(method, fill(p), w.op, nil)
				if res.Status == 403 { // a distributor's own route
					res = ta.do(method, fill(p), dist, nil)
				}
				if res.Status != 400 || res.errField() != p {
					t.Errorf("%s with path %s 0: %d %s", route, p, res.Status, res.Raw)
				}
				checked++
			}
			if method != "GET" {
				continue
			}
			for _, q := range ta.srv.query[route] {
				if !isID(q) {
					continue
				}
				if res := ta.do(method, fill("")+"?"+q+"=0", w.op, nil); res.Status != 400 || res.errField() != q {
					t.Errorf("%s?%s=0: %d %s", route, q, res.Status, res.Raw)
				}
				checked++
			}
		}
		if checked < 60 {
			t.Fatalf("only %d ids checked", checked)
		}
	})
}

func slicesAll(s []string, f func(string) bool) bool {
	for _, v := range s {
		if !f(v) {
			return false
		}
	}
	return true
}
