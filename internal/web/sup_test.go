package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// paidParcel is a paid order of one unit of sku and the parcel its supplier ships.
func (f *shopFloor) paidParcel(sku int64) (*order.Order, int64) {
	f.t.Helper()
	f.signIn("buyer@example.com")
	o := f.checkout([2]int64{sku, 1})
	f.pay(o)
	return o, f.parcels(o)[0].ID
}

func (f *shopFloor) parcelStatus(id int64) store.FulfilmentStatus {
	f.t.Helper()
	list, err := f.db.FulfilmentQueue(f.ctx, f.op, store.FulfilmentFilter{After: id - 1, Limit: 1})
	if err != nil || len(list) == 0 {
		f.t.Fatalf("parcel %d: %v", id, err)
	}
	return list[0].Status
}

// upload sends a file as the CSV shipping form does.
func (s *testSite) upload(path, name string, content []byte) *page {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			s.t.Fatal(err)
		}
		fw.Write(content)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, s.url+path, &body)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", s.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return s.do(req)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

var supPages = []string{"/sup", "/sup/products", "/sup/products/new", "/sup/parcels", "/sup/parcels?status=all", "/sup/parcels/upload",
	"/sup/cases", "/sup/cases?status=all", "/sup/keys"}

func TestSupConsoleIsForSuppliers(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		for _, path := range supPages { // a customer
			if p := f.get(path); p.Status != http.StatusForbidden {
				t.Errorf("customer %s: %d", path, p.Status)
			}
		}
		if p := f.post("/sup/keys", url.Values{"key_name": {"x"}}); p.Status != http.StatusForbidden {
			t.Errorf("customer makes a key: %d", p.Status)
		}
		f.signIn("op@example.com")
		if p := f.get("/sup"); p.Status != http.StatusForbidden {
			t.Errorf("operator: %d", p.Status)
		}
		f.jar, _ = cookiejar.New(nil)
		if p := f.get("/sup/parcels"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin?next=%2Fsup%2Fparcels" {
			t.Errorf("anonymous: %d %q", p.Status, p.Header.Get("Location"))
		}
		f.signIn("a@example.com")
		for _, lang := range []string{"en", "zh-CN"} {
			f.lang = lang
			for _, path := range supPages {
				p := f.get(path)
				if p.Status != http.StatusOK {
					t.Errorf("%s %s: %d", lang, path, p.Status)
				}
				mustContain(t, p.Body, `class="console-nav"`, `href="/sup/parcels"`)
				mustLack(t, p.Body, "sup.", "console.nav.")
			}
		}
		f.lang = "zh-CN"
		mustContain(t, f.get("/sup").Body, "供应商后台", "待发货")
	})
}

func TestSupHomeCounts(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		f.paidParcel(f.tea)
		f.paidParcel(f.tea)
		f.paidParcel(f.cup) // B's: not A's business
		f.signIn("a@example.com")
		p := f.get("/sup")
		mustContain(t, p.Body, `data-test="to-ship">2<`, `data-test="cases-open">0<`, `data-test="no-low"`)
		// Ten in stock, two sold: eight left, not low; counted down to four, low.
		whs, err := db.Warehouses(f.ctx, f.a, f.a.SupplierID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetStock(f.ctx, f.a, whs[0].ID, f.tea, 4); err != nil {
			t.Fatal(err)
		}
		p = f.get("/sup")
		mustContain(t, p.Body, `data-test="low-count">1<`, `data-test="low-row"`, "Oolong tea", "SKU-1999", `data-label="Available">4</td>`)
		mustLack(t, p.Body, "Tea cup")
	})
}

