package api

import (
	"context"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// shipWorld is a paid order of 3 units at 19.99 from supplier A, bought
// through the real checkout and sandbox payment, with tokens for everyone.
type shipWorld struct {
	ta                  *testAPI
	op, a, b, cust, oth string // tokens
	order               *order.Order
	wh, sku             int64
}

func newShipWorld(t *testing.T, ta *testAPI) *shipWorld {
	t.Helper()
	ctx := context.Background()
	actor := func(id int64) account.Actor {
		a, err := ta.db.ActorFor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	w := &shipWorld{ta: ta}
	opID, op := ta.newAccount("op@example.com", account.Operator)
	w.op = op
	supplier := func(email string) (string, account.Actor) {
		id, tok := ta.newAccount(email)
		s, err := ta.db.ApplySupplier(ctx, actor(id), catalog.SupplierApplication{Name: email, ContactEmail: email})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ta.db.SetSupplierStatus(ctx, actor(opID), s.ID, catalog.Approved, ""); err != nil {
			t.Fatal(err)
		}
		return tok, actor(id)
	}
	var aActor account.Actor
	w.a, aActor = supplier("a@example.com")
	w.b, _ = supplier("b@example.com")
	p, err := ta.db.CreateProduct(ctx, aActor, &catalog.Product{Title: "Oolong", Images: []string{"https://img.example/o.jpg"}, OnSale: true,
		SKUs: []catalog.SKU{{Code: "O-100", RetailPrice: 1999, OnSale: true}}})
	if err != nil {
		t.Fatal(err)
	}
	w.sku = p.SKUs[0].ID
	wh, err := ta.db.CreateWarehouse(ctx, aActor, &catalog.Warehouse{Name: "Shenzhen", RegionCode: "CN.44.03.05", Active: true, Areas: []string{"CN"}})
	if err != nil {
		t.Fatal(err)
	}
	w.wh = wh.ID
	if _, err := ta.db.SetStock(ctx, aActor, w.wh, w.sku, 10); err != nil {
		t.Fatal(err)
	}
	custID, cust := ta.newAccount("c@example.com")
	w.cust = cust
	_, w.oth = ta.newAccount("other@example.com")
	o, err := ta.db.Checkout(ctx, actor(custID), order.CheckoutInput{Items: []order.Item{{SKUID: w.sku, Quantity: 3}},
		ShipTo: order.ShipTo{RegionCode: "CN.44.03.05", Name: "Li Lei", Phone: "13800000000", Address: "1 Test Road"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.db.StartPayment(ctx, actor(custID), o.ID, "sandbox", "sbx_test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ta.db.ApplyPayment(ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "sbx_test",
		Amount: o.Total, Currency: o.Currency, Payload: "{}"}); err != nil {
		t.Fatal(err)
	}
	w.order = o
	return w
}

func TestFulfilmentAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShipWorld(t, ta)
		q := ta.do("GET", "/api/v1/fulfilment-orders?status=released", w.a, nil).must(t, 200)
		items := q.Body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("queue %s", q.Raw)
		}
		fo := items[0].(map[string]any)
		fid := int64(fo["id"].(float64))
		if fo["ship_to"].(map[string]any)["address"] != "1 Test Road" || len(fo["lines"].([]any)) != 1 {
			t.Fatalf("queue item %s", q.Raw)
		}
		if n := len(ta.do("GET", "/api/v1/fulfilment-orders", w.b, nil).must(t, 200).Body["items"].([]any)); n != 0 {
			t.Fatalf("supplier B sees %d", n)
		}
		ta.do("GET", "/api/v1/fulfilment-orders", "", nil).wantErr(t, errs.Unauthorized, "")
		ta.do("GET", "/api/v1/fulfilment-orders", w.cust, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/fulfilment-orders?status=lost", w.a, nil).wantErr(t, errs.Invalid, "status")

		ship := "/api/v1/fulfilment-orders/" + itoa(fid) + "/ship"
		ta.do("POST", ship, w.a, map[string]any{"carrier": "SF"}).wantErr(t, errs.Invalid, "tracking_number")
		ta.do("POST", ship, w.a, map[string]any{"carrier": "", "tracking_number": "SF123456"}).wantErr(t, errs.Invalid, "carrier")
		ta.do("POST", ship, w.a, map[string]any{"carrier": "SF", "tracking_number": "SF1", "x": 1}).wantErr(t, errs.Invalid, "x")
		ta.do("POST", ship, w.b, map[string]any{"carrier": "SF", "tracking_number": "SF123456"}).wantErr(t, errs.NotFound, "")
		ta.do("POST", ship, w.cust, map[string]any{"carrier": "SF", "tracking_number": "SF123456"}).wantErr(t, errs.Forbidden, "")
		recv := "/api/v1/fulfilment-orders/" + itoa(fid) + "/receive"
		ta.do("POST", recv, w.cust, nil).wantErr(t, errs.Conflict, "status")
		res := ta.do("POST", ship, w.a, map[string]any{"carrier": "SF Express", "tracking_number": "SF123456"}).must(t, 200)
		if res.Body["status"] != "shipped" || res.Body["tracking_number"] != "SF123456" {
			t.Fatalf("shipped %s", res.Raw)
		}
		track := "/api/v1/orders/" + itoa(w.order.ID) + "/tracking"
		ta.do("GET", track, w.oth, nil).wantErr(t, errs.NotFound, "")
		tr := ta.do("GET", track, w.cust, nil).must(t, 200)
		if parts := tr.Body["parts"].([]any); len(parts) != 1 || parts[0].(map[string]any)["carrier"] != "SF Express" {
			t.Fatalf("tracking %s", tr.Raw)
		}
		ta.do("POST", recv, w.oth, nil).wantErr(t, errs.NotFound, "")
		if res := ta.do("POST", recv, w.cust, nil).must(t, 200); res.Body["status"] != "received" {
			t.Fatalf("received %s", res.Raw)
		}
	})
}

func TestAfterSaleAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShipWorld(t, ta)
		line := w.order.Lines[0].ID
		fid := w.order.Lines[0].FulfilmentID
		ta.do("POST", "/api/v1/fulfilment-orders/"+itoa(fid)+"/ship", w.a, map[string]any{"carrier": "SF Express", "tracking_number": "SF123456"}).must(t, 200)
		ta.do("POST", "/api/v1/fulfilment-orders/"+itoa(fid)+"/receive", w.cust, nil).must(t, 200)

		open := func(tok string, body map[string]any) *response {
			return ta.do("POST", "/api/v1/aftersale-cases", tok, body)
		}
		ok := map[string]any{"order_line_id": line, "kind": "return_refund", "quantity": 1, "reason": "cracked"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range ok {
				m[kk] = vv
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		open("", ok).wantErr(t, errs.Unauthorized, "")
		open(w.cust, with("order_line_id", nil)).wantErr(t, errs.Invalid, "order_line_id")
		open(w.cust, with("kind", "swap")).wantErr(t, errs.Invalid, "kind")
		open(w.cust, with("quantity", 0)).wantErr(t, errs.Invalid, "quantity")
		open(w.cust, with("quantity", 4)).wantErr(t, errs.Invalid, "quantity")
		open(w.cust, with("quantity", "1")).wantErr(t, errs.Invalid, "quantity")
		open(w.cust, with("reason", "")).wantErr(t, errs.Invalid, "reason")
		open(w.oth, ok).wantErr(t, errs.NotFound, "")
		if n := len(ta.do("GET", "/api/v1/aftersale-cases", w.op, nil).must(t, 200).Body["items"].([]any)); n != 0 {
			t.Fatalf("refusals opened %d cases", n)
		}
		c := open(w.cust, ok).must(t, 201)
		id := itoa(c.id())
		if c.Body["amount"] != "19.99" || c.Body["status"] != "open" || c.Body["currency"] != "CNY" {
			t.Fatalf("opened %s", c.Raw)
		}
		open(w.cust, ok).wantErr(t, errs.Conflict, "order_line_id")
		ta.do("GET", "/api/v1/aftersale-cases/"+id, w.a, nil).must(t, 200)
		ta.do("GET", "/api/v1/aftersale-cases/"+id, w.b, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/aftersale-cases/"+id, w.oth, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/aftersale-cases/"+id, "", nil).wantErr(t, errs.Unauthorized, "")
		if n := len(ta.do("GET", "/api/v1/aftersale-cases?status=open", w.a, nil).must(t, 200).Body["items"].([]any)); n != 1 {
			t.Fatalf("supplier A sees %d open cases", n)
		}
		if n := len(ta.do("GET", "/api/v1/aftersale-cases", w.oth, nil).must(t, 200).Body["items"].([]any)); n != 0 {
			t.Fatalf("another customer sees %d cases", n)
		}
		ta.do("GET", "/api/v1/aftersale-cases?status=lost", w.cust, nil).wantErr(t, errs.Invalid, "status")

		decide := "/api/v1/aftersale-cases/" + id + "/decision"
		ta.do("POST", decide, w.a, map[string]any{}).wantErr(t, errs.Invalid, "approve")
		ta.do("POST", decide, w.a, map[string]any{"approve": false}).wantErr(t, errs.Invalid, "note")
		ta.do("POST", decide, w.b, map[string]any{"approve": true}).wantErr(t, errs.NotFound, "")
		ta.do("POST", decide, w.cust, map[string]any{"approve": true}).wantErr(t, errs.Forbidden, "")
		ret := "/api/v1/aftersale-cases/" + id + "/return"
		ta.do("POST", ret, w.cust, map[string]any{"carrier": "SF", "tracking_number": "SF9876"}).wantErr(t, errs.Conflict, "status")
		if res := ta.do("POST", decide, w.a, map[string]any{"approve": true, "note": "send it back"}).must(t, 200); res.Body["status"] != "approved" {
			t.Fatalf("approved %s", res.Raw)
		}
		ta.do("POST", "/api/v1/aftersale-cases/"+id+"/cancel", w.cust, nil).wantErr(t, errs.Conflict, "status")
		ta.do("POST", ret, w.cust, map[string]any{"carrier": "SF", "tracking_number": "SF 98"}).wantErr(t, errs.Invalid, "tracking_number")
		ta.do("POST", ret, w.cust, map[string]any{"carrier": "SF", "tracking_number": "SF9876"}).must(t, 200)
		got := ta.do("POST", "/api/v1/aftersale-cases/"+id+"/return-received", w.b, nil)
		got.wantErr(t, errs.NotFound, "")
		res := ta.do("POST", "/api/v1/aftersale-cases/"+id+"/return-received", w.a, nil).must(t, 200)
		if res.Body["status"] != "refunded" || res.Body["amount"] != "19.99" || res.Body["refund_ref"] != "sbx_test" {
			t.Fatalf("refunded %s", res.Raw)
		}
		st, err := ta.db.Stock(context.Background(), account.Actor{AccountID: 1, Roles: []account.Role{account.Operator}}, w.wh)
		if err != nil || st[0].OnHand != 8 {
			t.Fatalf("stock %+v, %v: 10 − 3 sold + 1 returned", st, err)
		}

		// A second case, refund only, cancelled by the customer.
		c2 := open(w.cust, with("kind", "refund_only")).must(t, 201)
		if c2.Body["amount"] != "19.99" {
			t.Fatalf("second %s", c2.Raw)
		}
		ta.do("POST", "/api/v1/aftersale-cases/"+itoa(c2.id())+"/cancel", w.oth, nil).wantErr(t, errs.NotFound, "")
		if res := ta.do("POST", "/api/v1/aftersale-cases/"+itoa(c2.id())+"/cancel", w.cust, nil).must(t, 200); res.Body["status"] != "cancelled" {
			t.Fatalf("cancelled %s", res.Raw)
		}
		// A third, rejected with a note; a fourth, refund only, approved by an operator: refunded at once.
		c3 := open(w.cust, with("quantity", 2)).must(t, 201)
		c4 := ta.do("POST", "/api/v1/aftersale-cases/"+itoa(c3.id())+"/decision", w.a, map[string]any{"approve": false, "note": "used"}).must(t, 200)
		if c4.Body["status"] != "rejected" || c4.Body["decision_note"] != "used" {
			t.Fatalf("rejected %s", c4.Raw)
		}
		c5 := open(w.cust, map[string]any{"order_line_id": line, "kind": "refund_only", "quantity": 2, "reason": "late"}).must(t, 201)
		res = ta.do("POST", "/api/v1/aftersale-cases/"+itoa(c5.id())+"/decision", w.op, map[string]any{"approve": true}).must(t, 200)
		if res.Body["status"] != "refunded" || res.Body["amount"] != "39.98" {
			t.Fatalf("refund only %s", res.Raw)
		}
		open(w.cust, with("kind", "refund_only")).wantErr(t, errs.Conflict, "order_line_id")
	})
}
