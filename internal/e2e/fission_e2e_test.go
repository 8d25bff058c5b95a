package e2e

import (
	"net/http"
	"testing"
)

// The operator opens the share funnel: a distributor shared the tea, two
// visitors opened the link in their browsers, one signed in (and was
// bound) and bought. The bars take their widths from the funnel API's
// JSON, each step against the largest, and the per-period chart paints,
// with no console error and no Content-Security-Policy violation (the
// widths are set through the CSSOM, which the CSP allows).
func TestFunnelDraws(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		w := newWorld(t, app, "Longjing")
		_, leaf := w.distributor("leaf@example.com", "Lee", "Leaf & Co", "")
		link := w.shareLink(leaf, w.tea.ID)
		for _, lang := range []string{"en", "zh"} {
			if status := app.Visitor(lang).Open(link); status != http.StatusOK {
				t.Fatalf("the share link: %d", status)
			}
		}
		buyer := w.person("ann@example.com", "Ann")
		if status := app.SignedIn("en", "ann@example.com", password).Open(link); status != http.StatusOK {
			t.Fatalf("the share link, signed in: %d", status)
		}
		w.buy(buyer, w.tea.SKUs[1].ID, 1)
		if _, err := app.DB.FoldInsight(w.ctx, 0); err != nil {
			t.Fatal(err)
		}

		op := app.SignedIn("en", "op@example.com", password)
		op.Open("/ops/insight/fission")
		op.WaitFor(Test("funnel-drawn"))
		for step, want := range map[string]string{"links": "1", "visits": "3", "visitors": "3", "bindings": "1", "orders": "1", "paid": "1", "settled": "0"} {
			if got := op.Text(Test("count-" + step)); got != want {
				t.Errorf("%s: %q, want %s", step, got, want)
			}
		}
		var widths map[string]float64
		op.Eval(`Object.fromEntries([...document.querySelectorAll("[data-fis-step]")].map((b) =>
			[b.dataset.fisStep, b.getBoundingClientRect().width / b.parentElement.getBoundingClientRect().width]))`, &widths)
		if widths["visits"] < 0.99 || widths["paid"] < 0.30 || widths["paid"] > 0.36 || widths["settled"] != 0 {
			t.Errorf("bar widths %v: visits the largest, paid a third of them, settled none", widths)
		}
		var painted bool
		op.Eval(`(() => { const c = document.querySelector(".fis-chart canvas"); if (!c) return false;
			const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true; return false; })()`, &painted)
		if !painted {
			t.Error("the funnel's chart is blank")
		}
		if op.Count(Test("cohort-table")) != 1 {
			t.Error("no cohort table")
		}

		sup := app.SignedIn("zh", "sup@example.com", password)
		sup.Open("/sup/insight/fission")
		sup.WaitFor(Test("funnel-drawn"))
		if got := sup.Text(Test("count-paid")); got != "1" {
			t.Errorf("the supplier's paid orders: %q", got)
		}
	})
}
