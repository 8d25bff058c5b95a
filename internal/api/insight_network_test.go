package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/network"
)

// TestInsightNetworkAPI: members per depth and time to first sale in JSON
// and CSV, for operators only; bad parameters refused by field.
func TestInsightNetworkAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newFiguresWorld(t, ta)
		if _, err := ta.db.FoldInsight(context.Background(), 500); err != nil {
			t.Fatal(err)
		}
		d := ta.do("GET", "/api/v1/insight/depths?month=2026-01", w.op, nil).must(t, 200)
		depths := d.Body["depths"].([]any)
		if len(depths) != 2 || d.Body["members"] != float64(2) || d.Body["joined"] != float64(2) || d.Body["month"] != "2026-01" ||
			depths[1].(map[string]any)["depth"] != float64(1) || depths[1].(map[string]any)["members"] != float64(1) {
			t.Fatalf("depths: %s", d.Raw)
		}
		// The month after: the same members, nobody joined.
		c := ta.do("GET", "/api/v1/insight/depths?month=2026-02&format=csv", w.op, nil).must(t, 200)
		if !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") || string(c.Raw) != "depth,members,joined\n0,1,0\n1,1,0\n" {
			t.Fatalf("depths CSV: %q", c.Raw)
		}
		// Before anyone joined: no depth.
		if d := ta.do("GET", "/api/v1/insight/depths?month=2025-12", w.op, nil).must(t, 200); len(d.Body["depths"].([]any)) != 0 {
			t.Fatalf("depths before: %s", d.Raw)
		}

		f := ta.do("GET", "/api/v1/insight/first-sale?from=2025-12&to=2026-02", w.op, nil).must(t, 200)
		cohorts := f.Body["cohorts"].([]any)
		jan := cohorts[1].(map[string]any)
		if len(cohorts) != 3 || jan["month"] != "2026-01" || jan["joined"] != float64(2) || jan["sellers"] != float64(1) ||
			jan["median_days"] != float64(0) || jan["buckets"].([]any)[0] != float64(1) || cohorts[0].(map[string]any)["median_days"] != nil ||
			len(f.Body["buckets"].([]any)) != 9 || f.Body["total"].(map[string]any)["sellers"] != float64(1) {
			t.Fatalf("first sale: %s", f.Raw)
		}
		c = ta.do("GET", "/api/v1/insight/first-sale?from=2026-01&to=2026-01&format=csv", w.op, nil).must(t, 200)
		want := "month,joined,sellers,days 0,days 1,days 2-3,days 4-7,days 8-14,days 15-30,days 31-60,days 61-90,days >90,median_days\n" +
			"2026-01,2,1,1,0,0,0,0,0,0,0,0,0\ntotal,2,1,1,0,0,0,0,0,0,0,0,0\n"
		if string(c.Raw) != want {
			t.Fatalf("first sale CSV: %q", c.Raw)
		}

		// The grade breakdown: the seller has none.
		b := ta.do("GET", "/api/v1/insight/breakdown?by=grade&from=2026-01-02&to=2026-01-02", w.op, nil).must(t, 200)
		if items := b.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["key"] != "0" || items[0].(map[string]any)["amount"] != "18.99" {
			t.Fatalf("by grade: %s", b.Raw)
		}

		// The network is the operator's: a supplier, a distributor and a
		// customer are refused, a stranger must sign in.
		for _, who := range []string{w.sup, w.seller, w.cust} {
			r := ta.do("GET", "/api/v1/insight/depths", who, nil)
			r.wantErr(t, errs.Forbidden, "")
			if !strings.Contains(string(r.Raw), "only an operator") {
				t.Fatalf("refusal says: %s", r.Raw)
			}
			ta.do("GET", "/api/v1/insight/first-sale?from=2026-01&to=2026-01", who, nil).wantErr(t, errs.Forbidden, "")
		}
		ta.do("GET", "/api/v1/insight/depths", "", nil).must(t, 401)

		for _, c := range []struct{ path, field string }{
			{"depths?month=2026-13", "month"},
			{"depths?month=2026-01-01", "month"},
			{"depths?format=xml", "format"},
			{"depths?depth=1", "depth"},
			{"first-sale?to=2026-01", "from"},
			{"first-sale?from=2026-01", "to"},
			{"first-sale?from=2026-02&to=2026-01", "to"},
			{"first-sale?from=2000-01&to=2026-01", "to"},
			{"first-sale?from=jan&to=2026-01", "from"},
			{"first-sale?from=2026-01&to=2026-01&format=pdf", "format"},
		} {
			ta.do("GET", "/api/v1/insight/"+c.path, w.op, nil).wantErr(t, errs.Invalid, c.field)
		}
	})
}

// TestInsightDepthsDeepChain: a chain deeper than insight.DeepRow answers
// its first hundred depths and one row for the rest, in JSON and CSV.
func TestInsightDepthsDeepChain(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ctx := context.Background()
		op := ta.operator()
		code := ""
		for i := range insight.DeepRow + 3 { // depths 0 … 102
			id, _ := ta.newAccount(fmt.Sprintf("chain%03d@example.com", i))
			a, err := ta.db.ActorFor(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ta.db.JoinNetwork(ctx, a, network.Join{InviteCode: code})
			if err != nil {
				t.Fatal(err)
			}
			code = d.ReferralCode
		}
		if _, err := ta.db.FoldInsight(ctx, 0); err != nil {
			t.Fatal(err)
		}
		d := ta.do("GET", "/api/v1/insight/depths", op, nil).must(t, 200)
		depths := d.Body["depths"].([]any)
		last := depths[len(depths)-1].(map[string]any)
		if len(depths) != insight.DeepRow+1 || last["depth"] != float64(insight.DeepRow) || last["members"] != float64(3) || last["and_deeper"] != true ||
			depths[insight.DeepRow-1].(map[string]any)["and_deeper"] != false || d.Body["members"] != float64(insight.DeepRow+3) {
			t.Fatalf("deep chain: %d depths, the last %v", len(depths), last)
		}
		c := ta.do("GET", "/api/v1/insight/depths?format=csv", op, nil).must(t, 200)
		if !strings.HasSuffix(string(c.Raw), "\n99,1,1\n100+,3,3\n") {
			t.Fatalf("deep chain CSV ends %q", c.Raw[len(c.Raw)-40:])
		}
	})
}
