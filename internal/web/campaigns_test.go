package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestCampaignPages: a supplier's form refuses bad fields next to them and
// saves a good one; the operator sees and ends it; a distributor's centre
// lists it with what it would earn; both languages, no missing keys.
func TestCampaignPages(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		ps, err := db.Products(f.ctx, f.a, store.ProductFilter{SupplierID: f.a.SupplierID, Limit: 10})
		if err != nil || len(ps) != 1 {
			t.Fatalf("%v %v", ps, err)
		}
		product := strconv.FormatInt(ps[0].ID, 10)
		st, err := db.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		loc := st.Location()
		at := func(d time.Duration) string { return db.Now().Add(d).In(loc).Format("2006-01-02T15:04") }
		form := func(change func(v url.Values)) url.Values {
			v := url.Values{"campaign_name": {"Spring tea"}, "starts_at": {at(-time.Hour)}, "ends_at": {at(48 * time.Hour)},
				"tier1_kind": {"rate"}, "tier1_rate": {"20"}, "stock_limit": {"50"}, "product": {product}, "price_" + product: {"15.00"}}
			change(v)
			return v
		}
		f.signIn("a@example.com")
		for _, lang := range []string{"en", "zh-CN"} {
			f.lang = lang
			p := f.get("/sup/campaigns")
			if p.Status != http.StatusOK {
				t.Fatalf("%s: %d", lang, p.Status)
			}
			mustContain(t, p.Body, `data-test="campaign-form"`, `href="/sup/campaigns"`)
			mustLack(t, p.Body, "campaigns.", "console.nav.")
		}
		f.lang = "en"
		for field, change := range map[string]func(v url.Values){
			"tier1_rate":    func(v url.Values) { v.Set("tier1_rate", "40") }, // over the cap with tier 2
			"items":         func(v url.Values) { v.Del("product") },
			"ends_at":       func(v url.Values) { v.Set("ends_at", "soon") },
			"campaign_name": func(v url.Values) { v.Set("campaign_name", "") },
			"stock_limit":   func(v url.Values) { v.Set("stock_limit", "0") },
		} {
			p := f.post("/sup/campaigns", form(change))
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-`+field+`"`) {
				t.Fatalf("%s: %d, no error by the field", field, p.Status)
			}
		}
		f.lang = "zh-CN"
		p := f.post("/sup/campaigns", form(func(v url.Values) { v.Set("tier1_rate", "40") }))
		mustContain(t, p.Body, "总佣金不超过上限")
		f.lang = "en"
		if p := f.post("/sup/campaigns", form(func(url.Values) {})); p.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", p.Status, p.Body)
		}
		mustContain(t, f.get("/sup/campaigns?saved=created").Body, "Spring tea", "20%", "¥15.00", "0 of 50")

		dist := f.account("mei@example.com")
		if _, err := db.JoinNetwork(f.ctx, dist, network.Join{DisplayName: "Mei"}); err != nil {
			t.Fatal(err)
		}
		f.signIn("mei@example.com")
		mustContain(t, f.get("/centre").Body, `href="/centre/campaigns"`)
		c := f.get("/centre/campaigns")
		mustContain(t, c.Body, "Spring tea", "¥3.00", "(usually ¥1.99)", "50 units left")
		// The product page and the home list show the price checkout charges: the campaign's.
		for _, path := range []string{"/p/" + product, "/"} {
			if pp := f.get(path); pp.Status != http.StatusOK || !strings.Contains(pp.Body, "¥15.00") {
				t.Fatalf("%s: %d, no campaign price", path, pp.Status)
			}
		}
		f.lang = "zh-CN"
		mustContain(t, f.get("/centre/campaigns").Body, "每件可赚", "进行中")
		f.lang = "en"

		f.signIn("op@example.com")
		list, err := db.Campaigns(f.ctx, f.op, true)
		if err != nil || len(list) != 1 {
			t.Fatalf("%v %v", list, err)
		}
		mustContain(t, f.get("/ops/campaigns").Body, "Spring tea", "(supplier ")
		id := strconv.FormatInt(list[0].ID, 10)
		if p := f.post("/ops/campaigns/"+id+"/end", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("end: %d", p.Status)
		}
		if p := f.post("/ops/campaigns/"+id+"/end", nil); p.Status != http.StatusConflict {
			t.Fatalf("end twice: %d", p.Status)
		}
		mustContain(t, f.get("/ops/campaigns").Body, `data-test="status-`+id+`">Ended`)
		if p := f.get("/sup/campaigns"); p.Status != http.StatusForbidden {
			t.Fatalf("the operator in the supplier console: %d", p.Status)
		}

		// Own-purchase commission is a box in the settings form, off by default.
		settings := settingsValues(t, f.get("/ops/settings").Body)
		settings.Set("own_purchase_commission", "on")
		settings.Set("action", "save")
		if p := f.post("/ops/settings", settings); p.Status != http.StatusSeeOther {
			t.Fatalf("save settings: %d", p.Status)
		}
		if st, _ := db.Settings(f.ctx); !st.OwnPurchaseCommission {
			t.Fatal("own_purchase_commission not saved")
		}
		mustContain(t, f.get("/ops/settings").Body, `name="own_purchase_commission" checked`, `data-test="warning-own_purchase_commission"`)
	})
}
