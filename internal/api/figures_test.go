package api

import (
	"context"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// figuresWorld: a supplier with tea at 19.99, root ← seller distributors,
// the seller's coupon, and a customer who bought through it (paid, folded).
type figuresWorld struct {
	op, sup, cust, root, seller, stranger string
	rootID, sellerID, supplierID          int64
}

func newFiguresWorld(t *testing.T, ta *testAPI) *figuresWorld {
	t.Helper()
	ctx := context.Background()
	w := &figuresWorld{op: ta.operator()}
	_, w.cust = ta.newAccount("buyer@example.com")
	_, w.stranger = ta.newAccount("stranger@example.com")
	supID, sup := ta.newAccount("supplier@example.com")
	w.sup = sup
	opID, _ := ta.newAccount("op2@example.com", "operator")
	op, _ := ta.db.ActorFor(ctx, opID)
	owner, _ := ta.db.ActorFor(ctx, supID)
	s, err := ta.db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "t@example.com"})
	if err == nil {
		_, err = ta.db.SetSupplierStatus(ctx, op, s.ID, catalog.Approved, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	w.supplierID = s.ID
	owner, _ = ta.db.ActorFor(ctx, supID)
	p, err := ta.db.CreateProduct(ctx, owner, &catalog.Product{Title: "Tea", OnSale: true,
		SKUs: []catalog.SKU{{Code: "T1", RetailPrice: 1999, OnSale: true}}})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := ta.db.CreateWarehouse(ctx, owner, &catalog.Warehouse{Name: "W", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	if err == nil {
		_, err = ta.db.SetStock(ctx, owner, wh.ID, p.SKUs[0].ID, 5)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, w.root = ta.newAccount("root@example.com")
	root := ta.do("POST", "/api/v1/distributors", w.root, map[string]any{}).must(t, 201)
	w.rootID = root.id()
	_, w.seller = ta.newAccount("seller@example.com")
	w.sellerID = ta.do("POST", "/api/v1/distributors", w.seller, map[string]any{"invite_code": root.Body["referral_code"]}).must(t, 201).id()
	ta.do("POST", "/api/v1/coupons", w.seller, map[string]any{"code": "SELL1", "kind": "amount", "amount_off": "1.00"}).must(t, 201)

	o := ta.do("POST", "/api/v1/orders", w.cust, map[string]any{"coupon_code": "SELL1",
		"items":   []map[string]any{{"sku_id": p.SKUs[0].ID, "quantity": 1}},
		"ship_to": map[string]any{"region_code": "CN.44.03.05", "name": "Li", "phone": "138", "address": "1 Road"}}).must(t, 201)
	pay := ta.do("POST", "/api/v1/orders/"+itoa(o.id())+"/pay", w.cust, nil).must(t, 201)
	ta.do("POST", "/sandbox/pay/"+pay.Body["provider_ref"].(string), "", nil).must(t, 303)
	if n, err := ta.db.FoldSalesEvents(ctx, 100); err != nil || n != 1 {
		t.Fatalf("fold: %d %v", n, err)
	}
	return w
}

func TestFiguresAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newFiguresWorld(t, ta)
		seller := itoa(w.sellerID)
		root := itoa(w.rootID)

		f := ta.do("GET", "/api/v1/distributors/"+seller+"/figures", w.seller, nil).must(t, 200)
		if f.Body["own_sales"] != "18.99" || f.Body["own_orders"] != float64(1) || f.Body["team_sales"] != "0.00" || f.Body["currency"] != "CNY" {
			t.Fatalf("seller figures: %s", f.Raw)
		}
		f = ta.do("GET", "/api/v1/distributors/"+root+"/figures", w.op, nil).must(t, 200)
		if f.Body["team_sales"] != "18.99" || f.Body["sales_by_depth"].([]any)[0] != "18.99" || f.Body["team_size"] != float64(1) {
			t.Fatalf("root figures: %s", f.Raw)
		}
		ta.do("GET", "/api/v1/distributors/"+seller+"/figures", "", nil).wantErr(t, errs.Unauthorized, "")
		ta.do("GET", "/api/v1/distributors/"+seller+"/figures", w.stranger, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/distributors/"+root+"/figures", w.seller, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/distributors/"+seller+"/figures", w.root, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/distributors/x/figures", w.op, nil).wantErr(t, errs.Invalid, "id")

		m := ta.do("GET", "/api/v1/distributors/"+root+"/team-members?depth=1", w.root, nil).must(t, 200)
		items := m.Body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["own_sales"] != "18.99" {
			t.Fatalf("members: %s", m.Raw)
		}
		if m := ta.do("GET", "/api/v1/distributors/"+root+"/team-members?depth=2", w.root, nil).must(t, 200); len(m.Body["items"].([]any)) != 0 {
			t.Fatalf("depth 2: %s", m.Raw)
		}
		ta.do("GET", "/api/v1/distributors/"+root+"/team-members?depth=4", w.root, nil).wantErr(t, errs.Invalid, "depth")
		ta.do("GET", "/api/v1/distributors/"+root+"/team-members", w.stranger, nil).wantErr(t, errs.NotFound, "")

		tier := ta.do("GET", "/api/v1/reports/sales-by-tier", w.op, nil).must(t, 200)
		tiers := tier.Body["items"].([]any)
		if tier.Body["total"] != "18.99" || tier.Body["supplier_id"] != nil || len(tiers) != 3 || tiers[0].(map[string]any)["base"] != "18.99" ||
			tiers[0].(map[string]any)["commission"] == "0.00" || tiers[2].(map[string]any)["base"] != "0.00" {
			t.Fatalf("by tier: %s", tier.Raw)
		}
		if own := ta.do("GET", "/api/v1/reports/sales-by-tier", w.sup, nil).must(t, 200); own.Body["supplier_id"] != float64(w.supplierID) || own.Body["total"] != "18.99" {
			t.Fatalf("supplier's own: %s", own.Raw)
		}
		ta.do("GET", "/api/v1/reports/sales-by-tier?supplier_id="+itoa(w.supplierID+1000), w.sup, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/reports/sales-by-tier?supplier_id="+itoa(w.supplierID+1000), w.op, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/reports/sales-by-tier?supplier_id=x", w.op, nil).wantErr(t, errs.Invalid, "supplier_id")
		ta.do("GET", "/api/v1/reports/sales-by-tier", w.seller, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/reports/sales-by-tier", "", nil).wantErr(t, errs.Unauthorized, "")

		reg := ta.do("GET", "/api/v1/reports/sales-by-region?parent=CN.44", w.sup, nil).must(t, 200)
		found := false
		for _, it := range reg.Body["items"].([]any) {
			r := it.(map[string]any)
			if r["code"] == "CN.44.03" {
				found = r["base"] == "18.99" && r["has_children"] == true
			} else if r["base"] != "0.00" {
				t.Fatalf("sales in the wrong region: %s", reg.Raw)
			}
		}
		if !found || reg.Body["parent"] != "CN.44" {
			t.Fatalf("by region: %s", reg.Raw)
		}
		if top := ta.do("GET", "/api/v1/reports/sales-by-region?supplier_id="+itoa(w.supplierID), w.op, nil).must(t, 200); top.Body["items"].([]any)[0].(map[string]any)["base"] != "18.99" {
			t.Fatalf("top: %s", top.Raw)
		}
		ta.do("GET", "/api/v1/reports/sales-by-region?parent=ZZ", w.op, nil).wantErr(t, errs.Invalid, "parent")
		ta.do("GET", "/api/v1/reports/sales-by-region", w.cust, nil).wantErr(t, errs.Forbidden, "")
	})
}