func TestSupParcelsScopedAndShipped(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		_, mine := f.paidParcel(f.tea)
		_, theirs := f.paidParcel(f.cup)
		f.signIn("a@example.com")
		p := f.get("/sup/parcels")
		mustContain(t, p.Body, `data-test="parcel-`+id(mine)+`"`, "Oolong tea × 1", `data-test="ship-`+id(mine)+`"`)
		mustLack(t, p.Body, `data-test="parcel-`+id(theirs)+`"`, "Tea cup")
		if p := f.get("/sup/parcels/" + id(theirs)); p.Status != http.StatusNotFound {
			t.Errorf("another supplier's packing list: %d", p.Status)
		}
		if p := f.post("/sup/parcels/"+id(theirs)+"/ship", url.Values{"carrier": {"SF"}, "tracking_number": {"SF1"}}); p.Status != http.StatusNotFound {
			t.Errorf("ship another supplier's parcel: %d", p.Status)
		}
		if got := f.parcelStatus(theirs); got != store.FulfilmentReleased {
			t.Errorf("their parcel is %s", got)
		}

		// The packing list: address, lines, print button; the ship form.
		p = f.get("/sup/parcels/" + id(mine))
		mustContain(t, p.Body, `data-test="packing-list"`, "Li Lei", "1 Test Road", "Nanshan", "Oolong tea", `data-test="sku-code">SKU-1999<`, `data-print`, `data-test="ship-form"`)

		// Refused by the field, what was typed kept; nothing shipped.
		p = f.post("/sup/parcels/"+id(mine)+"/ship", url.Values{"carrier": {" "}, "tracking_number": {"SF123456"}, "next": {"/sup/parcels"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("blank carrier: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-carrier"`, `value="SF123456"`)
		if got := f.parcelStatus(mine); got != store.FulfilmentReleased {
			t.Errorf("refused, yet %s", got)
		}
		p = f.post("/sup/parcels/"+id(mine)+"/ship", url.Values{"carrier": {"SF Express"}, "tracking_number": {"SF123456"}, "next": {"/sup/parcels"}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/sup/parcels" {
			t.Fatalf("ship: %d %q", p.Status, p.Header.Get("Location"))
		}
		if got := f.parcelStatus(mine); got != store.FulfilmentShipped {
			t.Errorf("shipped, yet %s", got)
		}
		mustContain(t, f.get("/sup/parcels").Body, `data-test="no-parcels"`)
		mustContain(t, f.get("/sup/parcels?status=shipped").Body, `data-test="parcel-`+id(mine)+`"`, "SF Express SF123456")
		if p := f.get("/sup/parcels?status=lost"); p.Status != http.StatusBadRequest {
			t.Errorf("unknown status: %d", p.Status)
		}
	})
}

func TestSupUploadCSV(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		_, one := f.paidParcel(f.tea)
		_, two := f.paidParcel(f.tea)
		_, three := f.paidParcel(f.tea)
		_, theirs := f.paidParcel(f.cup)
		f.signIn("a@example.com")
		csv := fmt.Sprintf("fulfilment_order_id,carrier,tracking_number\n%d,SF Express,SF0001\nabc,SF Express,SF0002\n%d,SF Express\n%d,SF Express,SF0004\n%d,ZTO,\n%d,ZTO,ZT0006\n",
			one, two, theirs, three, two)
		p := f.upload("/sup/parcels/upload", "ship.csv", []byte(csv))
		if p.Status != http.StatusOK {
			t.Fatalf("upload: %d %s", p.Status, p.Body)
		}
		mustContain(t, p.Body, `data-test="shipped-count">2 of 6 rows shipped.`, `data-test="row-error-3"`, `data-test="row-error-4"`,
			`data-test="row-error-5"`, `data-test="row-error-6"`, "want 3 columns", "tracking_number: ")
		mustLack(t, p.Body, `data-test="row-error-2"`, `data-test="row-error-7"`)
		for pid, want := range map[int64]store.FulfilmentStatus{one: store.FulfilmentShipped, two: store.FulfilmentShipped,
			three: store.FulfilmentReleased, theirs: store.FulfilmentReleased} {
			if got := f.parcelStatus(pid); got != want {
				t.Errorf("parcel %d: %s, want %s", pid, got, want)
			}
		}

		// Whole files refused by the field.
		for name, c := range map[string]struct {
			file    string
			content []byte
			status  int
		}{
			"none":   {"", nil, http.StatusBadRequest},
			"binary": {"ship.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), http.StatusBadRequest},
			"empty":  {"ship.csv", []byte("  \n"), http.StatusBadRequest},
			"quotes": {"ship.csv", []byte("1,\"SF,2\n"), http.StatusBadRequest},
			"large":  {"ship.csv", bytes.Repeat([]byte("1,SF Express,SF0001\n"), 40000), http.StatusRequestEntityTooLarge},
		} {
			p := f.upload("/sup/parcels/upload", c.file, c.content)
			if p.Status != c.status {
				t.Errorf("%s: %d, want %d", name, p.Status, c.status)
			}
			mustContain(t, p.Body, `data-test="error-file"`)
			mustLack(t, p.Body, `data-test="upload-result"`)
		}
		if got := f.parcelStatus(three); got != store.FulfilmentReleased {
			t.Errorf("a refused file shipped parcel 3: %s", got)
		}
		f.lang = "zh-CN"
		mustContain(t, f.upload("/sup/parcels/upload", "x.csv", []byte("\x00\x01")).Body, "请选择 UTF-8 编码的 CSV 文件")
	})
}

func TestSupProducts(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		markup := true
		if _, err := db.UpdateSupplier(f.ctx, f.a, f.a.SupplierID, catalog.SupplierUpdate{AllowMarkup: &markup}); err != nil {
			t.Fatal(err)
		}
		f.signIn("b@example.com") // B does not allow markup: no ceiling to set
		mustLack(t, f.get("/sup/products/new").Body, `name="price_ceiling"`)
		f.signIn("a@example.com")
		mustContain(t, f.get("/sup/products/new").Body, `name="price_ceiling"`)
		p := f.get("/sup/products")
		mustContain(t, p.Body, "Oolong tea", "¥19.99")
		mustLack(t, p.Body, "Tea cup")
		cup, err := db.Products(f.ctx, f.b, store.ProductFilter{SupplierID: f.b.SupplierID})
		if err != nil || len(cup) != 1 {
			t.Fatal(err)
		}
		if p := f.get("/sup/products/" + id(cup[0].ID)); p.Status != http.StatusNotFound {
			t.Errorf("another supplier's product: %d", p.Status)
		}
		if p := f.post("/sup/products/"+id(cup[0].ID), url.Values{"title": {"Mine now"}}); p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
			t.Errorf("edit another supplier's product: %d", p.Status)
		}
		if p := f.post("/sup/skus/"+id(f.cup), url.Values{"product": {id(cup[0].ID)}, "retail_price": {"0.01"}}); p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
			t.Errorf("reprice another supplier's SKU: %d", p.Status)
		}

		// Create: refusals by the field, values kept.
		form := url.Values{"title": {""}, "description": {"Spring picking"}, "images": {"https://img.example.com/a.jpg"}, "code": {"GT-1"},
			"retail_price": {"29.90"}, "on_sale": {"on"}}
		p = f.post("/sup/products", form)
		if p.Status != http.StatusBadRequest {
			t.Fatalf("no title: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-title"`, "Spring picking", `value="29.90"`, `value="GT-1"`, "https://img.example.com/a.jpg")
		form.Set("title", "Green tea")
		form.Set("retail_price", "29.9.0")
		p = f.post("/sup/products", form)
		mustContain(t, p.Body, `data-test="error-retail_price"`, `value="Green tea"`)
		form.Set("retail_price", "29.90")
		form.Set("images", "ftp://nowhere/a.jpg")
		mustContain(t, f.post("/sup/products", form).Body, `data-test="error-images"`, "ftp://nowhere/a.jpg")
		form.Set("images", "https://img.example.com/a.jpg\n/static/icon-180.png")
		// Commission: a rate per tier in percent, within the program's cap.
		form.Set("commission_1", "12,5")
		mustContain(t, f.post("/sup/products", form).Body, `data-test="error-commission_1"`, `value="12,5"`)
		form.Set("commission_1", "28")
		form.Set("commission_2", "5")
		p = f.post("/sup/products", form)
		if p.Status != http.StatusBadRequest {
			t.Fatalf("over the cap: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-commission_1"`, `value="28"`, `value="5"`)
		form.Set("commission_1", "12.5")
		form.Del("commission_2")
		p = f.post("/sup/products", form)
		loc := p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/sup/products/") {
			t.Fatalf("create: %d %q %s", p.Status, loc, p.Body)
		}
		pid, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/sup/products/"), 10, 64)
		made, err := db.Product(f.ctx, f.a, pid)
		if err != nil || made.Title != "Green tea" || len(made.Images) != 2 || !made.OnSale || len(made.SKUs) != 1 || made.SKUs[0].RetailPrice != 2990 {
			t.Fatalf("made %+v, %v", made, err)
		}
		if c := made.Commission; c == nil || len(c.Tiers) != 2 || c.Tiers[0] == nil || c.Tiers[0].Rate != 1250 || c.Tiers[1] != nil {
			t.Fatalf("commission %+v", made.Commission)
		}
		p = f.get(loc)
		mustContain(t, p.Body, `name="commission_1" value="12.5"`, `name="commission_2" value=""`, "Program: 5%", `value="Green tea"`, `data-test="sku-`+id(made.SKUs[0].ID)+`"`, `value="29.90"`)

		// Edit: take it off sale; a refusal keeps what was typed.
		p = f.post(loc, url.Values{"title": {strings.Repeat("x", 300)}, "description": {"new words"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("long title: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-title"`, "new words")
		if p := f.post(loc, url.Values{"title": {"Green tea"}, "description": {"new words"}, "images": {"/static/icon-180.png"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("off sale: %d %s", p.Status, p.Body)
		}
		if made, _ = db.Product(f.ctx, f.a, pid); made.OnSale || made.Description != "new words" || made.Commission != nil {
			t.Errorf("after edit: %+v", made)
		}
		mustContain(t, f.get("/sup/products?on_sale=false").Body, `data-test="product-`+id(pid)+`"`)
		mustLack(t, f.get("/sup/products?on_sale=true").Body, `data-test="product-`+id(pid)+`"`)

		// Add a SKU: refused, then made.
		p = f.post(loc+"/skus", url.Values{"sku_code": {"GT-2"}, "sku_retail_price": {"39.90"}, "sku_price_ceiling": {"9.00"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("ceiling under price: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-sku_price_ceiling"`, `value="GT-2"`, `value="39.90"`, `value="Green tea"`)
		if p := f.post(loc+"/skus", url.Values{"sku_code": {"GT-2"}, "sku_retail_price": {"39.90"}, "sku_price_ceiling": {"49.90"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("add SKU: %d %s", p.Status, p.Body)
		}
		made, _ = db.Product(f.ctx, f.a, pid)
		if len(made.SKUs) != 2 {
			t.Fatalf("SKUs %+v", made.SKUs)
		}
		k := made.SKUs[0]
		// Reprice a SKU: refused with the typed price kept, then saved off sale.
		p = f.post("/sup/skus/"+id(k.ID), url.Values{"product": {id(pid)}, "retail_price": {"abc"}, "on_sale": {"on"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("bad price: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-sku-retail_price"`, `value="abc"`)
		if p := f.post("/sup/skus/"+id(k.ID), url.Values{"product": {id(pid)}, "retail_price": {"25.00"}, "price_ceiling": {"30.00"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("reprice: %d %s", p.Status, p.Body)
		}
		made, _ = db.Product(f.ctx, f.a, pid)
		if got := made.SKUs[0]; got.RetailPrice != 2500 || got.PriceCeiling == nil || *got.PriceCeiling != 3000 || got.OnSale {
			t.Errorf("SKU after save: %+v", got)
		}
	})
}

func TestSupCases(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		o := f.received()
		line := id(o.Lines[0].ID)
		reject := f.openCase(o, url.Values{"line": {line}, "kind": {"refund_only"}, "quantity": {"1"}, "reason": {"not fresh"}})
		f.signIn("b@example.com")
		mustLack(t, f.get("/sup/cases").Body, `data-test="case-`+id(reject)+`"`, "not fresh")
		if p := f.post("/sup/cases/"+id(reject)+"/decision", url.Values{"decision": {"approve"}}); p.Status != http.StatusNotFound && p.Status != http.StatusForbidden {
			t.Errorf("another supplier decides: %d", p.Status)
		}
		f.signIn("a@example.com")
		p := f.get("/sup/cases")
		mustContain(t, p.Body, `data-test="case-`+id(reject)+`"`, "Oolong tea", "not fresh", "¥19.99", `data-test="approve-`+id(reject)+`"`)
		mustContain(t, f.get("/sup").Body, `data-test="cases-open">1<`)

		// Rejecting needs a reason; said by the field of that case.
		p = f.post("/sup/cases/"+id(reject)+"/decision", url.Values{"decision": {"reject"}, "note": {" "}, "status": {"open"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("reject without a reason: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-note"`)
		p = f.post("/sup/cases/"+id(reject)+"/decision", url.Values{"decision": {"reject"}, "note": {"it was fresh"}, "status": {"open"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("reject: %d", p.Status)
		}
		if c, _ := db.AfterSaleCase(f.ctx, f.a, reject); c.Status != store.CaseRejected || c.DecisionNote != "it was fresh" {
			t.Errorf("rejected case: %+v", c)
		}
		// The other decision on a decided case: refused, said at the case.
		p = f.post("/sup/cases/"+id(reject)+"/decision", url.Values{"decision": {"approve"}, "status": {"all"}})
		if p.Status != http.StatusConflict {
			t.Errorf("approve a rejected case: %d", p.Status)
		}

		// A return: approved, then the goods come back and the money goes.
		f.signIn("buyer@example.com")
		ret := f.openCase(o, url.Values{"line": {line}, "kind": {"return_refund"}, "quantity": {"2"}, "reason": {"too many"}})
		f.signIn("a@example.com")
		if p := f.post("/sup/cases/"+id(ret)+"/decision", url.Values{"decision": {"approve"}, "status": {"open"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", p.Status, p.Body)
		}
		mustContain(t, f.get("/sup/cases?status=approved").Body, `data-test="received-`+id(ret)+`"`)
		if p := f.post("/sup/cases/"+id(ret)+"/return-received", url.Values{"status": {"approved"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("received: %d %s", p.Status, p.Body)
		}
		if c, _ := db.AfterSaleCase(f.ctx, f.a, ret); c.Status != store.CaseRefunded {
			t.Errorf("returned case: %s", c.Status)
		}
		mustContain(t, f.get("/sup/cases?status=refunded").Body, `data-test="case-`+id(ret)+`"`)
	})
}

func TestSupKeys(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		f.signIn("a@example.com")
		mustContain(t, f.get("/sup/keys").Body, `data-test="no-keys"`)
		p := f.post("/sup/keys", url.Values{"key_name": {strings.Repeat("k", 101)}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("long name: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-key_name"`, strings.Repeat("k", 101))
		p = f.post("/sup/keys", url.Values{"key_name": {"warehouse system"}})
		if p.Status != http.StatusOK || p.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("create: %d %q", p.Status, p.Header.Get("Cache-Control"))
		}
		mustContain(t, p.Body, `data-test="new-key"`, "warehouse system")
		start := strings.Index(p.Body, `data-test="key">`) + len(`data-test="key">`)
		key := p.Body[start : start+strings.Index(p.Body[start:], "<")]
		keys, err := db.APIKeys(f.ctx, f.a, f.a.SupplierID)
		if err != nil || len(keys) != 1 || !strings.HasPrefix(key, keys[0].Prefix) {
			t.Fatalf("keys %+v %q %v", keys, key, err)
		}
		p = f.get("/sup/keys")
		mustLack(t, p.Body, key)
		mustContain(t, p.Body, keys[0].Prefix)
		// B cannot revoke A's key.
		f.signIn("b@example.com")
		if p := f.post("/sup/keys/"+id(keys[0].ID)+"/revoke", nil); p.Status < 400 {
			t.Errorf("B revokes A's key: %d", p.Status)
		}
		f.signIn("a@example.com")
		if p := f.post("/sup/keys/"+id(keys[0].ID)+"/revoke", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", p.Status)
		}
		mustContain(t, f.get("/sup/keys").Body, `data-test="revoked-`+id(keys[0].ID)+`"`)
	})
}

func TestSupWarehousesAndStock(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		theirs, err := db.Warehouses(f.ctx, f.b, f.b.SupplierID)
		if err != nil {
			t.Fatal(err)
		}
		f.signIn("a@example.com")
		p := f.get("/sup/warehouses")
		mustContain(t, p.Body, "Oolong tea store", "Guangdong Shenzhen Nanshan", "The whole country")
		mustLack(t, p.Body, "Tea cup store")
		for _, path := range []string{"/sup/warehouses/" + id(theirs[0].ID), "/sup/warehouses/" + id(theirs[0].ID) + "/stock"} {
			if p := f.get(path); p.Status != http.StatusNotFound {
				t.Errorf("another supplier's %s: %d", path, p.Status)
			}
		}
		if p := f.post("/sup/warehouses/"+id(theirs[0].ID)+"/areas", url.Values{"whole": {"CN"}}); p.Status != http.StatusNotFound {
			t.Errorf("change another supplier's areas: %d", p.Status)
		}

		// The picker without its script: "next" shows the level below, nothing saved.
		p = f.post("/sup/warehouses", url.Values{"wh_name": {"Guangzhou"}, "province": {"CN.44"}, "priority": {"3"}, "action": {"region"}})
		if p.Status != http.StatusOK {
			t.Fatalf("region step: %d", p.Status)
		}
		mustContain(t, p.Body, `value="CN.44" selected`, `value="CN.44.01"`, `value="Guangzhou"`, `value="3"`)
		mustLack(t, p.Body, "field-error")
		// Refusals by the field, values kept.
		p = f.post("/sup/warehouses", url.Values{"wh_name": {"Guangzhou"}, "province": {""}, "priority": {"3"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("no location: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-region_code"`, `value="Guangzhou"`)
		form := url.Values{"wh_name": {"Oolong tea store"}, "province": {"CN.44"}, "city": {"CN.44.01"}, "district": {"CN.44.01.06"}, "priority": {"3"}, "active": {"on"}}
		p = f.post("/sup/warehouses", form)
		if p.Status != http.StatusConflict {
			t.Fatalf("name taken: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-wh_name"`, `value="CN.44.01.06" selected`)
		form.Set("wh_name", "Guangzhou")
		form.Set("priority", "5000")
		mustContain(t, f.post("/sup/warehouses", form).Body, `data-test="error-priority"`, `value="5000"`)
		form.Set("priority", "3")
		p = f.post("/sup/warehouses", form)
		loc := p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/sup/warehouses/") {
			t.Fatalf("create: %d %q", p.Status, loc)
		}
		whID, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/sup/warehouses/"), 10, 64)
		wh, err := db.Warehouse(f.ctx, f.a, whID)
		if err != nil || wh.Name != "Guangzhou" || wh.RegionCode != "CN.44.01.06" || wh.Priority != 3 || !wh.Active {
			t.Fatalf("made %+v %v", wh, err)
		}
		mustContain(t, f.get(loc).Body, `value="Guangzhou"`, `value="CN.44.01.06" selected`, `data-test="no-areas"`)

		// Deactivate; a refusal keeps the typed values.
		p = f.post(loc, url.Values{"wh_name": {""}, "province": {"CN.44"}, "city": {"CN.44.01"}, "district": {"CN.44.01.06"}, "priority": {"7"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("blank name: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-wh_name"`, `value="7"`)
		if p := f.post(loc, url.Values{"wh_name": {"Guangzhou"}, "province": {"CN.44"}, "city": {"CN.44.01"}, "district": {"CN.44.01.06"}, "priority": {"7"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", p.Status)
		}
		if wh, _ = db.Warehouse(f.ctx, f.a, whID); wh.Active || wh.Priority != 7 {
			t.Errorf("after edit: %+v", wh)
		}

		// Service areas: a province, the whole country, one removed.
		if p := f.post(loc+"/areas", url.Values{"province": {""}}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-areas"`) {
			t.Errorf("no area: %d", p.Status)
		}
		if p := f.post(loc+"/areas", url.Values{"whole": {"XX"}}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-areas"`) {
			t.Errorf("no such area: %d", p.Status)
		}
		for _, form := range []url.Values{{"province": {"CN.44"}, "action": {"add"}}, {"whole": {"CN"}}, {"province": {"CN.11"}, "action": {"add"}}, {"remove": {"CN.11"}}} {
			if p := f.post(loc+"/areas", form); p.Status != http.StatusSeeOther {
				t.Fatalf("areas %v: %d %s", form, p.Status, p.Body)
			}
		}
		if wh, _ = db.Warehouse(f.ctx, f.a, whID); strings.Join(wh.Areas, ",") != "CN,CN.44" && strings.Join(wh.Areas, ",") != "CN.44,CN" {
			t.Errorf("areas %v", wh.Areas)
		}
		mustContain(t, f.get(loc).Body, `data-test="area-CN.44"`, "Guangdong", `data-test="area-CN"`)

		// Stock: every SKU of the supplier; refused with the typed number kept.
		stock := loc + "/stock"
		p = f.get(stock)
		mustContain(t, p.Body, `data-test="stock-`+id(f.tea)+`"`, "Oolong tea", `value="0"`)
		mustLack(t, p.Body, "Tea cup")
		p = f.post(stock+"/"+id(f.tea), url.Values{"on_hand": {"-3"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("negative: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-on_hand"`, `value="-3"`)
		if p := f.post(stock+"/"+id(f.tea), url.Values{"on_hand": {"12"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("set: %d", p.Status)
		}
		mustContain(t, f.get(stock).Body, `data-test="available-`+id(f.tea)+`">12<`)
		if p := f.post(stock+"/"+id(f.cup), url.Values{"on_hand": {"5"}}); p.Status != http.StatusNotFound {
			t.Errorf("another supplier's SKU: %d", p.Status)
		}
	})
}
