package api

import (
	"fmt"
	"testing"

	"sharemall/internal/errs"
)

// Templates through the API: refusals by field, another supplier's
// template out of reach, and a quote and an order that charge the fee.
func TestShippingTemplatesAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		wa := fmt.Sprintf("/api/v1/warehouses/%d", w.whA)
		ta.do("PUT", wa+"/areas", w.tok["a"], map[string]any{"areas": []string{"CN"}}).must(t, 200)
		ta.do("PUT", fmt.Sprintf("%s/stock/%d", wa, w.skuA), w.tok["a"], map[string]any{"on_hand": 50}).must(t, 200)
		rule := func(first, add string, regions ...string) map[string]any {
			r := map[string]any{"first_units": 1, "first_fee": first, "additional_units": 1, "additional_fee": add}
			if len(regions) > 0 {
				r["regions"] = regions
			}
			return r
		}
		tmpl := map[string]any{"name": "Express", "basis": "piece", "default": rule("10.00", "5.00"),
			"rules": []any{rule("8.00", "3.00", "CN.44")}, "free_above": "100.00"}
		for _, tc := range []struct {
			name, field string
			body        map[string]any
		}{
			{"negative fee", "rules[0].first_fee", map[string]any{"name": "X", "basis": "piece", "default": rule("1.00", "1.00"), "rules": []any{rule("-1.00", "1.00", "CN.44")}}},
			{"overlap", "rules[1].regions[0]", map[string]any{"name": "X", "basis": "piece", "default": rule("1.00", "1.00"),
				"rules": []any{rule("1.00", "1.00", "CN.44"), rule("1.00", "1.00", "CN.44")}}},
			{"unknown region", "rules[0].regions[0]", map[string]any{"name": "X", "basis": "piece", "default": rule("1.00", "1.00"), "rules": []any{rule("1.00", "1.00", "CN.99")}}},
			{"no default", "default", map[string]any{"name": "X", "basis": "piece"}},
			{"bad basis", "basis", map[string]any{"name": "X", "basis": "volume", "default": rule("1.00", "1.00")}},
		} {
			ta.do("POST", "/api/v1/shipping-templates", w.tok["a"], tc.body).wantErr(t, errs.Invalid, tc.field)
		}
		id := ta.do("POST", "/api/v1/shipping-templates", w.tok["a"], tmpl).must(t, 201).id()
		path := fmt.Sprintf("/api/v1/shipping-templates/%d", id)
		if got := ta.do("GET", path, w.tok["a"], nil).must(t, 200); got.Body["free_above"] != "100.00" {
			t.Fatalf("template %v", got.Body)
		}
		ta.do("GET", path, w.tok["b"], nil).wantErr(t, errs.NotFound, "")
		ta.do("PUT", path, w.tok["b"], tmpl).wantErr(t, errs.NotFound, "")
		ta.do("PUT", fmt.Sprintf("/api/v1/products/%d/shipping-template", w.prodB), w.tok["b"], map[string]any{"shipping_template_id": id}).
			wantErr(t, errs.Invalid, "shipping_template_id")
		ta.do("PUT", fmt.Sprintf("/api/v1/skus/%d/weight", w.skuA), w.tok["a"], map[string]any{"weight_grams": -1}).wantErr(t, errs.Invalid, "weight_grams")
		ta.do("PUT", fmt.Sprintf("/api/v1/skus/%d/weight", w.skuA), w.tok["a"], map[string]any{"weight_grams": 250}).must(t, 200)
		ta.do("PUT", fmt.Sprintf("/api/v1/suppliers/%d/shipping-template", w.supA), w.tok["a"], map[string]any{"shipping_template_id": id}).must(t, 200)
		if l := ta.do("GET", "/api/v1/shipping-templates", w.tok["a"], nil).must(t, 200); l.Body["default_id"] != float64(id) {
			t.Fatalf("list %v", l.Body)
		}

		body := map[string]any{"items": []any{map[string]any{"sku_id": w.skuA, "quantity": 2}},
			"ship_to": map[string]any{"region_code": "CN.44.03.05", "name": "Li Lei", "phone": "13800138000", "address": "1 Road"}}
		q := ta.do("POST", "/api/v1/orders/quote", w.tok["cust"], body).must(t, 200)
		if q.Body["shipping"] != "11.00" || q.Body["total"] != "50.98" || q.Body["parcels"].([]any)[0].(map[string]any)["shipping_fee"] != "11.00" {
			t.Fatalf("quote %v", q.Body)
		}
		o := ta.do("POST", "/api/v1/orders", w.tok["cust"], body).must(t, 201)
		if o.Body["shipping"] != "11.00" || o.Body["total"] != "50.98" || o.Body["fulfilments"].([]any)[0].(map[string]any)["shipping_fee"] != "11.00" {
			t.Fatalf("order %v", o.Body)
		}
	})
}
