package api

import (
	"context"
	"strings"
	"testing"

	"sharemall/internal/errs"
)

// TestInsightAPI: the series and breakdowns in JSON and CSV, scoped by
// role, and bad parameters refused by field.
func TestInsightAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newFiguresWorld(t, ta)
		if _, err := ta.db.FoldInsight(context.Background(), 500); err != nil {
			t.Fatal(err)
		}
		day := "from=2026-01-02&to=2026-01-02"
		s := ta.do("GET", "/api/v1/insight/series?metric=gmv&"+day, w.op, nil).must(t, 200)
		points := s.Body["points"].([]any)
		if len(points) != 1 || points[0].(map[string]any)["value"] != float64(1899) || s.Body["supplier_id"] != nil || s.Body["money"] != true {
			t.Fatalf("program gmv: %s", s.Raw)
		}
		s = ta.do("GET", "/api/v1/insight/series?metric=orders&grain=month&from=2025-12-30&to=2026-02-01", w.sup, nil).must(t, 200)
		points = s.Body["points"].([]any)
		if len(points) != 3 || points[1].(map[string]any)["period"] != "2026-01-01" || points[1].(map[string]any)["value"] != float64(1) ||
			s.Body["supplier_id"] != float64(w.supplierID) {
			t.Fatalf("supplier's orders by month: %s", s.Raw)
		}
		for metric, want := range map[string]float64{"distributors": 2, "new_distributors": 2, "active_distributors": 1, "customers": 1} {
			s = ta.do("GET", "/api/v1/insight/series?metric="+metric+"&"+day, w.op, nil).must(t, 200)
			if v := s.Body["points"].([]any)[0].(map[string]any)["value"]; v != want {
				t.Fatalf("%s: %v, want %v", metric, v, want)
			}
		}
		c := ta.do("GET", "/api/v1/insight/series?metric=aov&format=csv&"+day, w.sup, nil).must(t, 200)
		if !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") || string(c.Raw) != "period,aov\n2026-01-02,18.99\n" {
			t.Fatalf("series CSV: %q", c.Raw)
		}
		b := ta.do("GET", "/api/v1/insight/breakdown?by=distributor&"+day, w.op, nil).must(t, 200)
		items := b.Body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["key"] != itoa(w.sellerID) || items[0].(map[string]any)["amount"] != "18.99" {
			t.Fatalf("top distributors: %s", b.Raw)
		}
		c = ta.do("GET", "/api/v1/insight/breakdown?by=product&format=csv&"+day, w.sup, nil).must(t, 200)
		if lines := strings.Split(string(c.Raw), "\n"); len(lines) != 3 || lines[0] != "product,name,amount,commission" || !strings.Contains(lines[1], ",Tea,18.99,") {
			t.Fatalf("products CSV: %q", c.Raw)
		}

		// Scoping: another supplier's figures are not found; others are refused.
		ta.do("GET", "/api/v1/insight/series?metric=gmv&supplier_id="+itoa(w.supplierID+1000)+"&"+day, w.sup, nil).wantErr(t, errs.NotFound, "")
		ta.do("GET", "/api/v1/insight/series?metric=gmv&"+day, w.stranger, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/insight/breakdown?by=tier&"+day, w.seller, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/insight/series?metric=gmv&"+day, "", nil).must(t, 401)

		for _, c := range []struct{ query, field string }{
			{"metric=profit&" + day, "metric"},
			{day, "metric"},
			{"metric=gmv&grain=year&" + day, "grain"},
			{"metric=gmv&from=2026-02-30&to=2026-03-01", "from"},
			{"metric=gmv&from=2026-01-02", "to"},
			{"metric=gmv&from=2026-01-02&to=2026-01-01", "to"},
			{"metric=gmv&from=2020-01-01&to=2026-01-01", "to"},
			{"metric=gmv&format=xml&" + day, "format"},
			{"metric=gmv&supplier_id=x&" + day, "supplier_id"},
			{"metric=new_distributors&supplier_id=" + itoa(w.supplierID) + "&" + day, "metric"},
		} {
			ta.do("GET", "/api/v1/insight/series?"+c.query, w.op, nil).wantErr(t, errs.Invalid, c.field)
		}
		for _, c := range []struct{ query, field string }{
			{"by=colour&" + day, "by"},
			{"by=tier&limit=0&" + day, "limit"},
			{"by=tier&limit=1001&" + day, "limit"},
			{"by=tier&from=yesterday&to=2026-01-02", "from"},
		} {
			ta.do("GET", "/api/v1/insight/breakdown?"+c.query, w.op, nil).wantErr(t, errs.Invalid, c.field)
		}
	})
}
