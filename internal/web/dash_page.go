package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/insight"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// dashData is an insight page: the figures of today, this week and this
// month, trend charts drawn from the insight API's own JSON, and the last
// 30 days broken down, each with its CSV.
type dashData struct {
	From, To   string // the last 30 days, both included: the breakdowns' period
	Periods    [3]string
	Glance     []dashFigure
	Charts     []dashChart
	Breakdowns []dashBreakdown
}

// dashFigure is one figure at a glance: today, this week, this month.
type dashFigure struct {
	Metric, Label string
	Values        [3]string
}

// dashChart is one trend: Src is the insight API's JSON the script draws,
// CSV the same series to download.
type dashChart struct {
	Key, Title, Src, CSV string
}

type dashBreakdown struct {
	By, Title, CSV string
	Rows           []dashRow
}

type dashRow struct {
	Key, Name, Amount, Commission string
}

// dashGlance are the figures at a glance; program-only ones are left out
// of a supplier's page.
var dashGlance = []insight.Metric{insight.GMV, insight.Orders, insight.Customers, insight.AverageOrderValue, insight.Refunds,
	insight.Refunded, insight.NewDistributors, insight.CommissionBooked, insight.CommissionSettled, insight.CommissionPaidOut}

// dashTrends are the charts: a metric, a grain and how far back.
var dashTrends = []struct {
	key    string
	metric insight.Metric
	grain  insight.Grain
}{
	{"gmv-day", insight.GMV, insight.Day},
	{"orders-day", insight.Orders, insight.Day},
	{"gmv-month", insight.GMV, insight.Month},
	{"distributors-month", insight.Distributors, insight.Month},
}

var dashDims = []insight.Dim{insight.ByTier, insight.ByProvince, insight.ByProduct, insight.ByCategory, insight.ByWarehouse, insight.ByDistributor}

// dashRows is how many rows each breakdown shows; the CSV has them all.
const dashRows = 10

// renderDash reads the page's figures as actor, for supplierID (0: the
// program), through the same store methods the insight API calls.
func (s *Server) renderDash(w http.ResponseWriter, r *http.Request, p *Page, actor account.Actor, supplierID int64) error {
	ctx := r.Context()
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	now := s.db.Now().In(st.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from30 := today.AddDate(0, 0, -29)
	from12 := time.Date(today.Year(), today.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	d := &dashData{From: insight.FormatDate(from30), To: insight.FormatDate(today), Periods: [3]string{"today", "week", "month"}}
	scope := url.Values{}
	if supplierID != 0 {
		scope.Set("supplier_id", strconv.FormatInt(supplierID, 10))
	}

	var points [3]insight.Point
	for i, g := range []insight.Grain{insight.Day, insight.Week, insight.Month} {
		sr, err := s.db.InsightSeries(ctx, actor, store.SeriesQuery{Grain: g, From: today, To: today, SupplierID: supplierID})
		if err != nil {
			return err
		}
		points[i] = sr.Points[len(sr.Points)-1]
	}
	for _, m := range dashGlance {
		if supplierID != 0 && m.ProgramOnly() {
			continue
		}
		f := dashFigure{Metric: string(m), Label: p.T("dash.metric." + string(m))}
		for i, pt := range points {
			f.Values[i] = dashValue(p, m, pt.Value(m))
		}
		d.Glance = append(d.Glance, f)
	}

	for _, t := range dashTrends {
		if supplierID != 0 && t.metric.ProgramOnly() {
			continue
		}
		from := from30
		if t.grain == insight.Month {
			from = from12
		}
		q := url.Values{"metric": {string(t.metric)}, "grain": {string(t.grain)}, "from": {insight.FormatDate(from)}, "to": {d.To}}
		for k, v := range scope {
			q[k] = v
		}
		src := "/api/v1/insight/series?" + q.Encode()
		d.Charts = append(d.Charts, dashChart{Key: t.key, Title: p.T("dash.chart." + t.key), Src: src, CSV: src + "&format=csv"})
	}

	for _, by := range dashDims {
		b, err := s.db.InsightBreakdown(ctx, actor, store.BreakdownQuery{By: by, From: from30, To: today, SupplierID: supplierID, Limit: dashRows})
		if err != nil {
			return err
		}
		q := url.Values{"by": {string(by)}, "from": {d.From}, "to": {d.To}, "limit": {strconv.Itoa(insight.MaxBreakdown)}, "format": {"csv"}}
		for k, v := range scope {
			q[k] = v
		}
		bd := dashBreakdown{By: string(by), Title: p.T("dash.by." + string(by)), CSV: "/api/v1/insight/breakdown?" + q.Encode()}
		for _, row := range b.Rows {
			bd.Rows = append(bd.Rows, dashRow{Key: row.Key, Name: dashName(p, by, row), Amount: p.Money(row.Amount), Commission: p.Money(row.Commission)})
		}
		d.Breakdowns = append(d.Breakdowns, bd)
	}
	p.Data = d
	p.Scripts = []string{"vendor/uPlot.iife.min.js"}
	p.Styles = []string{"vendor/uPlot.min.css"}
	s.render(w, r, http.StatusOK, "dash_insight", p)
	return nil
}

// dashValue writes a figure: money as elsewhere, counts as numbers.
func dashValue(p *Page, m insight.Metric, v int64) string {
	if m.Money() {
		return p.Money(money.Amount(v))
	}
	return strconv.FormatInt(v, 10)
}

// dashName is a breakdown row's name as a person reads it.
func dashName(p *Page, by insight.Dim, row store.BreakdownRow) string {
	switch {
	case by == insight.ByTier:
		return p.T("dash.tier", row.Key)
	case by == insight.ByCategory && row.Key == "0":
		return p.T("dash.no_category")
	case row.Name == "":
		return row.Key
	}
	return row.Name
}
