package api

import (
	"fmt"
	"testing"

	"sharemall/internal/errs"
)

// TestShopProductIsChargedPrice: a shop's product (where the share-link
// page takes its price) is priced as the order then charges, markup
// included; for a customer bound to another distributor, that
// distributor's shop product is the price its order pays. The landing page
// itself is tested in internal/web (TestLandingShowsChargedPrice).
func TestShopProductIsChargedPrice(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShopAPIWorld(t, ta)
		sku := w.prod.SKUs[1].ID // retail 39.99, ceiling 49.99
		wh := ta.do("POST", "/api/v1/warehouses", w.supplierTok, map[string]any{"name": "W", "region_code": "CN", "areas": []string{"CN"}}).must(t, 201).id()
		ta.do("PUT", fmt.Sprintf("/api/v1/warehouses/%d/stock/%d", wh, sku), w.supplierTok, map[string]any{"on_hand": 10}).must(t, 200)
		for _, tok := range []string{w.tok1, w.tok2} {
			ta.do("PUT", "/api/v1/shop", tok, map[string]any{"name": "Leaf"}).must(t, 201)
		}
		ta.do("POST", "/api/v1/shop/items", w.tok1, map[string]any{"product_id": w.prod.ID}).must(t, 200)
		ta.do("PUT", fmt.Sprintf("/api/v1/shop/prices/%d", sku), w.tok1, map[string]any{"price": "45.00"}).must(t, 200)
		code := ta.do("POST", "/api/v1/share-links", w.tok1, map[string]any{"product_id": w.prod.ID}).must(t, 200).Body["code"].(string)

		// shown is SKU sku's price in the shop of distributor d.
		shown := func(d int64) (string, string) {
			t.Helper()
			to := fmt.Sprintf("/api/v1/shops/%d/products/%d", d, w.prod.ID)
			for _, k := range ta.do("GET", to, "", nil).must(t, 200).Body["skus"].([]any) {
				if k := k.(map[string]any); k["id"] == float64(sku) {
					price, _ := k["price"].(string) // absent on a catalog product
					return to, price
				}
			}
			t.Fatalf("%s shows no SKU %d", to, sku)
			return "", ""
		}
		charged := func(token string) map[string]any {
			t.Helper()
			o := ta.do("POST", "/api/v1/orders", token, map[string]any{"items": []map[string]any{{"sku_id": sku, "quantity": 2}},
				"ship_to": map[string]any{"region_code": "CN.44.03.05", "name": "Li", "phone": "138", "address": "1 Road"}}).must(t, 201)
			return o.Body["lines"].([]any)[0].(map[string]any)
		}

		ta.visit(t, code, w.custTok, "") // binds the customer to d1
		to, price := shown(w.d1)
		line := charged(w.custTok)
		if price != "45.00" || line["unit_price"] != price || line["markup"] != "10.02" || line["unit_retail"] != "39.99" {
			t.Fatalf("shown %s at %s; charged %v", to, price, line)
		}

		// Bound to d2 first (first touch, permanent): d1's link shows d2's
		// price, retail here, because the order is d2's.
		_, tok := ta.newAccount("other@example.com")
		code2 := ta.do("POST", "/api/v1/share-links", w.tok2, map[string]any{}).must(t, 200).Body["code"].(string)
		ta.visit(t, code2, tok, "")
		ta.visit(t, code, tok, "")
		to, price = shown(w.d2)
		line = charged(tok)
		if price != "39.99" || line["unit_price"] != price {
			t.Fatalf("shown %s at %s; charged %v", to, price, line)
		}
		res := ta.do("GET", to, "", nil).must(t, 200)
		if res.Body["listed"] != false || res.Body["position"] != float64(0) || res.Body["distributor_id"] != float64(w.d2) {
			t.Fatalf("unlisted product: %s", res.Raw)
		}

		ta.do("GET", fmt.Sprintf("/api/v1/shops/%d/products/999999", w.d1), "", nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", fmt.Sprintf("/api/v1/shops/999999/products/%d", w.prod.ID), "", nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", fmt.Sprintf("/api/v1/shops/%d/products/x", w.d1), "", nil).wantErr(t, errs.Invalid, "product_id")
	})
}
