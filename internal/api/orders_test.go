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
	"sharemall/internal/network"
	"sharemall/internal/payment"
)

// The sandbox's hosted page is HTML; the validator reads it as a string.
// orderWorld is a supplier with one product in stock, a customer and an operator.
type orderWorld struct {
	ta       *testAPI
	op, cust string
	custID   int64
	sku      int64
}

func newOrderWorld(t *testing.T, ta *testAPI) *orderWorld {
	ctx := context.Background()
	w := &orderWorld{ta: ta, op: ta.operator()}
	w.custID, w.cust = ta.newAccount("buyer@example.com")
	opID, _ := ta.newAccount("op2@example.com", account.Operator)
	supID, _ := ta.newAccount("supplier@example.com")
	op, _ := ta.db.ActorFor(ctx, opID)
	owner, _ := ta.db.ActorFor(ctx, supID)
	s, err := ta.db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "t@example.com"})
	if err == nil {
		_, err = ta.db.SetSupplierStatus(ctx, op, s.ID, catalog.Approved, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	owner, _ = ta.db.ActorFor(ctx, supID)
	p, err := ta.db.CreateProduct(ctx, owner, &catalog.Product{Title: "Tea", OnSale: true,
		SKUs: []catalog.SKU{{Code: "T1", RetailPrice: 1999, OnSale: true}}})
	if err != nil {
		t.Fatal(err)
	}
	w.sku = p.SKUs[0].ID
	wh, err := ta.db.CreateWarehouse(ctx, owner, &catalog.Warehouse{Name: "W", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	if err == nil {
		_, err = ta.db.SetStock(ctx, owner, wh.ID, w.sku, 5)
	}
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *orderWorld) cart(q int64) map[string]any {
	return map[string]any{"items": []map[string]any{{"sku_id": w.sku, "quantity": q}},
		"ship_to": map[string]any{"region_code": "CN.44.03.05", "name": "Li", "phone": "138", "address": "1 Road"}}
}

// post sends a request with extra headers and validates the response as do does.
func (ta *testAPI) post(path string, headers map[string]string, body []byte) *response {
	ta.t.Helper()
	req, _ := http.NewRequest("POST", ta.http.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := ta.http.Client().Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	json.Unmarshal(raw, &out.Body)
	ta.validate(req, out)
	return out
}

func TestOrdersAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		ta.do("POST", "/api/v1/orders", "", w.cart(1)).wantErr(t, errs.Unauthorized, "")
		ta.do("POST", "/api/v1/orders", w.cust, w.cart(0)).wantErr(t, errs.Invalid, "items[0].quantity")
		ta.do("POST", "/api/v1/orders", w.cust, w.cart(6)).wantErr(t, errs.Conflict, "items[0].sku_id")
		ta.do("POST", "/api/v1/orders", w.cust, `{"items":[],"extra":1}`).wantErr(t, errs.Invalid, "extra")
		body, _ := json.Marshal(w.cart(2))
		res := ta.post("/api/v1/orders", map[string]string{"Authorization": "Bearer " + w.cust, "Idempotency-Key": "k1"}, body).must(t, 201)
		id := res.id()
		if res.Body["total"] != "39.98" || res.Body["status"] != "unpaid" {
			t.Fatalf("%s", res.Raw)
		}
		if again := ta.post("/api/v1/orders", map[string]string{"Authorization": "Bearer " + w.cust, "Idempotency-Key": "k1"}, body).must(t, 201); again.id() != id {
			t.Fatalf("retry made another order: %s", again.Raw)
		}
		other, _ := json.Marshal(w.cart(1))
		ta.post("/api/v1/orders", map[string]string{"Authorization": "Bearer " + w.cust, "Idempotency-Key": "k1"}, other).wantErr(t, errs.Conflict, "Idempotency-Key")

		got := ta.do("GET", "/api/v1/orders/"+itoa(id), w.cust, nil).must(t, 200)
		if a := got.Body["attribution"].(map[string]any); a["source"] != "none" {
			t.Fatalf("%s", got.Raw)
		}
		if list := ta.do("GET", "/api/v1/orders?status=unpaid", w.cust, nil).must(t, 200); len(list.Body["items"].([]any)) != 1 {
			t.Fatalf("%s", list.Raw)
		}
		ta.do("GET", "/api/v1/orders?status=lost", w.cust, nil).wantErr(t, errs.Invalid, "status")
		_, stranger := ta.newAccount("stranger@example.com")
		ta.do("GET", "/api/v1/orders/"+itoa(id), stranger, nil).wantErr(t, errs.NotFound, "")
		ta.do("POST", "/api/v1/orders/"+itoa(id)+"/pay", stranger, nil).wantErr(t, errs.NotFound, "")
		ta.do("POST", "/api/v1/orders/"+itoa(id)+"/pay", "", nil).wantErr(t, errs.Unauthorized, "")

		pay := ta.do("POST", "/api/v1/orders/"+itoa(id)+"/pay", w.cust, nil).must(t, 201)
		ref := pay.Body["provider_ref"].(string)
		if pay.Body["redirect_url"] != ta.http.URL+"/sandbox/pay/"+ref || pay.Body["amount"] != "39.98" {
			t.Fatalf("%s", pay.Raw)
		}
		page := ta.do("GET", "/sandbox/pay/"+ref, "", nil).must(t, 200)
		if !strings.Contains(string(page.Raw), "39.98") || !strings.Contains(string(page.Raw), "<form") ||
			!strings.Contains(string(page.Raw), `href="/orders/`+itoa(id)+`"`) {
			t.Fatalf("%s", page.Raw)
		}
		ta.do("GET", "/sandbox/pay/nope", "", nil).wantErr(t, errs.NotFound, "")

		// Forged callbacks are refused and change nothing.
		secret, err := ta.db.ProviderSecret(context.Background(), "sandbox", payment.NewSecret)
		if err != nil {
			t.Fatal(err)
		}
		sb := &payment.Sandbox{Secret: []byte(secret)}
		good := sb.CallbackBody(ref, 3998, "CNY")
		ta.post("/api/v1/payments/sandbox/callback", map[string]string{payment.SignatureHeader: "00ff"}, good).wantErr(t, errs.Invalid, payment.SignatureHeader)
		bad := sb.CallbackBody(ref, 1, "CNY")
		ta.post("/api/v1/payments/sandbox/callback", map[string]string{payment.SignatureHeader: sb.Sign(bad)}, bad).wantErr(t, errs.Invalid, "amount")
		if o := ta.do("GET", "/api/v1/orders/"+itoa(id), w.cust, nil).must(t, 200); o.Body["status"] != "unpaid" {
			t.Fatalf("a refused callback changed the order: %s", o.Raw)
		}

		// The Pay button: the sandbox calls back; the order is paid once,
		// and the customer goes back to the order's page.
		done := ta.do("POST", "/sandbox/pay/"+ref, "", nil).must(t, 303)
		if loc := done.Header.Get("Location"); loc != "/orders/"+itoa(id)+"?paid=1" {
			t.Fatalf("back to %q", loc)
		}
		if page := ta.do("GET", "/sandbox/pay/"+ref, "", nil).must(t, 200); !strings.Contains(string(page.Raw), "Status: paid") ||
			strings.Contains(string(page.Raw), "<form") {
			t.Fatalf("%s", page.Raw)
		}
		o := ta.do("GET", "/api/v1/orders/"+itoa(id), w.cust, nil).must(t, 200)
		if o.Body["status"] != "paid" || o.Body["fulfilments"].([]any)[0].(map[string]any)["status"] != "released" {
			t.Fatalf("%s", o.Raw)
		}
		dup := ta.post("/api/v1/payments/sandbox/callback", map[string]string{payment.SignatureHeader: sb.Sign(good)}, good).must(t, 200)
		if dup.Body["outcome"] != "duplicate" {
			t.Fatalf("%s", dup.Raw)
		}
		ta.do("POST", "/api/v1/orders/"+itoa(id)+"/pay", w.cust, nil).wantErr(t, errs.Conflict, "status")
		opActor, _ := ta.db.ActorFor(context.Background(), 1)
		outs, err := ta.db.CallbackOutcomes(context.Background(), opActor, "sandbox", ref)
		if err != nil || strings.Join(outs, ",") != "bad_signature,bad_amount,applied,duplicate" {
			t.Fatalf("%v %v", outs, err)
		}
	})
}

func TestAgentsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		dID, dTok := ta.newAccount("agent@example.com")
		actor, _ := ta.db.ActorFor(context.Background(), dID)
		d, err := ta.db.JoinNetwork(context.Background(), actor, network.Join{DisplayName: "Agent"})
		if err != nil {
			t.Fatal(err)
		}
		body := map[string]any{"distributor_id": d.ID}
		ta.do("PUT", "/api/v1/regions/CN.44/agent", "", body).wantErr(t, errs.Unauthorized, "")
		ta.do("PUT", "/api/v1/regions/CN.44/agent", dTok, body).wantErr(t, errs.Forbidden, "")
		ta.do("PUT", "/api/v1/regions/CN-44/agent", op, body).wantErr(t, errs.Invalid, "region_code")
		ta.do("PUT", "/api/v1/regions/CN.44/agent", op, map[string]any{"distributor_id": 999}).wantErr(t, errs.Invalid, "distributor_id")
		res := ta.do("PUT", "/api/v1/regions/CN.44/agent", op, body).must(t, 200)
		if res.Body["region_code"] != "CN.44" {
			t.Fatalf("%s", res.Raw)
		}
		if l := ta.do("GET", "/api/v1/agents", dTok, nil).must(t, 200); len(l.Body["items"].([]any)) != 1 {
			t.Fatalf("%s", l.Raw)
		}
		_, cust := ta.newAccount("c@example.com")
		ta.do("GET", "/api/v1/agents", cust, nil).wantErr(t, errs.Forbidden, "")
		ta.do("DELETE", "/api/v1/regions/CN.44/agent", op, nil).must(t, 204)
		ta.do("DELETE", "/api/v1/regions/CN.44/agent", op, nil).wantErr(t, errs.NotFound, "")
	})
}

