package api

import (
	"context"
	"strings"
	"testing"

	"sharemall/internal/errs"
)

// TestFissionAPI: the funnel and the cohorts in JSON and CSV, scoped by
// role, and bad parameters refused by field.
func TestFissionAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newFiguresWorld(t, ta) // the seller's coupon binds the buyer; one order placed and paid
		if _, err := ta.db.FoldInsight(context.Background(), 500); err != nil {
			t.Fatal(err)
		}
		day := "from=2026-01-02&to=2026-01-02"
		f := ta.do("GET", "/api/v1/insight/funnel?"+day, w.op, nil).must(t, 200)
		total := f.Body["total"].(map[string]any)
		if total["bindings"] != float64(1) || total["orders"] != float64(1) || total["paid"] != float64(1) || total["visits"] != float64(0) ||
			f.Body["supplier_id"] != nil || f.Body["distributor"] != nil || len(f.Body["points"].([]any)) != 1 {
			t.Fatalf("program funnel: %s", f.Raw)
		}
		f = ta.do("GET", "/api/v1/insight/funnel?grain=month&distributor="+itoa(w.sellerID)+"&"+day, w.op, nil).must(t, 200)
		if p := f.Body["points"].([]any)[0].(map[string]any); p["period"] != "2026-01-01" || p["paid"] != float64(1) || f.Body["distributor"] != float64(w.sellerID) {
			t.Fatalf("seller's funnel by month: %s", f.Raw)
		}
		f = ta.do("GET", "/api/v1/insight/funnel?distributor="+itoa(w.rootID)+"&"+day, w.sup, nil).must(t, 200)
		if total := f.Body["total"].(map[string]any); total["paid"] != float64(0) || f.Body["supplier_id"] != float64(w.supplierID) {
			t.Fatalf("supplier's view of the root: %s", f.Raw)
		}
		c := ta.do("GET", "/api/v1/insight/funnel?format=csv&"+day, w.sup, nil).must(t, 200)
		if !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") ||
			string(c.Raw) != "period,links,visits,visitors,bindings,orders,paid,settled\n2026-01-02,0,0,0,0,1,1,0\n" {
			t.Fatalf("funnel CSV: %q", c.Raw)
		}
		co := ta.do("GET", "/api/v1/insight/cohorts", w.op, nil).must(t, 200)
		items := co.Body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("cohorts: %s", co.Raw)
		}
		if it := items[0].(map[string]any); it["month"] != "2026-01" || it["joined"] != float64(2) || it["invited"] != float64(1) ||
			it["viral"] != "0.50" || it["viral_30"] != "0.50" || it["active"].([]any)[0] != float64(1) || it["retention"].([]any)[0] != "0.50" {
			t.Fatalf("cohort: %s", co.Raw)
		}
		c = ta.do("GET", "/api/v1/insight/cohorts?format=csv", w.op, nil).must(t, 200)
		if lines := strings.Split(string(c.Raw), "\n"); lines[0] != "month,joined,invited_30,invited,viral_30,viral,active_m0" ||
			lines[1] != "2026-01,2,1,1,0.50,0.50,1" {
			t.Fatalf("cohorts CSV: %q", c.Raw)
		}

		ta.do("GET", "/api/v1/insight/funnel?supplier_id="+itoa(w.supplierID+1000)+"&"+day, w.sup, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/insight/funnel?"+day, w.seller, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/insight/cohorts", w.sup, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/insight/cohorts", "", nil).must(t, 401)
		for _, c := range []struct{ query, field string }{
			{"grain=year&" + day, "grain"},
			{"from=2026-01-02", "to"},
			{"from=2026-01-03&to=2026-01-02", "to"},
			{"distributor=x&" + day, "distributor"},
			{"distributor=999999&" + day, "distributor"},
			{"product=0&" + day, "product"},
			{"product=999999&" + day, "product"},
			{"product=1&distributor=" + itoa(w.sellerID) + "&" + day, "product"},
			{"format=xml&" + day, "format"},
			{"colour=red&" + day, "colour"},
		} {
			ta.do("GET", "/api/v1/insight/funnel?"+c.query, w.op, nil).wantErr(t, errs.Invalid, c.field)
		}
		ta.do("GET", "/api/v1/insight/cohorts?format=xml", w.op, nil).wantErr(t, errs.Invalid, "format")
	})
}
