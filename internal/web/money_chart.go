package web

import (
	"strconv"

	"sharemall/internal/money"
	"sharemall/internal/store"
)

// moneyChart is a bar chart of earnings drawn as inline SVG on the server:
// no script, no style attribute (the CSP forbids them); colours come from
// classes. Each bar has a <title> with its period and amount, and Rows
// repeat the figures as a table for screen readers and for anyone who
// prefers numbers.
type moneyChart struct {
	Kind    string // day or month
	Summary string // the total in words, the chart's accessible description
	Width   int64
	Height  int64
	Base    int64 // the baseline's y
	Bars    []moneyBar
	Ticks   []moneyTick
	Rows    []moneyRow
	Empty   bool // nothing earned in the whole period
}

type moneyBar struct {
	X, Y, W, H int64
	Label      string // "2 Jan 2026: ¥12.34"
	Zero       bool
}

type moneyTick struct {
	X      int64
	Text   string
	Anchor string // text-anchor: the last label ends at its bar, so it stays inside
}

type moneyRow struct {
	Label  string
	Amount money.Amount
}

const (
	chartWidth = 360
	chartPlot  = 140 // the bars' height at the period's highest amount
	chartTop   = 6
	chartAxis  = 20 // room for the labels under the bars
)

// moneyChartOf draws periods (oldest first) of kind day or month. Bar
// heights are pixels in proportion to the highest amount; every amount
// shown is the store's.
func moneyChartOf(p *Page, kind string, periods []store.Earning, total money.Amount) *moneyChart {
	c := &moneyChart{Kind: kind, Width: chartWidth, Height: chartTop + chartPlot + chartAxis, Base: chartTop + chartPlot, Empty: true}
	if kind == "month" {
		c.Summary = p.T("money.chart.summary_month", len(periods), p.Money(total))
	} else {
		c.Summary = p.T("money.chart.summary_day", len(periods), p.Money(total))
	}
	var top money.Amount
	for _, e := range periods {
		top = max(top, e.Amount)
	}
	n := int64(len(periods))
	if n == 0 {
		return c
	}
	slot := chartWidth / n
	bw := max(slot*7/10, 2)
	for i, e := range periods {
		label := p.moneyMonth(e.Start)
		if kind == "day" {
			label = p.Date(e.Start)
		}
		b := moneyBar{X: int64(i)*slot + (slot-bw)/2, W: bw, Label: p.T("money.chart.bar", label, p.Money(e.Amount)), H: 1, Zero: e.Amount <= 0}
		if !b.Zero {
			c.Empty = false
			h, _ := money.MulDivFloor(int64(e.Amount), chartPlot, int64(top)) // at most chartPlot: never overflows
			b.H = max(h, 2)
		}
		b.Y = c.Base - b.H
		c.Bars = append(c.Bars, b)
		c.Rows = append(c.Rows, moneyRow{Label: label, Amount: e.Amount})
		// Days: a label a week apart, counted back from today; months: each.
		if kind == "month" || (int(n)-1-i)%7 == 0 {
			text := strconv.Itoa(int(e.Start.Month()))
			if kind == "day" {
				text = e.Start.Format("1/2")
			} else if p.Lang == "zh" {
				text += "月"
			} else {
				text = e.Start.Format("Jan")
			}
			t := moneyTick{X: b.X + bw/2, Text: text, Anchor: "middle"}
			if kind == "day" && i == int(n)-1 {
				t.X, t.Anchor = b.X+bw, "end"
			}
			c.Ticks = append(c.Ticks, t)
		}
	}
	return c
}
