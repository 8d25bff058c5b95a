package e2e

import (
	"testing"
)

// The insight pages draw their charts: the operator's dashboard on a
// phone and on a laptop, and the supplier's insight, each chart a uPlot
// canvas of the insight API's series, with no console error and no
// Content-Security-Policy violation (uPlot styles its elements through
// the CSSOM, which the CSP allows; the Tab reports any violation).
func TestInsightCharts(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		w := newWorld(t, app, "Longjing")
		buyer := w.person("ann@example.com", "Ann")
		w.buy(buyer, w.tea.SKUs[1].ID, 2) // 2 × ¥168.00
		if _, err := app.DB.FoldInsight(w.ctx, 0); err != nil {
			t.Fatal(err)
		}

		op := app.SignedIn("en", "op@example.com", password)
		op.Open("/ops/dashboard")
		drawn(t, op, 4)
		if got := op.Text(Test("glance-gmv-today")); got != "¥336.00" {
			t.Errorf("GMV today: %q", got)
		}
		op.Laptop(true)
		op.Open("/ops/dashboard")
		drawn(t, op, 4)
		var wide float64
		op.Eval(`document.querySelector(".dash-plot canvas").getBoundingClientRect().width`, &wide)
		if wide < 400 { // two charts a row in a 1280 px window, less the navigation
			t.Errorf("a laptop's chart is %v px wide", wide)
		}

		sup := app.SignedIn("zh", "sup@example.com", password)
		sup.Open("/sup/insight")
		drawn(t, sup, 3) // the network's size is the program's alone
	})
}

// drawn waits for the page's charts and checks each is a canvas with
// something painted on it.
func drawn(t *testing.T, u *Tab, charts int) {
	t.Helper()
	u.WaitFor(Test("charts-drawn"))
	var painted []bool
	u.Eval(`[...document.querySelectorAll(".dash-plot canvas")].map((c) => {
		const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
		for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
		return false;
	})`, &painted)
	if len(painted) != charts {
		t.Fatalf("%d chart canvases on %s, want %d", len(painted), u.Path(), charts)
	}
	for i, p := range painted {
		if !p {
			t.Errorf("chart %d on %s is blank", i, u.Path())
		}
	}
}
