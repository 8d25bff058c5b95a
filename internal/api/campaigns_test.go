package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/network"
)

// TestCampaignsAPI: a supplier creates, reads, edits and ends a campaign;
// a distributor sees it with what it would earn; bad bodies name the field;
// the operator sees every campaign, another supplier none of them.
func TestCampaignsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newShopAPIWorld(t, ta)
		now := ta.clock.Now()
		body := func(rate int, price string) map[string]any {
			item := map[string]any{"product_id": w.prod.ID}
			if price != "" {
				item["price"] = price
			}
			return map[string]any{"name": "Spring tea", "starts_at": now.Add(-time.Minute), "ends_at": now.Add(time.Hour),
				"tier1": map[string]any{"kind": "rate", "rate_bp": rate}, "stock_limit": 50, "items": []any{item}}
		}
		bad := body(2000, "")
		bad["items"] = []any{map[string]any{"sku_id": w.prod.SKUs[0].ID, "price": "19.99"}}
		ta.do("POST", "/api/v1/campaigns", w.supplierTok, bad).must(t, http.StatusBadRequest).wantErr(t, errs.Invalid, "items[0].price")
		ta.do("POST", "/api/v1/campaigns", w.supplierTok, body(2600, "")).must(t, http.StatusBadRequest).wantErr(t, errs.Invalid, "tier1.rate_bp")
		bad = body(2000, "")
		bad["tier1"] = map[string]any{"kind": "fixed", "per_unit": "-1"}
		ta.do("POST", "/api/v1/campaigns", w.supplierTok, bad).must(t, http.StatusBadRequest)
		bad = body(2000, "")
		bad["items"] = []any{map[string]any{"product_id": 0}}
		ta.do("POST", "/api/v1/campaigns", w.supplierTok, bad).must(t, http.StatusBadRequest).wantErr(t, errs.Invalid, "items.product_id")
		ta.do("POST", "/api/v1/campaigns", w.custTok, body(2000, "")).must(t, http.StatusForbidden)

		res := ta.do("POST", "/api/v1/campaigns", w.supplierTok, body(2000, "15.00")).must(t, http.StatusCreated)
		id := res.id()
		if res.Body["status"] != "running" || len(res.Body["items"].([]any)) != 2 {
			t.Fatalf("created %s", res.Raw)
		}
		path := fmt.Sprintf("/api/v1/campaigns/%d", id)
		ta.do("GET", path, w.supplierTok, nil).must(t, http.StatusOK)
		ta.do("GET", path, w.op, nil).must(t, http.StatusOK)
		ta.do("PUT", path, w.supplierTok, body(1800, "15.00")).must(t, http.StatusOK)

		mine := ta.do("GET", "/api/v1/distributors/me/campaigns", w.tok1, nil).must(t, http.StatusOK)
		items := mine.Body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("centre %s", mine.Raw)
		}
		first := items[0].(map[string]any)["items"].([]any)[0].(map[string]any)
		if first["price"] != "15.00" || first["earn_per_unit"] != "2.70" || first["usual_per_unit"] != "1.99" {
			t.Fatalf("centre item %v", first)
		}
		ta.do("POST", path+"/end", w.supplierTok, nil).must(t, http.StatusOK)
		ta.do("POST", path+"/end", w.supplierTok, nil).must(t, http.StatusConflict)
		list := ta.do("GET", "/api/v1/campaigns?ended=true", w.op, nil).must(t, http.StatusOK)
		if len(list.Body["items"].([]any)) != 1 {
			t.Fatalf("list %s", list.Raw)
		}
		ta.do("GET", "/api/v1/campaigns", w.op, nil).must(t, http.StatusOK)
		ta.do("GET", "/api/v1/campaigns?ended=maybe", w.op, nil).must(t, http.StatusBadRequest).wantErr(t, errs.Invalid, "ended")
		ta.do("GET", "/api/v1/distributors/me/campaigns", w.custTok, nil).must(t, http.StatusForbidden)
	})
}

// TestCampaignOrderAPI: an order placed under a campaign by a distributor
// buying for itself with own-purchase commission on shows the campaign in
// its snapshot and own_purchase as its attribution, as the document says.
func TestCampaignOrderAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		ctx := context.Background()
		id, tok := ta.newAccount("mei@example.com")
		a, _ := ta.db.ActorFor(ctx, id)
		d, err := ta.db.JoinNetwork(ctx, a, network.Join{DisplayName: "Mei"})
		if err != nil {
			t.Fatal(err)
		}
		st := ta.do("GET", "/api/v1/program/settings", w.op, nil).must(t, http.StatusOK).Body
		st["own_purchase_commission"] = true
		delete(st, "warnings")
		if got := ta.do("PUT", "/api/v1/program/settings", w.op, st).must(t, http.StatusOK).Body; got["own_purchase_commission"] != true ||
			len(got["warnings"].([]any)) == 0 {
			t.Fatalf("settings %v", got)
		}
		now := ta.clock.Now()
		ta.do("POST", "/api/v1/campaigns", w.op, map[string]any{"name": "Tea days", "starts_at": now, "ends_at": now.Add(time.Hour),
			"tier1": map[string]any{"kind": "fixed", "per_unit": "3.00"}, "items": []any{map[string]any{"sku_id": w.sku, "price": "15.00"}}}).
			must(t, http.StatusCreated)
		o := ta.do("POST", "/api/v1/orders", tok, w.cart(2)).must(t, http.StatusCreated).Body
		line := o["lines"].([]any)[0].(map[string]any)
		snap := line["snapshot"].(map[string]any)
		rule := snap["rules"].([]any)[0].(map[string]any)
		if o["seller_id"] != float64(d.ID) || o["attribution"].(map[string]any)["source"] != "own_purchase" || line["base"] != "30.00" ||
			rule["source"] != "campaign" || rule["per_unit"] != "3.00" || snap["campaign"] == nil {
			t.Fatalf("order %v", o)
		}
	})
}
