package web_test

import (
	"net/http"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// fissionFloor is a shop floor where a distributor shared A's tea and B's
// cup; the buyer opened the tea link signed in (and was bound), a stranger
// the cup link; the buyer then paid for a tea and a cup, each its own
// order. Everything is folded.
func fissionFloor(t *testing.T, db *store.DB) (*shopFloor, int64) {
	t.Helper()
	f := newShopFloor(t, db)
	sharer := f.account("sharer@example.com")
	d, err := db.JoinNetwork(f.ctx, sharer, network.Join{DisplayName: "Sharer"})
	if err != nil {
		t.Fatal(err)
	}
	sharer = f.actor(sharer.AccountID)
	products, err := db.Products(f.ctx, f.op, store.ProductFilter{Limit: 10})
	if err != nil || len(products) != 2 {
		t.Fatalf("products: %v %v", products, err)
	}
	var codes []string
	for _, p := range products {
		l, err := db.ShareLink(f.ctx, sharer, p.ID, "link")
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, l.Code)
	}
	if _, _, err := db.RecordVisit(f.ctx, f.cust, codes[0], "buyer-browser"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RecordVisit(f.ctx, account.Actor{}, codes[1], "stranger-browser"); err != nil {
		t.Fatal(err)
	}
	f.paidParcel(f.tea)
	f.paidParcel(f.cup)
	if _, err := db.FoldInsight(f.ctx, 0); err != nil {
		t.Fatal(err)
	}
	return f, d.ID
}

func TestOpsFissionPage(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f, sharer := fissionFloor(t, db)
		f.signIn("op@example.com")
		p := f.get("/ops/insight/fission")
		if p.Status != http.StatusOK {
			t.Fatalf("fission: %d %s", p.Status, p.Body)
		}
		mustContain(t, p.Body, `data-test="count-links">2<`, `data-test="count-visits">2<`, `data-test="count-visitors">2<`,
			`data-test="count-bindings">1<`, `data-test="count-orders">2<`, `data-test="count-paid">2<`, `data-test="count-settled">0<`,
			`href="/ops/insight/fission" aria-current="page"`, `data-fis-funnel="/api/v1/insight/funnel?from=`,
			`href="/api/v1/insight/cohorts?format=csv"`, `data-test="cohort-table"`, `data-test="viral">0.00<`, "100%")
		// The same figures by distributor, from the form.
		p = f.get("/ops/insight/fission?grain=month&distributor=" + id(sharer))
		if p.Status != http.StatusOK {
			t.Fatalf("by distributor: %d %s", p.Status, p.Body)
		}
		mustContain(t, p.Body, `data-test="count-paid">2<`, `<option value="month" selected>`, `data-test="funnel-of">Of the distributor Sharer (#`+id(sharer)+`)<`)
		// Bad input: the form again with the error by its field, nothing else.
		for field, query := range map[string]string{"from": "from=2026-13-01", "product": "product=tea", "distributor": "distributor=999999",
			"grain": "grain=year", "to": "from=2026-02-01&to=2026-01-01"} {
			p = f.get("/ops/insight/fission?" + query)
			if p.Status != http.StatusBadRequest {
				t.Errorf("%s: %d", query, p.Status)
			}
			mustContain(t, p.Body, `data-test="error-`+field+`"`, `data-test="no-funnel"`, `data-test="cohort-table"`)
		}
		f.lang = "zh-CN"
		p = f.get("/ops/insight/fission")
		mustContain(t, p.Body, "裂变分析", "独立访客", `data-test="count-paid">2<`)
		mustLack(t, p.Body, "fis.", "console.nav.")
	})
}

func TestSupFissionScoped(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f, _ := fissionFloor(t, db)
		f.signIn("a@example.com") // the tea's supplier: its link, the buyer's visit and binding, one order
		p := f.get("/sup/insight/fission")
		if p.Status != http.StatusOK {
			t.Fatalf("fission: %d %s", p.Status, p.Body)
		}
		mustContain(t, p.Body, `data-test="count-links">1<`, `data-test="count-visits">1<`, `data-test="count-bindings">1<`,
			`data-test="count-orders">1<`, `data-test="count-paid">1<`, `href="/sup/insight/fission" aria-current="page"`)
		mustLack(t, p.Body, `data-test="cohorts"`, "cohorts?format=csv")
		f.signIn("b@example.com") // the cup's: a stranger's visit, nobody bound
		p = f.get("/sup/insight/fission")
		mustContain(t, p.Body, `data-test="count-visits">1<`, `data-test="count-bindings">0<`, `data-test="count-paid">1<`)
		for _, path := range []string{"/ops/insight/fission"} {
			if p := f.get(path); p.Status != http.StatusForbidden {
				t.Errorf("supplier on %s: %d", path, p.Status)
			}
		}
		f.signIn("buyer@example.com")
		for _, path := range []string{"/ops/insight/fission", "/sup/insight/fission"} {
			if p := f.get(path); p.Status != http.StatusForbidden {
				t.Errorf("customer on %s: %d", path, p.Status)
			}
		}
	})
}
