package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// cartWorld is an order world with a second supplier: a cup (5.00, three
// in stock) beside the tea (19.99, five).
type cartAPIWorld struct {
	*orderWorld
	cup int64
}

func newCartAPIWorld(t *testing.T, ta *testAPI) *cartAPIWorld {
	ctx := context.Background()
	w := &cartAPIWorld{orderWorld: newOrderWorld(t, ta)}
	opID, _ := ta.newAccount("op3@example.com", account.Operator)
	supID, _ := ta.newAccount("cups@example.com")
	op, _ := ta.db.ActorFor(ctx, opID)
	owner, _ := ta.db.ActorFor(ctx, supID)
	s, err := ta.db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: "Cup Co", ContactEmail: "c@example.com"})
	if err == nil {
		_, err = ta.db.SetSupplierStatus(ctx, op, s.ID, catalog.Approved, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	owner, _ = ta.db.ActorFor(ctx, supID)
	p, err := ta.db.CreateProduct(ctx, owner, &catalog.Product{Title: "Cup", OnSale: true, Images: []string{"https://img.example/cup.png"},
		SKUs: []catalog.SKU{{Code: "C1", RetailPrice: 500, OnSale: true, Options: map[string]string{"colour": "blue"}}}})
	if err != nil {
		t.Fatal(err)
	}
	w.cup = p.SKUs[0].ID
	wh, err := ta.db.CreateWarehouse(ctx, owner, &catalog.Warehouse{Name: "Cup store", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	if err == nil {
		_, err = ta.db.SetStock(ctx, owner, wh.ID, w.cup, 3)
	}
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// browse sends a request as a browser with the visitor cookie visitor (none
// when ""), validated like ta.do, and returns the response and the visitor
// cookie the browser then holds.
func (ta *testAPI) browse(method, path, token, visitor string, body any) (*response, string) {
	ta.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ta.http.URL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if visitor != "" {
		req.AddCookie(&http.Cookie{Name: VisitorCookie, Value: visitor})
	}
	res, err := ta.http.Client().Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &out.Body)
	}
	if res.StatusCode >= 500 {
		ta.t.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	ta.validate(req, out)
	if v := visitorOf(out); v != "" {
		visitor = v
	}
	return out, visitor
}

// lines is a cart response's lines by SKU.
func cartLines(t *testing.T, res *response) map[int64]map[string]any {
	t.Helper()
	cart := res.Body
	if c, ok := cart["cart"].(map[string]any); ok {
		cart = c
	}
	out := map[int64]map[string]any{}
	for _, l := range cart["lines"].([]any) {
		l := l.(map[string]any)
		out[int64(l["sku_id"].(float64))] = l
	}
	return out
}

// An anonymous browser fills a cart across two suppliers (its first write
// sets the visitor cookie), signs in and claims it; every bad request names
// its field.
func TestCartAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCartAPIWorld(t, ta)
		res, v := ta.browse("GET", "/api/v1/cart", "", "", nil)
		if res.must(t, 200); v != "" || len(res.Body["lines"].([]any)) != 0 || res.Body["total"] != "0.00" {
			t.Fatalf("a read set a cookie %q or found lines: %s", v, res.Raw)
		}
		res, v = ta.browse("PUT", "/api/v1/cart/items/"+itoa(w.sku), "", "", map[string]any{"quantity": 2})
		if res.must(t, 200); len(v) != 32 {
			t.Fatalf("no visitor cookie set: %v", res.Header)
		}
		res, v2 := ta.browse("POST", "/api/v1/cart/items", "", v, map[string]any{"sku_id": w.cup})
		lines := cartLines(t, res.must(t, 200))
		if v2 != v || len(lines) != 2 || res.Body["total"] != "44.98" {
			t.Fatalf("cart %s", res.Raw)
		}
		if cup := lines[w.cup]; cup["quantity"] != float64(1) || cup["unit_price"] != "5.00" || cup["supplier_name"] != "Cup Co" ||
			cup["image"] != "https://img.example/cup.png" || cup["stock"] != "in_stock" || cup["available"] != float64(3) {
			t.Fatalf("cup %v", cup)
		}
		res, _ = ta.browse("PUT", "/api/v1/cart/items/"+itoa(w.cup), "", v, map[string]any{"quantity": 4})
		if cup := cartLines(t, res.must(t, 200))[w.cup]; cup["stock"] != "short" || res.Body["total"] != "39.98" {
			t.Fatalf("4 cups of 3: %s", res.Raw)
		}

		for _, c := range []struct {
			name, method, path string
			body               any
			status             int
			code               errs.Code
			field              string
		}{
			{"zero quantity", "PUT", "/api/v1/cart/items/" + itoa(w.sku), map[string]any{"quantity": 0}, 400, errs.Invalid, "quantity"},
			{"too many", "PUT", "/api/v1/cart/items/" + itoa(w.sku), map[string]any{"quantity": 10001}, 400, errs.Invalid, "quantity"},
			{"no quantity", "PUT", "/api/v1/cart/items/" + itoa(w.sku), map[string]any{}, 400, errs.Invalid, "quantity"},
			{"quantity a string", "PUT", "/api/v1/cart/items/" + itoa(w.sku), map[string]any{"quantity": "2"}, 400, errs.Invalid, "quantity"},
			{"unknown field", "PUT", "/api/v1/cart/items/" + itoa(w.sku), map[string]any{"quantity": 1, "price": "1"}, 400, errs.Invalid, "price"},
			{"bad path id", "PUT", "/api/v1/cart/items/tea", map[string]any{"quantity": 1}, 400, errs.Invalid, "sku_id"},
			{"no such SKU", "PUT", "/api/v1/cart/items/999999", map[string]any{"quantity": 1}, 400, errs.Invalid, "sku_id"},
			{"add without SKU", "POST", "/api/v1/cart/items", map[string]any{"quantity": 1}, 400, errs.Invalid, "sku_id"},
			{"add SKU 0", "POST", "/api/v1/cart/items", map[string]any{"sku_id": 0}, 400, errs.Invalid, "sku_id"},
			{"add past the cap", "POST", "/api/v1/cart/items", map[string]any{"sku_id": w.sku, "quantity": 9999}, 400, errs.Invalid, "quantity"},
			{"remove one not there", "DELETE", "/api/v1/cart/items/999999", nil, 404, errs.NotFound, ""},
			{"remove SKU 0", "DELETE", "/api/v1/cart/items/0", nil, 400, errs.Invalid, "sku_id"},
			{"claim anonymous", "POST", "/api/v1/cart/claim", nil, 401, errs.Unauthorized, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				res, _ := ta.browse(c.method, c.path, "", v, c.body)
				if res.Status != c.status {
					t.Fatalf("status %d: %s", res.Status, res.Raw)
				}
				res.wantErr(t, c.code, c.field)
			})
		}
		res, _ = ta.browse("DELETE", "/api/v1/cart/items/"+itoa(w.cup), "", v, nil)
		if lines := cartLines(t, res.must(t, 200)); len(lines) != 1 || lines[w.sku]["quantity"] != float64(2) {
			t.Fatalf("after the refusals and a removal: %s", res.Raw)
		}
		ta.browse("PUT", "/api/v1/cart/items/"+itoa(w.cup), "", v, map[string]any{"quantity": 1})

		// Signed in, the account's own cart, then the claim merges.
		ta.do("PUT", "/api/v1/cart/items/"+itoa(w.sku), w.cust, map[string]any{"quantity": 1}).must(t, 200)
		for _, bad := range []struct {
			body  any
			field string
		}{{map[string]any{"visitor": "not a token"}, "visitor"}, {map[string]any{"visitor": ""}, "visitor"}, {map[string]any{"who": "x"}, "who"}} {
			ta.do("POST", "/api/v1/cart/claim", w.cust, bad.body).wantErr(t, errs.Invalid, bad.field)
		}
		res, _ = ta.browse("POST", "/api/v1/cart/claim", w.cust, v, nil)
		lines = cartLines(t, res.must(t, 200))
		if res.Body["merged"] != float64(1) || res.Body["added"] != float64(1) || res.Body["dropped"] != float64(0) ||
			lines[w.sku]["quantity"] != float64(3) || lines[w.cup]["quantity"] != float64(1) {
			t.Fatalf("claim %s", res.Raw)
		}
		if res, _ = ta.browse("POST", "/api/v1/cart/claim", w.cust, v, nil); res.must(t, 200).Body["added"] != float64(0) ||
			cartLines(t, res)[w.sku]["quantity"] != float64(3) {
			t.Fatalf("claim again %s", res.Raw)
		}
		if res, _ = ta.browse("GET", "/api/v1/cart", "", v, nil); len(res.must(t, 200).Body["lines"].([]any)) != 0 {
			t.Fatalf("the anonymous cart is still there: %s", res.Raw)
		}
		if got := ta.do("GET", "/api/v1/cart", w.cust, nil).must(t, 200); len(got.Body["lines"].([]any)) != 2 || got.Body["total"] != "64.97" {
			t.Fatalf("account cart %s", got.Raw)
		}
	})
}

