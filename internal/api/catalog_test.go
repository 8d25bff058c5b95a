package api

import (
	"fmt"
	"testing"

	"sharemall/internal/errs"
)

// catWorld is two approved suppliers A and B made through the API, with an
// operator, a customer and each supplier's owner signed in.
type catWorld struct {
	ta           *testAPI
	tok          map[string]string // "op", "a", "b", "cust", "anon" ("")
	supA, supB   int64
	prodA, prodB int64 // on sale
	hiddenB      int64 // B's product not on sale
	skuA, skuB   int64
	whA, whB     int64
}

func newCatWorld(t *testing.T, ta *testAPI) *catWorld {
	t.Helper()
	w := &catWorld{ta: ta, tok: map[string]string{"anon": ""}}
	w.tok["op"] = ta.operator()
	_, w.tok["cust"] = ta.newAccount("cust@example.com")
	_, w.tok["a"] = ta.newAccount("a@example.com")
	_, w.tok["b"] = ta.newAccount("b@example.com")
	w.supA = w.apply(t, "a", "Supplier A")
	w.supB = w.apply(t, "b", "Supplier B")
	w.prodA, w.skuA = w.product(t, "a", "A-1", true)
	w.prodB, w.skuB = w.product(t, "b", "B-1", true)
	w.hiddenB, _ = w.product(t, "b", "B-2", false)
	w.whA = ta.do("POST", "/api/v1/warehouses", w.tok["a"], map[string]any{"name": "Shenzhen", "region_code": "CN.44.03"}).must(t, 201).id()
	w.whB = ta.do("POST", "/api/v1/warehouses", w.tok["b"], map[string]any{"name": "Hangzhou", "region_code": "CN.33.01"}).must(t, 201).id()
	return w
}

func (w *catWorld) apply(t *testing.T, who, name string) int64 {
	t.Helper()
	id := w.ta.do("POST", "/api/v1/suppliers", w.tok[who], map[string]any{"name": name, "contact_email": who + "@example.com"}).must(t, 201).id()
	w.ta.do("POST", fmt.Sprintf("/api/v1/suppliers/%d/status", id), w.tok["op"], map[string]any{"status": "approved"}).must(t, 200)
	return id
}

func (w *catWorld) product(t *testing.T, who, code string, onSale bool) (int64, int64) {
	t.Helper()
	res := w.ta.do("POST", "/api/v1/products", w.tok[who], map[string]any{"title": "Tea " + code, "on_sale": onSale,
		"skus": []any{map[string]any{"code": code, "retail_price": "19.99", "price_ceiling": "29.99"}}}).must(t, 201)
	skus := res.Body["skus"].([]any)
	return res.id(), int64(skus[0].(map[string]any)["id"].(float64))
}

// catScenario is one request and what it must get back.
type catScenario struct {
	name   string
	method string
	path   string
	who    string
	body   any
	status int
	code   errs.Code // for errors
	field  string
}

func (w *catWorld) run(t *testing.T, scenarios []catScenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			res := w.ta.do(sc.method, sc.path, w.tok[sc.who], sc.body)
			if res.Status != sc.status {
				t.Fatalf("%s %s as %s: status %d, want %d: %s", sc.method, sc.path, sc.who, res.Status, sc.status, res.Raw)
			}
			if sc.status >= 400 {
				res.wantErr(t, sc.code, sc.field)
			}
		})
	}
}

// snapshot reads a resource as the operator, to check that refusals changed nothing.
func (w *catWorld) snapshot(t *testing.T, path string) string {
	t.Helper()
	return string(w.ta.do("GET", path, w.tok["op"], nil).must(t, 200).Raw)
}

func TestCatalogSuppliersAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		_, fresh := ta.newAccount("fresh@example.com")
		w.tok["fresh"] = fresh
		a := fmt.Sprintf("/api/v1/suppliers/%d", w.supA)
		before := w.snapshot(t, a)
		w.run(t, []catScenario{
			{"apply anonymous", "POST", "/api/v1/suppliers", "anon", map[string]any{"name": "X", "contact_email": "x@example.com"}, 401, errs.Unauthorized, ""},
			{"apply twice", "POST", "/api/v1/suppliers", "a", map[string]any{"name": "X", "contact_email": "x@example.com"}, 409, errs.Conflict, ""},
			{"apply taken name", "POST", "/api/v1/suppliers", "fresh", map[string]any{"name": "Supplier A", "contact_email": "x@example.com"}, 409, errs.Conflict, "name"},
			{"apply bad email", "POST", "/api/v1/suppliers", "fresh", map[string]any{"name": "X", "contact_email": "x"}, 400, errs.Invalid, "contact_email"},
			{"apply unknown field", "POST", "/api/v1/suppliers", "fresh", map[string]any{"name": "X", "contact_email": "x@example.com", "vip": true}, 400, errs.Invalid, "vip"},
			{"apply wrong type", "POST", "/api/v1/suppliers", "fresh", map[string]any{"name": 7, "contact_email": "x@example.com"}, 400, errs.Invalid, "name"},
			{"apply bad JSON", "POST", "/api/v1/suppliers", "fresh", `{"name":`, 400, errs.Invalid, "body"},
			{"get bad id", "GET", "/api/v1/suppliers/abc", "op", nil, 400, errs.Invalid, "id"},
			{"get zero id", "GET", "/api/v1/suppliers/0", "op", nil, 400, errs.Invalid, "id"},
			{"get missing", "GET", "/api/v1/suppliers/9999", "op", nil, 404, errs.NotFound, ""},
			{"get public", "GET", a, "anon", nil, 200, "", ""},
			{"list bad status", "GET", "/api/v1/suppliers?status=gone", "op", nil, 400, errs.Invalid, "status"},
			{"list applied as customer", "GET", "/api/v1/suppliers?status=applied", "cust", nil, 403, errs.Forbidden, "status"},
			{"list bad limit", "GET", "/api/v1/suppliers?limit=0", "op", nil, 400, errs.Invalid, "limit"},
			{"patch by B", "PATCH", a, "b", map[string]any{"name": "Mine"}, 403, errs.Forbidden, ""},
			{"patch by customer", "PATCH", a, "cust", map[string]any{"name": "Mine"}, 403, errs.Forbidden, ""},
			{"patch anonymous", "PATCH", a, "anon", map[string]any{"name": "Mine"}, 401, errs.Unauthorized, ""},
			{"patch taken name", "PATCH", a, "a", map[string]any{"name": "Supplier B"}, 409, errs.Conflict, "name"},
			{"patch empty name", "PATCH", a, "a", map[string]any{"name": ""}, 400, errs.Invalid, "name"},
			{"patch status field", "PATCH", a, "a", map[string]any{"status": "approved"}, 400, errs.Invalid, "status"},
			{"status by supplier", "POST", a + "/status", "a", map[string]any{"status": "suspended"}, 403, errs.Forbidden, ""},
			{"status bad value", "POST", a + "/status", "op", map[string]any{"status": "gone"}, 400, errs.Invalid, "status"},
			{"status not allowed", "POST", a + "/status", "op", map[string]any{"status": "rejected"}, 409, errs.Conflict, "status"},
			{"status missing supplier", "POST", "/api/v1/suppliers/9999/status", "op", map[string]any{"status": "approved"}, 404, errs.NotFound, ""},
		})
		if after := w.snapshot(t, a); after != before {
			t.Fatalf("refused requests changed supplier A:\n%s\n%s", before, after)
		}
		// The happy paths: an application is private until approved; owners update.
		id := ta.do("POST", "/api/v1/suppliers", fresh, map[string]any{"name": "Fresh", "contact_email": "f@example.com", "allow_markup": false}).must(t, 201)
		if id.Body["status"] != "applied" || id.Body["allow_markup"] != false {
			t.Fatalf("application %s", id.Raw)
		}
		ta.do("GET", fmt.Sprintf("/api/v1/suppliers/%d", id.id()), w.tok["b"], nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", fmt.Sprintf("/api/v1/suppliers/%d", id.id()), fresh, nil).must(t, 200)
		page := ta.do("GET", "/api/v1/suppliers?status=applied", w.tok["op"], nil).must(t, 200)
		if items := page.Body["items"].([]any); len(items) != 1 {
			t.Fatalf("applied list %s", page.Raw)
		}
		page = ta.do("GET", "/api/v1/suppliers?limit=1", w.tok["cust"], nil).must(t, 200)
		if items := page.Body["items"].([]any); len(items) != 1 || page.Body["next_after"] == nil {
			t.Fatalf("first page %s", page.Raw)
		}
		upd := ta.do("PATCH", a, w.tok["a"], map[string]any{"contact_phone": "+86 138 0013 8000"}).must(t, 200)
		if upd.Body["contact_phone"] != "+8613800138000" || upd.Body["name"] != "Supplier A" {
			t.Fatalf("update %s", upd.Raw)
		}
		ta.do("POST", a+"/status", w.tok["op"], map[string]any{"status": "suspended", "reason": "audit"}).must(t, 200)
		ta.do("GET", a, w.tok["cust"], nil).wantErr(t, errs.NotFound, "")
	})
}

func TestCatalogProductsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		cat := ta.do("POST", "/api/v1/categories", w.tok["op"], map[string]any{"name": "Tea", "slug": "tea"}).must(t, 201).id()
		sku := func(extra map[string]any) map[string]any {
			s := map[string]any{"code": "T-1", "retail_price": "10.00"}
			for k, v := range extra {
				s[k] = v
			}
			return s
		}
		prod := func(extra map[string]any, skus ...any) map[string]any {
			if skus == nil {
				skus = []any{sku(nil)}
			}
			p := map[string]any{"title": "Green tea", "skus": skus}
			for k, v := range extra {
				p[k] = v
			}
			return p
		}
		pa, pb, hb := fmt.Sprintf("/api/v1/products/%d", w.prodA), fmt.Sprintf("/api/v1/products/%d", w.prodB), fmt.Sprintf("/api/v1/products/%d", w.hiddenB)
		sa, sb := fmt.Sprintf("/api/v1/skus/%d", w.skuA), fmt.Sprintf("/api/v1/skus/%d", w.skuB)
		beforeA, beforeB := w.snapshot(t, pa), w.snapshot(t, hb)
		w.run(t, []catScenario{
			{"create anonymous", "POST", "/api/v1/products", "anon", prod(nil), 401, errs.Unauthorized, ""},
			{"create customer", "POST", "/api/v1/products", "cust", prod(nil), 403, errs.Forbidden, ""},
			{"create for B", "POST", "/api/v1/products", "a", prod(map[string]any{"supplier_id": w.supB}), 403, errs.Forbidden, ""},
			{"create operator no supplier", "POST", "/api/v1/products", "op", prod(nil), 400, errs.Invalid, "supplier_id"},
			{"create no title", "POST", "/api/v1/products", "a", prod(map[string]any{"title": ""}), 400, errs.Invalid, "title"},
			{"create no skus", "POST", "/api/v1/products", "a", map[string]any{"title": "X"}, 400, errs.Invalid, "skus"},
			{"create price as number", "POST", "/api/v1/products", "a", prod(nil, sku(map[string]any{"retail_price": 10})), 400, errs.Invalid, "skus.retail_price"},
			{"create price too precise", "POST", "/api/v1/products", "a", prod(nil, sku(map[string]any{"retail_price": "10.001"})), 400, errs.Invalid, "skus[0].retail_price"},
			{"create negative price", "POST", "/api/v1/products", "a", prod(nil, sku(map[string]any{"retail_price": "-1"})), 400, errs.Invalid, "skus[0].retail_price"},
			{"create price missing", "POST", "/api/v1/products", "a", prod(nil, map[string]any{"code": "X"}), 400, errs.Invalid, "skus[0].retail_price"},
			{"create ceiling low", "POST", "/api/v1/products", "a", prod(nil, sku(nil), sku(map[string]any{"code": "T-2", "price_ceiling": "9.99"})), 400, errs.Invalid, "skus[1].price_ceiling"},
			{"create bad image", "POST", "/api/v1/products", "a", prod(map[string]any{"images": []any{"file:///etc/passwd"}}), 400, errs.Invalid, "images[0]"},
			{"create unknown category", "POST", "/api/v1/products", "a", prod(map[string]any{"category_id": 9999}), 400, errs.Invalid, "category_id"},
			{"create commission over cap", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": tiers(rateTier(2000), rateTier(1500))}), 400, errs.Invalid, "commission"},
			{"create commission unknown field", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": map[string]any{"tiers": []any{rateTier(1)}, "x": 1}}), 400, errs.Invalid, "x"},
			{"create commission in the old form", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": map[string]any{"kind": "rate", "tiers": []int{1000}}}), 400, errs.Invalid, "kind"},
			{"create commission naming no tier", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": tiers(nil, nil)}), 400, errs.Invalid, "commission.tiers"},
			{"create rate tier without rate", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": tiers(map[string]any{"kind": "rate"})}), 400, errs.Invalid, "commission.tiers[0].rate_bp"},
			{"create fixed tier with a rate", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": tiers(map[string]any{"kind": "fixed", "per_unit": "1.00", "rate_bp": 5})}), 400, errs.Invalid, "commission.tiers[0].rate_bp"},
			{"create fixed amount too precise", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": tiers(fixedTier("1.005"))}), 400, errs.Invalid, "commission.tiers[0].per_unit"},
			{"create tier the program does not pay", "POST", "/api/v1/products", "a", prod(map[string]any{"commission": tiers(nil, nil, rateTier(100))}), 400, errs.Invalid, "commission.tiers[2]"},
			// Tier 1 fixed, tier 2 at the program's 5%: at most 25% of 10.00.
			{"create fixed over price", "POST", "/api/v1/products", "a", prod(nil, sku(map[string]any{"commission": tiers(fixedTier("2.51"))})), 400, errs.Invalid, "skus[0].commission"},
			{"create unknown field", "POST", "/api/v1/products", "a", prod(map[string]any{"stock": 5}), 400, errs.Invalid, "stock"},
			{"create not JSON", "POST", "/api/v1/products", "a", "title=x", 400, errs.Invalid, "body"},
			{"get hidden as A", "GET", hb, "a", nil, 404, errs.NotFound, ""},
			{"get hidden anonymous", "GET", hb, "anon", nil, 404, errs.NotFound, ""},
			{"get hidden as owner", "GET", hb, "b", nil, 200, "", ""},
			{"get public", "GET", pb, "anon", nil, 200, "", ""},
			{"get bad id", "GET", "/api/v1/products/-1", "anon", nil, 400, errs.Invalid, "id"},
			{"get missing", "GET", "/api/v1/products/9999", "op", nil, 404, errs.NotFound, ""},
			{"list bad on_sale", "GET", "/api/v1/products?on_sale=yes", "anon", nil, 400, errs.Invalid, "on_sale"},
			{"list bad supplier", "GET", "/api/v1/products?supplier_id=x", "anon", nil, 400, errs.Invalid, "supplier_id"},
			{"patch by B", "PATCH", pa, "b", map[string]any{"title": "Mine"}, 403, errs.Forbidden, ""},
			{"patch hidden by A", "PATCH", hb, "a", map[string]any{"title": "Mine"}, 404, errs.NotFound, ""},
			{"patch anonymous", "PATCH", pa, "anon", map[string]any{"title": "Mine"}, 401, errs.Unauthorized, ""},
			{"patch empty title", "PATCH", pa, "a", map[string]any{"title": " "}, 400, errs.Invalid, "title"},
			{"patch wrong type", "PATCH", pa, "a", map[string]any{"on_sale": "yes"}, 400, errs.Invalid, "on_sale"},
			{"patch category zero", "PATCH", pa, "a", map[string]any{"category_id": 0}, 400, errs.Invalid, "category_id"},
			{"patch supplier", "PATCH", pa, "a", map[string]any{"supplier_id": w.supB}, 400, errs.Invalid, "supplier_id"},
			{"patch fixed over a price", "PATCH", pa, "a", map[string]any{"commission": tiers(fixedTier("6.00"))}, 400, errs.Invalid, "commission"},
			{"patch category type", "PATCH", pa, "a", map[string]any{"category_id": "tea"}, 400, errs.Invalid, "category_id"},
			{"patch commission unknown field", "PATCH", pa, "a", map[string]any{"commission": map[string]any{"tiers": []any{rateTier(1)}, "x": 1}}, 400, errs.Invalid, "x"},
			{"patch commission bad kind", "PATCH", pa, "a", map[string]any{"commission": tiers(map[string]any{"kind": "share"})}, 400, errs.Invalid, "commission.tiers[0].kind"},
			{"patch sku ceiling number", "PATCH", sa, "a", map[string]any{"price_ceiling": 30}, 400, errs.Invalid, "price_ceiling"},
			{"add sku by B", "POST", pa + "/skus", "b", sku(map[string]any{"code": "Z"}), 403, errs.Forbidden, ""},
			{"add sku to hidden by A", "POST", hb + "/skus", "a", sku(map[string]any{"code": "Z"}), 404, errs.NotFound, ""},
			{"add sku taken code", "POST", pa + "/skus", "a", sku(map[string]any{"code": "A-1"}), 409, errs.Conflict, "code"},
			{"add sku bad code", "POST", pa + "/skus", "a", sku(map[string]any{"code": "a b"}), 400, errs.Invalid, "code"},
			{"patch sku by B", "PATCH", sa, "b", map[string]any{"retail_price": "1.00"}, 403, errs.Forbidden, ""},
			{"patch sku bad price", "PATCH", sa, "a", map[string]any{"retail_price": "1,00"}, 400, errs.Invalid, "retail_price"},
			{"patch sku ceiling low", "PATCH", sa, "a", map[string]any{"price_ceiling": "1.00"}, 400, errs.Invalid, "price_ceiling"},
			{"patch sku bad id", "PATCH", "/api/v1/skus/x", "a", map[string]any{"on_sale": false}, 400, errs.Invalid, "id"},
			{"patch sku missing", "PATCH", "/api/v1/skus/9999", "a", map[string]any{"on_sale": false}, 404, errs.NotFound, ""},
		})
		if a, b := w.snapshot(t, pa), w.snapshot(t, hb); a != beforeA || b != beforeB {
			t.Fatalf("refused requests changed products:\n%s\n%s", a, b)
		}
		ta.do("GET", sb, w.tok["op"], nil) // no GET on a SKU: a deliberate 405

		// Create, then PATCH with null clearing the category and the override.
		// The product names tier 1 only; the SKU a fixed amount for tier 1 and
		// tier 2 at the program's rate.
		res := ta.do("POST", "/api/v1/products", w.tok["a"], prod(map[string]any{"category_id": cat, "on_sale": true,
			"commission": tiers(rateTier(1500), nil)},
			sku(map[string]any{"options": map[string]string{"size": "M"}, "price_ceiling": "12.50", "commission": tiers(fixedTier("1.50"))}))).must(t, 201)
		if res.Body["currency"] != "CNY" || res.Body["category_id"] != float64(cat) {
			t.Fatalf("created %s", res.Raw)
		}
		if c := fmt.Sprint(res.Body["commission"]); c != "map[tiers:[map[kind:rate rate_bp:1500] <nil>]]" {
			t.Fatalf("product commission %s", c)
		}
		k := res.Body["skus"].([]any)[0].(map[string]any)
		if k["retail_price"] != "10.00" || k["price_ceiling"] != "12.50" || k["currency"] != "CNY" || k["on_sale"] != true ||
			fmt.Sprint(k["commission"]) != "map[tiers:[map[kind:fixed per_unit:1.50]]]" {
			t.Fatalf("sku %v", k)
		}
		p := fmt.Sprintf("/api/v1/products/%d", res.id())
		res = ta.do("PATCH", p, w.tok["a"], map[string]any{"category_id": nil, "commission": nil, "description": "Spring"}).must(t, 200)
		if res.Body["category_id"] != nil || res.Body["commission"] != nil || res.Body["description"] != "Spring" || res.Body["title"] != "Green tea" {
			t.Fatalf("patched %s", res.Raw)
		}
		skuPath := fmt.Sprintf("/api/v1/skus/%d", int64(k["id"].(float64)))
		res = ta.do("PATCH", skuPath, w.tok["a"], map[string]any{"price_ceiling": nil, "retail_price": "11"}).must(t, 200)
		if res.Body["price_ceiling"] != nil || res.Body["retail_price"] != "11.00" {
			t.Fatalf("sku patched %s", res.Raw)
		}
		ta.do("POST", p+"/skus", w.tok["a"], sku(map[string]any{"code": "T-2", "on_sale": false})).must(t, 201)
		if skus := ta.do("GET", p, w.tok["cust"], nil).must(t, 200).Body["skus"].([]any); len(skus) != 1 {
			t.Fatalf("public sees %d SKUs, want the one on sale", len(skus))
		}
		list := ta.do("GET", fmt.Sprintf("/api/v1/products?supplier_id=%d&limit=1", w.supA), w.tok["cust"], nil).must(t, 200)
		if items := list.Body["items"].([]any); len(items) != 1 || list.Body["next_after"] != float64(w.prodA) {
			t.Fatalf("public list of A %s", list.Raw)
		}
		list = ta.do("GET", fmt.Sprintf("/api/v1/products?supplier_id=%d&on_sale=false", w.supB), w.tok["b"], nil).must(t, 200)
		if items := list.Body["items"].([]any); len(items) != 1 {
			t.Fatalf("B's hidden products %s", list.Raw)
		}
		// The operator creates for B and may change B's products.
		ta.do("POST", "/api/v1/products", w.tok["op"], prod(map[string]any{"supplier_id": w.supB})).must(t, 201)
		ta.do("PATCH", hb, w.tok["op"], map[string]any{"on_sale": true}).must(t, 200)
		ta.do("GET", hb, w.tok["a"], nil).must(t, 200)
	})
}

func TestCatalogCategoriesAndRegionsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		food := ta.do("POST", "/api/v1/categories", w.tok["op"], map[string]any{"name": "Food", "slug": "food"}).must(t, 201).id()
		w.run(t, []catScenario{
			{"category by supplier", "POST", "/api/v1/categories", "a", map[string]any{"name": "X", "slug": "x"}, 403, errs.Forbidden, ""},
			{"category anonymous", "POST", "/api/v1/categories", "anon", map[string]any{"name": "X", "slug": "x"}, 401, errs.Unauthorized, ""},
			{"category taken slug", "POST", "/api/v1/categories", "op", map[string]any{"name": "X", "slug": "food"}, 409, errs.Conflict, "slug"},
			{"category bad slug", "POST", "/api/v1/categories", "op", map[string]any{"name": "X", "slug": "Food!"}, 400, errs.Invalid, "slug"},
			{"category bad parent", "POST", "/api/v1/categories", "op", map[string]any{"name": "X", "slug": "x", "parent_id": 9999}, 400, errs.Invalid, "parent_id"},
			{"category child", "POST", "/api/v1/categories", "op", map[string]any{"name": "Tea", "slug": "tea", "parent_id": food}, 201, "", ""},
			{"categories public", "GET", "/api/v1/categories", "anon", nil, 200, "", ""},
			{"countries", "GET", "/api/v1/regions", "anon", nil, 200, "", ""},
			{"districts", "GET", "/api/v1/regions?parent=CN.44.03", "anon", nil, 200, "", ""},
			{"bad parent", "GET", "/api/v1/regions?parent=44", "anon", nil, 400, errs.Invalid, "parent"},
			{"unknown parent", "GET", "/api/v1/regions?parent=CN.98", "anon", nil, 404, errs.NotFound, ""},
			{"region", "GET", "/api/v1/regions/CN.44.03.05", "anon", nil, 200, "", ""},
			{"bad region", "GET", "/api/v1/regions/CN.4", "anon", nil, 400, errs.Invalid, "code"},
			{"unknown region", "GET", "/api/v1/regions/CN.98", "anon", nil, 404, errs.NotFound, ""},
		})
		cats := ta.do("GET", "/api/v1/categories", "", nil).must(t, 200).Body["items"].([]any)
		if len(cats) != 2 || cats[1].(map[string]any)["parent_id"] != float64(food) {
			t.Fatalf("categories %v", cats)
		}
		r := ta.do("GET", "/api/v1/regions/CN.44.03.05", "", nil).must(t, 200)
		if r.Body["name"] != "Nanshan 南山区" || r.Body["level"] != float64(4) || r.Body["parent_code"] != "CN.44.03" {
			t.Fatalf("region %s", r.Raw)
		}
		if items := ta.do("GET", "/api/v1/regions?parent=CN", "", nil).Body["items"].([]any); len(items) != 31 {
			t.Fatalf("%d provinces", len(items))
		}
	})
}

func TestCatalogWarehousesAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		wa, wb := fmt.Sprintf("/api/v1/warehouses/%d", w.whA), fmt.Sprintf("/api/v1/warehouses/%d", w.whB)
		stockA := fmt.Sprintf("%s/stock/%d", wa, w.skuA)
		before, beforeStock := w.snapshot(t, wa), w.snapshot(t, wa+"/stock")
		w.run(t, []catScenario{
			{"create anonymous", "POST", "/api/v1/warehouses", "anon", map[string]any{"name": "X", "region_code": "CN"}, 401, errs.Unauthorized, ""},
			{"create customer", "POST", "/api/v1/warehouses", "cust", map[string]any{"name": "X", "region_code": "CN"}, 403, errs.Forbidden, ""},
			{"create taken name", "POST", "/api/v1/warehouses", "a", map[string]any{"name": "Shenzhen", "region_code": "CN"}, 409, errs.Conflict, "name"},
			{"create bad region", "POST", "/api/v1/warehouses", "a", map[string]any{"name": "X", "region_code": "Guangdong"}, 400, errs.Invalid, "region_code"},
			{"create unknown region", "POST", "/api/v1/warehouses", "a", map[string]any{"name": "X", "region_code": "CN.98"}, 400, errs.Invalid, "region_code"},
			{"create bad area", "POST", "/api/v1/warehouses", "a", map[string]any{"name": "X", "region_code": "CN", "areas": []string{"CN", "CN.98"}}, 400, errs.Invalid, "areas[1]"},
			{"create for A by B", "POST", "/api/v1/warehouses", "b", map[string]any{"name": "X", "region_code": "CN", "supplier_id": w.supA}, 403, errs.Forbidden, ""},
			{"create priority type", "POST", "/api/v1/warehouses", "a", map[string]any{"name": "X", "region_code": "CN", "priority": "high"}, 400, errs.Invalid, "priority"},
			{"get by B", "GET", wa, "b", nil, 404, errs.NotFound, ""},
			{"get by customer", "GET", wa, "cust", nil, 403, errs.Forbidden, ""},
			{"get anonymous", "GET", wa, "anon", nil, 401, errs.Unauthorized, ""},
			{"get bad id", "GET", "/api/v1/warehouses/1.5", "a", nil, 400, errs.Invalid, "id"},
			{"list A's by B", "GET", fmt.Sprintf("/api/v1/warehouses?supplier_id=%d", w.supA), "b", nil, 403, errs.Forbidden, ""},
			{"list by customer", "GET", "/api/v1/warehouses", "cust", nil, 403, errs.Forbidden, ""},
			{"patch by B", "PATCH", wa, "b", map[string]any{"name": "Mine"}, 404, errs.NotFound, ""},
			{"patch bad priority", "PATCH", wa, "a", map[string]any{"priority": 5000}, 400, errs.Invalid, "priority"},
			{"patch unknown field", "PATCH", wa, "a", map[string]any{"areas": []string{"CN"}}, 400, errs.Invalid, "areas"},
			{"areas by B", "PUT", wa + "/areas", "b", map[string]any{"areas": []string{"CN"}}, 404, errs.NotFound, ""},
			{"areas missing", "PUT", wa + "/areas", "a", map[string]any{}, 400, errs.Invalid, "areas"},
			{"areas unknown", "PUT", wa + "/areas", "a", map[string]any{"areas": []string{"CN.98"}}, 400, errs.Invalid, "areas[0]"},
			{"areas not a list", "PUT", wa + "/areas", "a", map[string]any{"areas": "CN"}, 400, errs.Invalid, "areas"},
			{"stock by B", "PUT", stockA, "b", map[string]any{"on_hand": 5}, 404, errs.NotFound, ""},
			{"stock B's SKU in A", "PUT", fmt.Sprintf("%s/stock/%d", wa, w.skuB), "a", map[string]any{"on_hand": 5}, 404, errs.NotFound, "sku_id"},
			{"stock negative", "PUT", stockA, "a", map[string]any{"on_hand": -1}, 400, errs.Invalid, "on_hand"},
			{"stock missing", "PUT", stockA, "a", map[string]any{}, 400, errs.Invalid, "on_hand"},
			{"stock fraction", "PUT", stockA, "a", map[string]any{"on_hand": 1.5}, 400, errs.Invalid, "on_hand"},
			{"stock bad sku id", "PUT", wa + "/stock/x", "a", map[string]any{"on_hand": 1}, 400, errs.Invalid, "sku_id"},
			{"stock list by B", "GET", wa + "/stock", "b", nil, 404, errs.NotFound, ""},
		})
		if after, afterStock := w.snapshot(t, wa), w.snapshot(t, wa+"/stock"); after != before || afterStock != beforeStock {
			t.Fatalf("refused requests changed the warehouse:\n%s\n%s\n%s", before, after, afterStock)
		}
		res := ta.do("PUT", wa+"/areas", w.tok["a"], map[string]any{"areas": []string{"CN.44", "CN.11.01"}}).must(t, 200)
		if areas := res.Body["areas"].([]any); len(areas) != 2 {
			t.Fatalf("areas %s", res.Raw)
		}
		res = ta.do("PATCH", wa, w.tok["a"], map[string]any{"priority": 3, "active": false}).must(t, 200)
		if res.Body["priority"] != float64(3) || res.Body["active"] != false || res.Body["name"] != "Shenzhen" {
			t.Fatalf("patched %s", res.Raw)
		}
		st := ta.do("PUT", stockA, w.tok["a"], map[string]any{"on_hand": 12}).must(t, 200)
		if st.Body["on_hand"] != float64(12) || st.Body["available"] != float64(12) {
			t.Fatalf("stock %s", st.Raw)
		}
		lines := ta.do("GET", wa+"/stock", w.tok["a"], nil).must(t, 200).Body["items"].([]any)
		if len(lines) != 1 {
			t.Fatalf("stock lines %v", lines)
		}
		mine := ta.do("GET", "/api/v1/warehouses", w.tok["a"], nil).must(t, 200).Body["items"].([]any)
		all := ta.do("GET", "/api/v1/warehouses", w.tok["op"], nil).must(t, 200).Body["items"].([]any)
		if len(mine) != 1 || len(all) != 2 {
			t.Fatalf("A sees %d, operator %d", len(mine), len(all))
		}
		ta.do("GET", wb, w.tok["op"], nil).must(t, 200)
	})
}