// TestCancelOrderAPI: the customer calls off an unpaid order, once; a paid
// one or another customer's cannot be.
func TestCancelOrderAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		id := ta.do("POST", "/api/v1/orders", w.cust, w.cart(2)).must(t, 201).id()
		cancel := "/api/v1/orders/" + itoa(id) + "/cancel"
		ta.do("POST", cancel, "", nil).wantErr(t, errs.Unauthorized, "")
		_, stranger := ta.newAccount("stranger@example.com")
		ta.do("POST", cancel, stranger, nil).wantErr(t, errs.NotFound, "")
		ta.do("POST", "/api/v1/orders/999999/cancel", w.cust, nil).wantErr(t, errs.NotFound, "")
		if o := ta.do("POST", cancel, w.cust, nil).must(t, 200); o.Body["status"] != "cancelled" || o.Body["cancelled_at"] == nil ||
			o.Body["fulfilments"].([]any)[0].(map[string]any)["status"] != "cancelled" {
			t.Fatalf("%s", o.Raw)
		}
		ta.do("POST", cancel, w.cust, nil).must(t, 200) // again: nothing changes
		ta.do("POST", "/api/v1/orders/"+itoa(id)+"/pay", w.cust, nil).wantErr(t, errs.Conflict, "status")
		// The stock it held is free again: all 5 units can be ordered.
		all := ta.do("POST", "/api/v1/orders", w.cust, w.cart(5)).must(t, 201).id()
		ta.do("POST", "/api/v1/orders/"+itoa(all)+"/cancel", w.cust, nil).must(t, 200)

		paid, ref := w.unpaidOrder(t)
		ta.do("POST", "/sandbox/pay/"+ref, "", nil).must(t, 303)
		ta.do("POST", "/api/v1/orders/"+itoa(paid)+"/cancel", w.cust, nil).wantErr(t, errs.Conflict, "status")
	})
}