// The address book over HTTP: leaf regions, one default, others' addresses
// 404, every bad field named.
func TestAddressesAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		_, tok := ta.newAccount("me@example.com")
		_, other := ta.newAccount("other@example.com")
		home := map[string]any{"name": "Li Lei", "phone": "138 0013 8000", "region_code": "CN.44.03.05", "address": "1 Science Park Road"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for k, v := range home {
				m[k] = v
			}
			m[k] = v
			return m
		}
		first := ta.do("POST", "/api/v1/me/addresses", tok, home).must(t, 201)
		if first.Body["is_default"] != true || first.Body["phone"] != "+8613800138000" {
			t.Fatalf("first %s", first.Raw)
		}
		id := itoa(first.id())
		for _, c := range []struct {
			name, method, path, token string
			body                      any
			status                    int
			code                      errs.Code
			field                     string
		}{
			{"province", "POST", "/api/v1/me/addresses", tok, with("region_code", "CN.44"), 400, errs.Invalid, "region_code"},
			{"city with districts", "POST", "/api/v1/me/addresses", tok, with("region_code", "CN.44.03"), 400, errs.Invalid, "region_code"},
			{"unknown region", "POST", "/api/v1/me/addresses", tok, with("region_code", "CN.99.01.01"), 400, errs.Invalid, "region_code"},
			{"bad phone", "POST", "/api/v1/me/addresses", tok, with("phone", "call me"), 400, errs.Invalid, "phone"},
			{"no name", "POST", "/api/v1/me/addresses", tok, with("name", ""), 400, errs.Invalid, "name"},
			{"no address", "POST", "/api/v1/me/addresses", tok, with("address", " "), 400, errs.Invalid, "address"},
			{"default not a bool", "POST", "/api/v1/me/addresses", tok, with("is_default", "yes"), 400, errs.Invalid, "is_default"},
			{"unknown field", "POST", "/api/v1/me/addresses", tok, with("zip", "518000"), 400, errs.Invalid, "zip"},
			{"anonymous", "POST", "/api/v1/me/addresses", "", home, 401, errs.Unauthorized, ""},
			{"anonymous list", "GET", "/api/v1/me/addresses", "", nil, 401, errs.Unauthorized, ""},
			{"bad id", "GET", "/api/v1/me/addresses/home", tok, nil, 400, errs.Invalid, "id"},
			{"unset the default", "PATCH", "/api/v1/me/addresses/" + id, tok, map[string]any{"is_default": false}, 400, errs.Invalid, "is_default"},
			{"patch to a province", "PATCH", "/api/v1/me/addresses/" + id, tok, map[string]any{"region_code": "CN.11"}, 400, errs.Invalid, "region_code"},
			{"other reads", "GET", "/api/v1/me/addresses/" + id, other, nil, 404, errs.NotFound, ""},
			{"other patches", "PATCH", "/api/v1/me/addresses/" + id, other, map[string]any{"name": "X"}, 404, errs.NotFound, ""},
			{"other deletes", "DELETE", "/api/v1/me/addresses/" + id, other, nil, 404, errs.NotFound, ""},
			{"other makes it default", "POST", "/api/v1/me/addresses/" + id + "/default", other, nil, 404, errs.NotFound, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := ta.do(c.method, c.path, c.token, c.body)
				if res.Status != c.status {
					t.Fatalf("status %d: %s", res.Status, res.Raw)
				}
				res.wantErr(t, c.code, c.field)
			})
		}
		second := ta.do("POST", "/api/v1/me/addresses", tok, with("region_code", "CN.44.19")).must(t, 201) // Dongguan: no districts
		if second.Body["is_default"] != false {
			t.Fatalf("second %s", second.Raw)
		}
		sid := itoa(second.id())
		if p := ta.do("PATCH", "/api/v1/me/addresses/"+sid, tok, map[string]any{"address": "2 Dongguan Road", "is_default": true}).must(t, 200); p.Body["address"] != "2 Dongguan Road" || p.Body["name"] != "Li Lei" {
			t.Fatalf("patch %s", p.Raw)
		}
		list := ta.do("GET", "/api/v1/me/addresses", tok, nil).must(t, 200).Body["items"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["id"] != float64(second.id()) || list[1].(map[string]any)["is_default"] != false {
			t.Fatalf("list %v", list)
		}
		if d := ta.do("POST", "/api/v1/me/addresses/"+id+"/default", tok, nil).must(t, 200); d.Body["is_default"] != true {
			t.Fatalf("default %s", d.Raw)
		}
		ta.do("DELETE", "/api/v1/me/addresses/"+id, tok, nil).must(t, 204)
		if a := ta.do("GET", "/api/v1/me/addresses/"+sid, tok, nil).must(t, 200); a.Body["is_default"] != true {
			t.Fatalf("after deleting the default: %s", a.Raw)
		}
		if list := ta.do("GET", "/api/v1/me/addresses", other, nil).must(t, 200).Body["items"].([]any); len(list) != 0 {
			t.Fatalf("other's book %v", list)
		}
	})
}

