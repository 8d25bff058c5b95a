package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestOpsNetworkPage: the operator's network page shows the members per
// depth and the time to first sale the store folded, links the API's JSON
// its script draws and the CSVs, in both languages; a bad month is refused
// by its field; only operators see it.
func TestOpsNetworkPage(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		root, err := db.JoinNetwork(f.ctx, f.account("root@example.com"), network.Join{DisplayName: "Root"})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []string{"d1@example.com", "d2@example.com"} {
			if _, err := db.JoinNetwork(f.ctx, f.account(e), network.Join{InviteCode: root.ReferralCode, DisplayName: e}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.FoldInsight(f.ctx, 0); err != nil {
			t.Fatal(err)
		}
		f.signIn("op@example.com")
		p := f.get("/ops/insight/network")
		if p.Status != http.StatusOK {
			t.Fatalf("network: %d %s", p.Status, p.Body)
		}
		mustContain(t, p.Body, `data-test="net-size">3<`, `data-test="net-members">3<`, `data-test="net-joined">3<`,
			`<tr data-test="depth-0"><th scope="row">Level 0</th><td class="num" data-test="members">1<`,
			`<tr data-test="depth-1"><th scope="row">Level 1</th><td class="num" data-test="members">2<`,
			`href="/ops/insight/network" aria-current="page"`, `data-net-bars="/api/v1/insight/depths?month=`,
			`data-dash-series="/api/v1/insight/series?from=`, `data-test="csv-first-sale"`, `data-test="by-grade"`, "vendor/uPlot.iife.min.")
		// The bars draw the API's own answer; the CSV is the same list.
		src := html.UnescapeString(regexp.MustCompile(`data-net-bars="([^"]+)"`).FindStringSubmatch(p.Body)[1])
		if j := f.get(src); j.Status != http.StatusOK || !strings.Contains(j.Body, `"depths":[{"depth":0,"members":1,"joined":1,"and_deeper":false},{"depth":1,"members":2,"joined":2,"and_deeper":false}]`) {
			t.Errorf("depths JSON: %d %s", j.Status, j.Body)
		}
		csv := f.get(html.UnescapeString(regexp.MustCompile(`href="([^"]+)" download data-test="csv-depths"`).FindStringSubmatch(p.Body)[1]))
		if csv.Status != http.StatusOK || csv.Body != "depth,members,joined\n0,1,1\n1,2,2\n" {
			t.Errorf("depths CSV: %d %q", csv.Status, csv.Body)
		}
		first := f.get(html.UnescapeString(regexp.MustCompile(`href="([^"]+)" download data-test="csv-first-sale"`).FindStringSubmatch(p.Body)[1]))
		if first.Status != http.StatusOK || !strings.Contains(first.Body, "\ntotal,3,0,0,0,0,0,0,0,0,0,0,\n") {
			t.Errorf("first sale CSV: %d %q", first.Status, first.Body)
		}
		// Before anyone joined.
		p = f.get("/ops/insight/network?month=2020-01")
		mustContain(t, p.Body, `data-test="net-members">0<`, `data-test="none"`)
		// A bad month: refused by the field, the page still drawn.
		p = f.get("/ops/insight/network?month=13-2026")
		if p.Status != http.StatusBadRequest {
			t.Errorf("bad month: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-month"`, `aria-invalid="true"`, `value="13-2026"`, `data-test="net-size">3<`)
		f.lang = "zh-CN"
		p = f.get("/ops/insight/network?month=2026-99")
		mustContain(t, p.Body, "分销网络", "各层成员", "第 1 层", "请按 yyyy-mm 输入月份")
		mustLack(t, p.Body, "net.", "console.nav.")

		f.signIn("a@example.com")
		if p := f.get("/ops/insight/network"); p.Status != http.StatusForbidden {
			t.Errorf("supplier: %d", p.Status)
		}
	})
}
