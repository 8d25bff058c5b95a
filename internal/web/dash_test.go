package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/insight"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// dashFloor is a shop floor with three paid orders (two of A's tea, one
// of B's cup) folded into the insight rollups.
func dashFloor(t *testing.T, db *store.DB) *shopFloor {
	t.Helper()
	f := newShopFloor(t, db)
	f.paidParcel(f.tea)
	f.paidParcel(f.tea)
	f.paidParcel(f.cup)
	if _, err := db.FoldInsight(f.ctx, 0); err != nil {
		t.Fatal(err)
	}
	return f
}

// dashWant checks that every figure at a glance on body is the store's
// own figure of today, the last 7 days and the last 30 days, as actor for supplier.
func dashWant(t *testing.T, f *shopFloor, body string, actor account.Actor, supplier int64) {
	t.Helper()
	st, err := f.db.Settings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := f.db.Now().In(st.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	cur := money.CurrencyOf(st.CurrencyCode)
	metrics := []insight.Metric{insight.GMV, insight.Orders, insight.Customers, insight.AverageOrderValue, insight.Refunds,
		insight.Refunded, insight.NewDistributors, insight.CommissionBooked, insight.CommissionSettled, insight.CommissionPaidOut}
	for i, days := range []int{1, 7, 30} {
		pt, err := f.db.InsightWindow(f.ctx, actor, supplier, today.AddDate(0, 0, 1-days), today)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range metrics {
			cell := `data-test="glance-` + string(m) + `-` + []string{"today", "7d", "30d"}[i] + `">`
			if supplier != 0 && m.ProgramOnly() {
				mustLack(t, body, cell)
				continue
			}
			want := strconv.FormatInt(pt.Value(m), 10)
			if m.Money() {
				want = "¥" + cur.Format(money.Amount(pt.Value(m)))
			}
			mustContain(t, body, cell+want+"<")
		}
	}
}

var dashSeriesAttr = regexp.MustCompile(`data-dash-series="([^"]+)"`)

// dashSeries fetches every chart's series as the page's script does and
// returns the sum of each one's values, by metric and grain.
func dashSeries(t *testing.T, f *shopFloor, body string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, m := range dashSeriesAttr.FindAllStringSubmatch(body, -1) {
		src := html.UnescapeString(m[1])
		p := f.get(src)
		if p.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", src, p.Status, p.Body)
		}
		var s struct {
			Metric, Grain string
			Points        []struct{ Value int64 }
		}
		if err := json.Unmarshal([]byte(p.Body), &s); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		for _, pt := range s.Points {
			out[s.Metric+"/"+s.Grain] += pt.Value
		}
	}
	return out
}

