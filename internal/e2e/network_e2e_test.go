package e2e

import (
	"strings"
	"testing"
)

// The operator opens the network page on a phone: the growth charts, the
// members per depth and the time to first sale are drawn by uPlot from
// the insight API (no console error, no CSP violation), the table says
// who is at which depth, and the month picker shows an earlier month.
func TestNetworkInsightPage(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		w := newWorld(t, app, "Longjing")
		root, _ := w.distributor("mei@example.com", "Mei", "Mei's Teas", "")
		_, lin := w.distributor("lin@example.com", "Lin", "Lin's Teas", root.ReferralCode)
		buyer := w.person("ann@example.com", "Ann")
		if _, _, err := app.DB.RecordVisit(w.ctx, buyer, strings.TrimPrefix(w.shareLink(lin, w.tea.ID), "/s/"), "ann-phone"); err != nil {
			t.Fatal(err)
		}
		w.buy(buyer, w.tea.SKUs[1].ID, 1)
		if _, err := app.DB.FoldInsight(w.ctx, 0); err != nil {
			t.Fatal(err)
		}
		if f, err := app.DB.InsightFirstSale(w.ctx, w.op, app.DB.Now(), app.DB.Now()); err != nil || f.Total.Sellers != 1 {
			t.Fatalf("the journey's sale did not count as Lin's first: %+v %v", f, err)
		}

		op := app.SignedIn("en", "op@example.com", password)
		op.Open("/ops/dashboard")
		op.Click(Link("Network"))
		op.WaitFor(Test("net-glance"))
		drawn(t, op, 3)
		op.WaitFor(Test("bars-drawn"))
		var bars []bool
		op.Eval(`[...document.querySelectorAll(".net-bars canvas")].map((c) => {
			const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
			for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
			return false;
		})`, &bars)
		if len(bars) != 2 || !bars[0] || !bars[1] {
			t.Fatalf("bar charts (depths, first sale) painted: %v", bars)
		}
		if got := op.Text(Test("net-members")); got != "2" {
			t.Errorf("active members: %q", got)
		}
		if got := op.Text(Test("depth-1")); !strings.Contains(got, "Level 1") || !strings.Contains(got, "1") {
			t.Errorf("depth 1 row: %q", got)
		}
		if got := op.Text(Test("median")); got != "0 days" {
			t.Errorf("the newest cohort's median: %q", got)
		}
		var scroll float64
		op.Eval(`document.documentElement.scrollWidth - document.documentElement.clientWidth`, &scroll)
		if scroll > 1 {
			t.Errorf("the page scrolls sideways on a phone by %v px", scroll)
		}
		// The month picker (a browser's own month control: set as it would).
		var set bool
		op.Eval(`(() => { const e = document.getElementById("net-month"); e.value = "2020-01"; return e.value === "2020-01" })()`, &set)
		if !set {
			t.Fatal("the month picker took no month")
		}
		op.Click(Button("Show"))
		op.WaitFor(Test("none"))
		if got := op.Text(Test("net-members")); got != "0" {
			t.Errorf("members in 2020: %q", got)
		}
	})
}
