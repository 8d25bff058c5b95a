package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
)

// shopAPIWorld: an approved supplier with a product on sale (SKU 0: 19.99,
// no ceiling; SKU 1: 39.99 up to 49.99), two distributors and a customer.
type shopAPIWorld struct {
	ta          *testAPI
	op          string
	prod        *catalog.Product
	d1, d2      int64 // distributor ids
	tok1, tok2  string
	cust        int64
	custTok     string
	supplierTok string
}

func newShopAPIWorld(t *testing.T, ta *testAPI) *shopAPIWorld {
	t.Helper()
	ctx := context.Background()
	w := &shopAPIWorld{ta: ta}
	opID, opTok := ta.newAccount("op@example.com", account.Operator)
	w.op = opTok
	op, err := ta.db.ActorFor(ctx, opID)
	if err != nil {
		t.Fatal(err)
	}
	supID, supTok := ta.newAccount("sup@example.com")
	w.supplierTok = supTok
	sa, _ := ta.db.ActorFor(ctx, supID)
	sup, err := ta.db.ApplySupplier(ctx, sa, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "t@example.com", AllowMarkup: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.db.SetSupplierStatus(ctx, op, sup.ID, catalog.Approved, ""); err != nil {
		t.Fatal(err)
	}
	sa, _ = ta.db.ActorFor(ctx, supID)
	ceiling := money.Amount(4999)
	w.prod, err = ta.db.CreateProduct(ctx, sa, &catalog.Product{Title: "Oolong", OnSale: true, SKUs: []catalog.SKU{
		{Code: "O-100", RetailPrice: 1999, OnSale: true},
		{Code: "O-250", RetailPrice: 3999, PriceCeiling: &ceiling, OnSale: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	join := func(email string) (int64, string) {
		id, tok := ta.newAccount(email)
		a, _ := ta.db.ActorFor(ctx, id)
		d, err := ta.db.JoinNetwork(ctx, a, network.Join{DisplayName: email})
		if err != nil {
			t.Fatal(err)
		}
		return d.ID, tok
	}
	w.d1, w.tok1 = join("d1@example.com")
	w.d2, w.tok2 = join("d2@example.com")
	w.cust, w.custTok = ta.newAccount("cust@example.com")
	return w
}

// open requests path without following redirects, with an optional visitor
// cookie, and validates the response like ta.do.
func (ta *testAPI) open(t *testing.T, path, token, visitor string) *response {
	t.Helper()
	req, _ := http.NewRequest("GET", ta.http.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if visitor != "" {
		req.AddCookie(&http.Cookie{Name: VisitorCookie, Value: visitor})
	}
	c := *ta.http.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &out.Body)
	}
	if res.StatusCode >= 500 {
		t.Errorf("GET %s: %d %s", path, res.StatusCode, raw)
	}
	ta.validate(req, out)
	return out
}

// visit records that the holder of token (or, without one, the anonymous
// browser visitor) opened share link code, as the landing page does.
func (ta *testAPI) visit(t *testing.T, code, token, visitor string) {
	t.Helper()
	var actor account.Actor
	if token != "" {
		a, err := ta.db.ActorFor(context.Background(), ta.do("GET", "/api/v1/me", token, nil).must(t, 200).id())
		if err != nil {
			t.Fatal(err)
		}
		actor = a
	}
	if _, _, err := ta.db.RecordVisit(context.Background(), actor, code, visitor); err != nil {
		t.Fatal(err)
	}
}

func TestShopAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShopAPIWorld(t, ta)
		ta.do("PUT", "/api/v1/shop", "", map[string]any{"name": "x"}).wantErr(t, errs.Unauthorized, "")
		ta.do("PUT", "/api/v1/shop", w.custTok, map[string]any{"name": "x"}).wantErr(t, errs.Forbidden, "")
		ta.do("PUT", "/api/v1/shop", w.tok1, map[string]any{"name": ""}).wantErr(t, errs.Invalid, "name")
		ta.do("PUT", "/api/v1/shop", w.tok1, map[string]any{"name": "x", "avatar_url": "ftp://x"}).wantErr(t, errs.Invalid, "avatar_url")
		ta.do("PUT", "/api/v1/shop", w.tok1, map[string]any{"name": "x", "owner": 1}).wantErr(t, errs.Invalid, "owner")
		ta.do("GET", "/api/v1/shops/"+itoa(w.d1), "", nil).wantErr(t, errs.NotFound, "")
		ta.do("POST", "/api/v1/shop/items", w.tok1, map[string]any{"product_id": w.prod.ID}).wantErr(t, errs.Conflict, "")

		ta.do("PUT", "/api/v1/shop", w.tok1, map[string]any{"name": "Leaf", "description": "teas"}).must(t, 201)
		res := ta.do("PUT", "/api/v1/shop", w.tok1, map[string]any{"name": "Leaf & Co", "avatar_url": "https://img.example/a.png"}).must(t, 200)
		if res.Body["name"] != "Leaf & Co" || res.Body["description"] != "" {
			t.Fatalf("update: %s", res.Raw)
		}
		res = ta.do("GET", "/api/v1/shops/"+itoa(w.d1), "", nil).must(t, 200)
		if res.Body["avatar_url"] != "https://img.example/a.png" {
			t.Fatalf("public shop: %s", res.Raw)
		}
		ta.do("GET", "/api/v1/shops/abc", "", nil).wantErr(t, errs.Invalid, "distributor_id")

		ta.do("POST", "/api/v1/shop/items", w.tok1, map[string]any{"product_id": 999999}).wantErr(t, errs.Invalid, "product_id")
		ta.do("POST", "/api/v1/shop/items", w.tok1, map[string]any{"product_id": "1"}).wantErr(t, errs.Invalid, "product_id")
		res = ta.do("POST", "/api/v1/shop/items", w.tok1, map[string]any{"product_id": w.prod.ID}).must(t, 200)
		if skus, _ := res.Body["skus"].([]any); len(skus) != 2 {
			t.Fatalf("item: %s", res.Raw)
		}
		sku1 := itoa(w.prod.SKUs[1].ID)
		ta.do("PUT", "/api/v1/shop/prices/"+sku1, w.tok1, map[string]any{"price": "50.00"}).wantErr(t, errs.Invalid, "price")
		ta.do("PUT", "/api/v1/shop/prices/"+sku1, w.tok1, map[string]any{"price": "cheap"}).wantErr(t, errs.Invalid, "price")
		ta.do("PUT", "/api/v1/shop/prices/"+itoa(w.prod.SKUs[0].ID), w.tok1, map[string]any{"price": "20.00"}).wantErr(t, errs.Invalid, "price")
		ta.do("PUT", "/api/v1/shop", w.tok2, map[string]any{"name": "Other"}).must(t, 201)
		ta.do("PUT", "/api/v1/shop/prices/"+sku1, w.tok2, map[string]any{"price": "45.00"}).wantErr(t, errs.NotFound, "")
		ta.do("PUT", "/api/v1/shop/prices/"+sku1, w.custTok, map[string]any{"price": "45.00"}).wantErr(t, errs.Forbidden, "")
		res = ta.do("PUT", "/api/v1/shop/prices/"+sku1, w.tok1, map[string]any{"price": "45.00"}).must(t, 200)
		if res.Body["price"] != "45.00" || res.Body["retail_price"] != "39.99" {
			t.Fatalf("price: %s", res.Raw)
		}
		res = ta.do("GET", "/api/v1/shops/"+itoa(w.d1)+"/items?limit=1", "", nil).must(t, 200)
		items, _ := res.Body["items"].([]any)
		if len(items) != 1 || !strings.Contains(string(res.Raw), `"price":"45.00"`) {
			t.Fatalf("items: %s", res.Raw)
		}
		ta.do("GET", "/api/v1/shops/"+itoa(w.d2)+"/items", "", nil).must(t, 200)
		ta.do("GET", "/api/v1/shops/999999/items", "", nil).wantErr(t, errs.NotFound, "")

		ta.do("DELETE", "/api/v1/shop/items/"+itoa(w.prod.ID), w.tok2, nil).wantErr(t, errs.NotFound, "")
		ta.do("DELETE", "/api/v1/shop/items/"+itoa(w.prod.ID), w.tok1, nil).must(t, 204)
		ta.do("DELETE", "/api/v1/shop/items/"+itoa(w.prod.ID), w.tok1, nil).wantErr(t, errs.NotFound, "")
		res = ta.do("GET", "/api/v1/shops/"+itoa(w.d1)+"/items", "", nil).must(t, 200)
		if items, _ := res.Body["items"].([]any); len(items) != 0 {
			t.Fatalf("removed item listed: %s", res.Raw)
		}
	})
}

func TestShareAndBindingAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShopAPIWorld(t, ta)
		ta.do("POST", "/api/v1/share-links", "", map[string]any{}).wantErr(t, errs.Unauthorized, "")
		ta.do("POST", "/api/v1/share-links", w.custTok, map[string]any{}).wantErr(t, errs.Forbidden, "")
		ta.do("POST", "/api/v1/share-links", w.tok1, map[string]any{}).wantErr(t, errs.Conflict, "") // no shop yet
		ta.do("POST", "/api/v1/share-links", w.tok1, map[string]any{"channel": "sms"}).wantErr(t, errs.Invalid, "channel")
		ta.do("PUT", "/api/v1/shop", w.tok1, map[string]any{"name": "Leaf"}).must(t, 201)

		shop := ta.do("POST", "/api/v1/share-links", w.tok1, map[string]any{"channel": "poster"}).must(t, 200)
		code, _ := shop.Body["code"].(string)
		if shop.Body["url"] != ta.http.URL+"/s/"+code || shop.Body["product_id"] != nil {
			t.Fatalf("shop link: %s", shop.Raw)
		}
		again := ta.do("POST", "/api/v1/share-links", w.tok1, map[string]any{"channel": "poster"}).must(t, 200)
		if again.Body["code"] != code {
			t.Fatalf("a second link %s, want %s", again.Body["code"], code)
		}
		prod := ta.do("POST", "/api/v1/share-links", w.tok1, map[string]any{"product_id": w.prod.ID}).must(t, 200)
		pcode, _ := prod.Body["code"].(string)

		png := ta.open(t, "/api/v1/share-links/"+code+"/poster.png", "", "").must(t, 200)
		if png.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(png.Raw, []byte("\x89PNG")) {
			t.Fatalf("poster: %s %q", png.Header.Get("Content-Type"), png.Raw[:min(8, len(png.Raw))])
		}
		ta.open(t, "/api/v1/share-links/NOSUCHCODE/poster.png", "", "").wantErr(t, errs.NotFound, "")

		// Visits as the landing page records them (internal/web tests the
		// page: its cookie, its 404, its binding): an anonymous browser's
		// twice, then a signed-in customer's, bound at once.
		visitor := "browser-token-1"
		ta.visit(t, code, "", visitor)
		ta.visit(t, code, "", visitor)
		ta.visit(t, pcode, w.custTok, "")
		b := ta.do("GET", "/api/v1/me/binding", w.custTok, nil).must(t, 200)
		if b.Body["distributor_id"] != float64(w.d1) || b.Body["mode"] != "first_touch" {
			t.Fatalf("binding: %s", b.Raw)
		}
		ta.do("GET", "/api/v1/me/binding", "", nil).wantErr(t, errs.Unauthorized, "")

		// A distributor opening its own link is refused, and the refusal explained.
		ta.visit(t, pcode, w.tok1, "")
		b = ta.do("GET", "/api/v1/me/binding", w.tok1, nil).must(t, 200)
		events, _ := b.Body["events"].([]any)
		if b.Body["distributor_id"] != nil || len(events) != 1 || events[0].(map[string]any)["outcome"] != "refused_self" {
			t.Fatalf("own link: %s", b.Raw)
		}

		// Anonymous visits are claimed after signing in.
		newID, newTok := ta.newAccount("new@example.com")
		ta.do("POST", "/api/v1/me/visits/claim", newTok, map[string]any{"visitor": "not valid!"}).wantErr(t, errs.Invalid, "visitor")
		ta.do("POST", "/api/v1/me/visits/claim", newTok, map[string]any{}).wantErr(t, errs.Invalid, "visitor")
		ta.do("POST", "/api/v1/me/visits/claim", "", map[string]any{"visitor": visitor}).wantErr(t, errs.Unauthorized, "")
		res := ta.do("POST", "/api/v1/me/visits/claim", newTok, map[string]any{"visitor": visitor}).must(t, 200)
		ev, _ := res.Body["event"].(map[string]any)
		if res.Body["claimed"] != float64(2) || ev["outcome"] != "bound" || ev["distributor_id"] != float64(w.d1) {
			t.Fatalf("claim: %s", res.Raw)
		}
		res = ta.do("POST", "/api/v1/me/visits/claim", newTok, map[string]any{"visitor": visitor}).must(t, 200)
		if res.Body["claimed"] != float64(0) || res.Body["event"] != nil {
			t.Fatalf("second claim: %s", res.Raw)
		}

		path := fmt.Sprintf("/api/v1/customers/%d/binding", newID)
		ta.do("GET", path, w.custTok, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", path, "", nil).wantErr(t, errs.Unauthorized, "")
		ta.do("GET", "/api/v1/customers/999999/binding", w.op, nil).wantErr(t, errs.NotFound, "")
		res = ta.do("GET", path, w.op, nil).must(t, 200)
		if res.Body["distributor_id"] != float64(w.d1) {
			t.Fatalf("operator view: %s", res.Raw)
		}
	})
}

func TestCouponAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShopAPIWorld(t, ta)
		ok := map[string]any{"code": "tea10", "kind": "amount", "amount_off": "10.00", "min_order": "50.00", "max_uses": 5}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for a, b := range ok {
				m[a] = b
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		ta.do("POST", "/api/v1/coupons", "", ok).wantErr(t, errs.Unauthorized, "")
		ta.do("POST", "/api/v1/coupons", w.custTok, ok).wantErr(t, errs.Forbidden, "")
		for _, tc := range []struct {
			body  map[string]any
			field string
		}{
			{with("code", "T-10"), "code"},
			{with("kind", "gift"), "kind"},
			{with("amount_off", nil), "amount_off"},
			{with("amount_off", "ten"), "amount_off"},
			{with("percent_off_bp", 100), "percent_off_bp"},
			{with("min_order", "-1.00"), "min_order"},
			{with("max_uses", 0), "max_uses"},
			{with("valid_until", "2020-01-01T00:00:00Z"), "valid_until"},
			{map[string]any{"code": "HALF", "kind": "percent", "percent_off_bp": 5001}, "percent_off_bp"},
			{map[string]any{"code": "HALF", "kind": "percent"}, "percent_off_bp"},
		} {
			ta.do("POST", "/api/v1/coupons", w.tok1, tc.body).wantErr(t, errs.Invalid, tc.field)
		}
		res := ta.do("GET", "/api/v1/coupons", w.tok1, nil).must(t, 200)
		if items, _ := res.Body["items"].([]any); len(items) != 0 {
			t.Fatalf("refused coupons stored: %s", res.Raw)
		}
		res = ta.do("POST", "/api/v1/coupons", w.tok1, ok).must(t, 201)
		id := res.id()
		if res.Body["code"] != "TEA10" || res.Body["amount_off"] != "10.00" || res.Body["max_uses"] != float64(5) || res.Body["active"] != true {
			t.Fatalf("coupon: %s", res.Raw)
		}
		ta.do("POST", "/api/v1/coupons", w.tok2, ok).wantErr(t, errs.Conflict, "code")
		res = ta.do("POST", "/api/v1/coupons", w.tok1, map[string]any{"code": "HALF", "kind": "percent", "percent_off_bp": 5000}).must(t, 201)
		if res.Body["percent_off_bp"] != float64(5000) || res.Body["max_uses"] != nil {
			t.Fatalf("percent coupon: %s", res.Raw)
		}

		res = ta.do("GET", "/api/v1/coupons?limit=1", w.tok1, nil).must(t, 200)
		if items, _ := res.Body["items"].([]any); len(items) != 1 || res.Body["next_after"] != float64(id) {
			t.Fatalf("page: %s", res.Raw)
		}
		ta.do("GET", "/api/v1/coupons?distributor_id="+itoa(w.d1), w.tok2, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/coupons", w.op, nil).wantErr(t, errs.Invalid, "distributor_id")
		res = ta.do("GET", "/api/v1/coupons?distributor_id="+itoa(w.d1), w.op, nil).must(t, 200)
		if items, _ := res.Body["items"].([]any); len(items) != 2 {
			t.Fatalf("operator list: %s", res.Raw)
		}
		ta.do("GET", "/api/v1/coupons", w.custTok, nil).wantErr(t, errs.Forbidden, "")

		ta.do("POST", "/api/v1/coupons/"+itoa(id)+"/deactivate", w.tok2, nil).wantErr(t, errs.NotFound, "")
		ta.do("POST", "/api/v1/coupons/"+itoa(id)+"/deactivate", w.custTok, nil).wantErr(t, errs.Forbidden, "")
		res = ta.do("POST", "/api/v1/coupons/"+itoa(id)+"/deactivate", w.tok1, nil).must(t, 200)
		if res.Body["active"] != false {
			t.Fatalf("deactivated: %s", res.Raw)
		}
		ta.do("POST", "/api/v1/coupons/"+itoa(id)+"/deactivate", w.op, nil).must(t, 200)
	})
}