func TestOpsDashboard(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := dashFloor(t, db)
		f.signIn("op@example.com")
		p := f.get("/ops/dashboard")
		if p.Status != http.StatusOK {
			t.Fatalf("dashboard: %d %s", p.Status, p.Body)
		}
		// 2 × 19.99 + 5.00, three orders by one customer, today.
		mustContain(t, p.Body, `data-test="glance-gmv-today">¥44.98<`, `data-test="glance-orders-today">3<`,
			`data-test="glance-customers-today">1<`, `data-test="glance-aov-today">¥14.99<`,
			`href="/ops/dashboard" aria-current="page"`, "vendor/uPlot.iife.min.", "vendor/uPlot.min.")
		dashWant(t, f, p.Body, f.op, 0)
		// The breakdowns: products by sales, with the CSV of the API.
		mustContain(t, p.Body, `data-test="by-product"`, "Oolong tea", "¥39.98", "Tea cup", "¥5.00",
			`href="/api/v1/insight/breakdown?by=product&amp;format=csv&amp;from=`)
		csv := f.get(html.UnescapeString(regexp.MustCompile(`href="(/api/v1/insight/breakdown\?by=product[^"]+)"`).FindStringSubmatch(p.Body)[1]))
		if csv.Status != http.StatusOK || !strings.Contains(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.Body, "Oolong tea,39.98") {
			t.Errorf("product CSV: %d %s %q", csv.Status, csv.Header.Get("Content-Type"), csv.Body)
		}
		// The charts draw the API's own series: the 30 days' and the
		// 12 months' sales are the three orders.
		sums := dashSeries(t, f, p.Body)
		if sums["gmv/day"] != 4498 || sums["gmv/month"] != 4498 || sums["orders/day"] != 3 || len(sums) != 4 {
			t.Errorf("chart series: %v", sums)
		}
		// The ledger check's state; the period form and the supplier picker.
		mustContain(t, p.Body, `data-test="dash-ledger"`, `data-test="ledger-never"`, `data-test="supplier-picker"`, ">Cup Co<",
			`data-test="period-form"`)
		if _, _, err := db.RunLedgerCheck(f.ctx, store.LedgerByConsole); err != nil {
			t.Fatal(err)
		}
		mustContain(t, f.get("/ops/dashboard").Body, `data-test="ledger-ok"`)
		// One supplier picked: its figures only, its scope in the charts and CSVs.
		p = f.get("/ops/dashboard?supplier_id=" + id(f.b.SupplierID))
		mustContain(t, p.Body, `data-test="glance-gmv-today">¥5.00<`, "Tea cup", "supplier_id="+id(f.b.SupplierID))
		mustLack(t, p.Body, "Oolong tea", `data-test="glance-new_distributors`)
		dashWant(t, f, p.Body, f.op, f.b.SupplierID)
		// A period without sales: the breakdowns are empty, the glance is not.
		p = f.get("/ops/dashboard?from=2020-01-01&to=2020-01-31")
		mustContain(t, p.Body, `data-test="breakdown-period">Broken down, 2020-01-01 to 2020-01-31<`, `data-test="none"`,
			`data-test="glance-gmv-today">¥44.98<`, `value="2020-01-01"`)
		mustLack(t, p.Body, "Oolong tea")
		// Wrong forms: refused by the field, the default period shown.
		for q, field := range map[string]string{"from=2026-13-01": "from", "from=2026-02-01&to=2026-01-01": "to",
			"supplier_id=x": "supplier_id", "supplier_id=999999": "supplier_id"} {
			p := f.get("/ops/dashboard?" + q)
			if p.Status != http.StatusBadRequest && p.Status != http.StatusNotFound {
				t.Errorf("%s: %d", q, p.Status)
			}
			mustContain(t, p.Body, `data-test="error-`+field+`"`, `data-test="glance-gmv-today">¥44.98<`)
		}
		f.lang = "zh-CN"
		p = f.get("/ops/dashboard")
		mustContain(t, p.Body, "经营概览", "热销商品", `data-test="glance-gmv-today">¥44.98<`, "近 7 天", "整个项目")
		mustLack(t, p.Body, "dash.", "console.nav.")
	})
}

func TestSupInsightScoped(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := dashFloor(t, db)
		f.signIn("a@example.com")
		p := f.get("/sup/insight")
		if p.Status != http.StatusOK {
			t.Fatalf("insight: %d %s", p.Status, p.Body)
		}
		mustContain(t, p.Body, `data-test="glance-gmv-today">¥39.98<`, `data-test="glance-orders-today">2<`, "Oolong tea",
			`href="/sup/insight" aria-current="page"`, "supplier_id="+id(f.a.SupplierID))
		mustLack(t, p.Body, "Tea cup", "Cup Co", "¥44.98", `data-test="glance-new_distributors`, "distributors-month",
			`data-test="supplier-picker"`, `data-test="dash-ledger"`)
		// A supplier cannot widen its scope through the form.
		if p := f.get("/sup/insight?supplier_id=" + id(f.b.SupplierID)); strings.Contains(p.Body, "Tea cup") {
			t.Errorf("a supplier saw another's goods through supplier_id: %d", p.Status)
		}
		dashWant(t, f, p.Body, f.a, f.a.SupplierID)
		if sums := dashSeries(t, f, p.Body); sums["gmv/day"] != 3998 || sums["orders/day"] != 2 || sums["gmv/month"] != 3998 {
			t.Errorf("chart series: %v", sums)
		}
		f.signIn("b@example.com") // the other supplier sees only its cup
		p = f.get("/sup/insight")
		mustContain(t, p.Body, `data-test="glance-gmv-30d">¥5.00<`, "Tea cup")
		mustLack(t, p.Body, "Oolong tea")
	})
}

func TestInsightPagesRefused(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db) // the customer is signed in
		for _, path := range []string{"/ops/dashboard", "/sup/insight"} {
			if p := f.get(path); p.Status != http.StatusForbidden {
				t.Errorf("customer %s: %d", path, p.Status)
			}
		}
		f.signIn("a@example.com")
		if p := f.get("/ops/dashboard"); p.Status != http.StatusForbidden {
			t.Errorf("supplier on the operator's dashboard: %d", p.Status)
		}
		f.signIn("op@example.com")
		if p := f.get("/sup/insight"); p.Status != http.StatusForbidden {
			t.Errorf("operator on the supplier's insight: %d", p.Status)
		}
		f.jar, _ = cookiejar.New(nil)
		if p := f.get("/ops/dashboard"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin?next=%2Fops%2Fdashboard" {
			t.Errorf("anonymous: %d %q", p.Status, p.Header.Get("Location"))
		}
	})
}
