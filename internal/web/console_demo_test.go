package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/demo"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// consolePage is a console page and what shows that it holds data: a
// marker each (all must be there), and the empty states it must not show.
type consolePage struct {
	path string
	want []string
}

// TestConsolesOnDemo opens every page of the operator's and the supplier's
// consoles on the demo, signed in with the logins the demo prints, and
// checks that each shows data, not an empty state. (SQLite only: the demo
// is the same code on both engines, and seeding it is the test's cost.)
func TestConsolesOnDemo(t *testing.T) {
	db := testutil.OpenSQLite(t)
	s := newTestSite(t, db)
	res, err := demo.Seed(context.Background(), db, demo.Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := db.FoldSalesEvents(ctx, 100000); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FoldInsight(ctx, 100000); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RunLedgerCheck(ctx, store.LedgerBySweep); err != nil {
		t.Fatal(err)
	}
	login := map[string]string{}
	for _, l := range res.Logins {
		login[l.Role] = l.Login
	}
	signIn := func(role string) {
		t.Helper()
		if login[role] == "" {
			t.Fatalf("the demo prints no %s login: %+v", role, res.Logins)
		}
		if p := s.post("/signin", url.Values{"login": {login[role]}, "password": {demo.Password}}); p.Status != http.StatusSeeOther {
			t.Fatalf("sign in as the demo's %s %s: %d", role, login[role], p.Status)
		}
	}

	signIn("operator")
	first := regexp.MustCompile(`href="/ops/distributors/(\d+)"`).FindStringSubmatch(s.get("/ops/distributors?sort=team").Body)
	if first == nil {
		t.Fatal("the distributor list links no distributor")
	}
	d := "/ops/distributors/" + first[1]
	checkConsole(t, s, []consolePage{
		{"/ops", []string{`data-test="queues"`, `data-test="ledger-ok"`}},
		{"/ops/dashboard", []string{`data-test="glance-gmv-30d"`, `data-test="row-`, `data-dash-series=`}},
		{"/ops/insight/network", []string{`data-test="depth-`, `data-test="cohort`, `data-test="row-`}},
		{"/ops/insight/fission", []string{`data-test="funnel-bars"`, `data-test="cohort-`}},
		{"/ops/settings", []string{`name="tiers"`, `data-test="preview`}},
		{"/ops/withdrawals", []string{`data-test="approved-`}},
		{"/ops/distributors", []string{`data-test="row-`}},
		{d, []string{`data-test="team-size"`, `data-test="level-1"`}},
		{d + "/tree", []string{`data-test="path"`}},
		{d + "/actions", []string{`data-test="wallet"`, `data-test="suspend-form"`}},
		{"/ops/rankings", []string{`data-test="entry-`}},
		{"/ops/audit", []string{`data-test="entry"`}},
		{"/ops/journals", []string{`data-test="journal-`}},
		{"/ops/cases", []string{`data-test="case-`}},
		{"/ops/suppliers", []string{"Mountain Honey Co"}},
		{"/ops/customers", []string{}},
	})

	signIn("supplier")
	checkConsole(t, s, []consolePage{
		{"/sup", []string{}},
		{"/sup/insight", []string{`data-test="glance-gmv-30d"`, `data-test="row-`}},
		{"/sup/insight/fission", []string{`data-test="funnel-bars"`}},
		{"/sup/products", []string{`data-test="product-`}},
		{"/sup/warehouses", []string{`data-test="warehouse-`}},
		{"/sup/parcels", []string{`data-test="parcel-`}},
		{"/sup/cases", []string{`data-test="case-`}},
		{"/sup/keys", []string{}},
	})
}

// checkConsole opens each page: 200, its markers, no empty state.
func checkConsole(t *testing.T, s *testSite, pages []consolePage) {
	t.Helper()
	for _, pg := range pages {
		p := s.get(pg.path)
		if p.Status != http.StatusOK {
			t.Errorf("%s: status %d", pg.path, p.Status)
			continue
		}
		for _, w := range pg.want {
			if !strings.Contains(p.Body, w) {
				t.Errorf("%s shows no %s", pg.path, w)
			}
		}
		for _, empty := range []string{`data-test="empty"`, `data-test="none"`, `-empty"`, `data-test="no-funnel"`, `data-test="no-cohorts"`} {
			if strings.Contains(p.Body, empty) {
				t.Errorf("%s shows an empty state (%s)", pg.path, empty)
			}
		}
	}
}