func TestCatalogAPIKeys(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		keys := fmt.Sprintf("/api/v1/suppliers/%d/api-keys", w.supA)
		res := ta.do("POST", keys, w.tok["a"], map[string]any{"name": "ERP"}).must(t, 201)
		key, _ := res.Body["key"].(string)
		keyID := res.id()
		w.tok["key"] = key
		if len(key) != 47 || res.Body["prefix"] != key[:12] {
			t.Fatalf("created %s", res.Raw)
		}
		list := ta.do("GET", keys, w.tok["a"], nil).must(t, 200)
		if items := list.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["key"] != nil {
			t.Fatalf("the list must not show keys: %s", list.Raw)
		}
		w.run(t, []catScenario{
			// The key acts as supplier A on A's catalog...
			{"key creates a product", "POST", "/api/v1/products", "key", map[string]any{"title": "By key", "skus": []any{map[string]any{"code": "K", "retail_price": "5"}}}, 201, "", ""},
			{"key patches A's SKU", "PATCH", fmt.Sprintf("/api/v1/skus/%d", w.skuA), "key", map[string]any{"retail_price": "18.00"}, 200, "", ""},
			{"key sets stock", "PUT", fmt.Sprintf("/api/v1/warehouses/%d/stock/%d", w.whA, w.skuA), "key", map[string]any{"on_hand": 3}, 200, "", ""},
			{"key lists A's warehouses", "GET", "/api/v1/warehouses", "key", nil, 200, "", ""},
			// ...and nowhere else.
			{"key patches B's product", "PATCH", fmt.Sprintf("/api/v1/products/%d", w.prodB), "key", map[string]any{"title": "X"}, 403, errs.Forbidden, ""},
			{"key reads B's hidden product", "GET", fmt.Sprintf("/api/v1/products/%d", w.hiddenB), "key", nil, 404, errs.NotFound, ""},
			{"key reads B's warehouse", "GET", fmt.Sprintf("/api/v1/warehouses/%d", w.whB), "key", nil, 404, errs.NotFound, ""},
			{"key creates a category", "POST", "/api/v1/categories", "key", map[string]any{"name": "X", "slug": "x"}, 403, errs.Forbidden, ""},
			{"key changes a status", "POST", fmt.Sprintf("/api/v1/suppliers/%d/status", w.supB), "key", map[string]any{"status": "suspended"}, 403, errs.Forbidden, ""},
			{"key creates a key", "POST", keys, "key", map[string]any{"name": "more"}, 403, errs.Forbidden, ""},
			{"key applies", "POST", "/api/v1/suppliers", "key", map[string]any{"name": "X", "contact_email": "x@example.com"}, 403, errs.Forbidden, ""},
			// Other people and A's keys.
			{"B lists A's keys", "GET", keys, "b", nil, 403, errs.Forbidden, ""},
			{"B creates a key for A", "POST", keys, "b", map[string]any{"name": "mine"}, 403, errs.Forbidden, ""},
			{"B revokes A's key", "DELETE", fmt.Sprintf("%s/%d", keys, keyID), "b", nil, 403, errs.Forbidden, ""},
			{"B revokes A's key as its own", "DELETE", fmt.Sprintf("/api/v1/suppliers/%d/api-keys/%d", w.supB, keyID), "b", nil, 404, errs.NotFound, ""},
			{"customer lists keys", "GET", keys, "cust", nil, 403, errs.Forbidden, ""},
			{"anonymous lists keys", "GET", keys, "anon", nil, 401, errs.Unauthorized, ""},
			{"key without name", "POST", keys, "a", map[string]any{"name": ""}, 400, errs.Invalid, "name"},
			{"revoke bad id", "DELETE", keys + "/x", "a", nil, 400, errs.Invalid, "key_id"},
			{"revoke missing", "DELETE", keys + "/9999", "a", nil, 404, errs.NotFound, ""},
		})
		if ta.do("GET", fmt.Sprintf("/api/v1/products/%d", w.prodB), w.tok["op"], nil).Body["title"] != "Tea B-1" {
			t.Fatal("the key changed B's product")
		}
		ta.do("DELETE", fmt.Sprintf("%s/%d", keys, keyID), w.tok["a"], nil).must(t, 200)
		ta.do("GET", "/api/v1/warehouses", key, nil).wantErr(t, errs.Unauthorized, "")
		ta.do("DELETE", fmt.Sprintf("%s/%d", keys, keyID), w.tok["op"], nil).must(t, 200)
		// A malformed bearer is refused before any route.
		ta.do("GET", "/api/v1/products", "smk_short", nil).wantErr(t, errs.Unauthorized, "Authorization")
	})
}

// tiers, rateTier and fixedTier build a commission override's JSON; a nil
// tier is left unnamed.
func tiers(ts ...any) map[string]any { return map[string]any{"tiers": ts} }

func rateTier(bp int) map[string]any { return map[string]any{"kind": "rate", "rate_bp": bp} }

func fixedTier(perUnit string) map[string]any {
	return map[string]any{"kind": "fixed", "per_unit": perUnit}
}