// The quote of a checkout body is the order POST /api/v1/orders then
// places; checking out the cart orders its lines to a saved address, takes
// them out of the cart and answers a retry with the same order.
func TestQuoteAndCartCheckoutAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCartAPIWorld(t, ta)
		body := map[string]any{"items": []map[string]any{{"sku_id": w.sku, "quantity": 2}, {"sku_id": w.cup, "quantity": 1}},
			"ship_to": map[string]any{"region_code": "CN.44.03.05", "name": "Li", "phone": "138", "address": "1 Road"}}
		q := ta.do("POST", "/api/v1/orders/quote", w.cust, body).must(t, 200)
		if q.Body["total"] != "44.98" || len(q.Body["parcels"].([]any)) != 2 || q.Body["coupon_error"] != nil {
			t.Fatalf("quote %s", q.Raw)
		}
		o := ta.do("POST", "/api/v1/orders", w.cust, body).must(t, 201)
		ql, ol := q.Body["lines"].([]any), o.Body["lines"].([]any)
		for i := range ol {
			a, b := ql[i].(map[string]any), ol[i].(map[string]any)
			if a["unit_price"] != b["unit_price"] || a["warehouse_id"] != b["warehouse_id"] || a["discount"] != b["discount"] {
				t.Fatalf("line %d: quote %v, order %v", i, a, b)
			}
		}
		if o.Body["total"] != q.Body["total"] || len(o.Body["fulfilments"].([]any)) != 2 {
			t.Fatalf("order %s", o.Raw)
		}
		body["coupon_code"] = "NOPE"
		if q := ta.do("POST", "/api/v1/orders/quote", w.cust, body).must(t, 200); q.Body["coupon_error"].(map[string]any)["field"] != "coupon_code" ||
			q.Body["discount"] != "0.00" {
			t.Fatalf("quote with a bad coupon %s", q.Raw)
		}
		ta.do("POST", "/api/v1/orders/quote", "", body).wantErr(t, errs.Unauthorized, "")
		ta.do("POST", "/api/v1/orders/quote", w.cust, map[string]any{"items": body["items"],
			"ship_to": map[string]any{"region_code": "CN.44", "name": "Li", "phone": "138", "address": "1 Road"}}).wantErr(t, errs.Invalid, "ship_to.region_code")
		ta.do("POST", "/api/v1/orders/quote", w.cust, map[string]any{"items": []any{}, "ship_to": body["ship_to"]}).wantErr(t, errs.Invalid, "items")
		ta.do("POST", "/api/v1/orders/quote", w.cust, `{"items": 1}`).wantErr(t, errs.Invalid, "items")

		// The cart: the rest of the stock, to a saved address.
		addr := ta.do("POST", "/api/v1/me/addresses", w.cust, map[string]any{"name": "Li Lei", "phone": "13800138000",
			"region_code": "CN.11.01.05", "address": "8 Chaoyang Road"}).must(t, 201).id()
		_, stranger := ta.newAccount("stranger@example.com")
		theirs := ta.do("POST", "/api/v1/me/addresses", stranger, map[string]any{"name": "X", "phone": "13800138001",
			"region_code": "CN.11.01.05", "address": "9 Road"}).must(t, 201).id()
		checkout := func(key string, body any) *response {
			t.Helper()
			b, _ := json.Marshal(body)
			h := map[string]string{"Authorization": "Bearer " + w.cust}
			if key != "" {
				h["Idempotency-Key"] = key
			}
			return ta.post("/api/v1/cart/checkout", h, b)
		}
		checkout("", map[string]any{"address_id": addr}).wantErr(t, errs.Invalid, "sku_ids") // empty cart
		ta.do("PUT", "/api/v1/cart/items/"+itoa(w.sku), w.cust, map[string]any{"quantity": 3}).must(t, 200)
		ta.do("PUT", "/api/v1/cart/items/"+itoa(w.cup), w.cust, map[string]any{"quantity": 3}).must(t, 200)
		for _, c := range []struct {
			name   string
			body   any
			status int
			code   errs.Code
			field  string
		}{
			{"no address", map[string]any{}, 400, errs.Invalid, "address_id"},
			{"address 0", map[string]any{"address_id": 0}, 400, errs.Invalid, "address_id"},
			{"another's address", map[string]any{"address_id": theirs}, 400, errs.Invalid, "address_id"},
			{"SKU not in the cart", map[string]any{"address_id": addr, "sku_ids": []int64{w.sku, 999999}}, 400, errs.Invalid, "sku_ids[1]"},
			{"SKU repeated", map[string]any{"address_id": addr, "sku_ids": []int64{w.sku, w.sku}}, 400, errs.Invalid, "sku_ids[1]"},
			{"bad coupon", map[string]any{"address_id": addr, "coupon_code": "NOPE"}, 400, errs.Invalid, "coupon_code"},
			{"sku_ids not a list", map[string]any{"address_id": addr, "sku_ids": 5}, 400, errs.Invalid, "sku_ids"},
			{"unknown field", map[string]any{"address_id": addr, "ship_to": map[string]any{}}, 400, errs.Invalid, "ship_to"},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := checkout("", c.body)
				if res.Status != c.status {
					t.Fatalf("status %d: %s", res.Status, res.Raw)
				}
				res.wantErr(t, c.code, c.field)
			})
		}
		// Three cups of the two left: no stock, on sku_ids; the cart is unchanged.
		checkout("", map[string]any{"address_id": addr}).wantErr(t, errs.Conflict, "sku_ids")
		if got := cartLines(t, ta.do("GET", "/api/v1/cart", w.cust, nil).must(t, 200)); len(got) != 2 {
			t.Fatalf("cart after refusals %v", got)
		}
		placed := checkout("c1", map[string]any{"address_id": addr, "sku_ids": []int64{w.sku}}).must(t, 201)
		if st := placed.Body["ship_to"].(map[string]any); st["region_code"] != "CN.11.01.05" || st["phone"] != "+8613800138000" ||
			placed.Body["total"] != "59.97" || len(placed.Body["lines"].([]any)) != 1 {
			t.Fatalf("placed %s", placed.Raw)
		}
		if again := checkout("c1", map[string]any{"address_id": addr, "sku_ids": []int64{w.sku}}).must(t, 201); again.id() != placed.id() {
			t.Fatalf("retry placed another order: %s", again.Raw)
		}
		checkout("c1", map[string]any{"address_id": addr}).wantErr(t, errs.Conflict, "Idempotency-Key")
		if got := cartLines(t, ta.do("GET", "/api/v1/cart", w.cust, nil).must(t, 200)); len(got) != 1 || got[w.cup] == nil {
			t.Fatalf("cart after checkout %v", got)
		}
		ta.do("GET", "/api/v1/orders/"+itoa(placed.id()), w.cust, nil).must(t, 200)
	})
}

// visitorOf is the visitor cookie a response set, "" for none.
func visitorOf(res *response) string {
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == VisitorCookie {
			return c.Value
		}
	}
	return ""
}
