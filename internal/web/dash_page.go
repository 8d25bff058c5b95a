package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// dashData is an insight page: the figures of today, the last 7 days and
// the last 30 days, trend charts drawn from the insight API's own JSON,
// and a period (the last 30 days unless the form picks another) broken
// down, each with its CSV. An operator may pick one supplier's scope.
type dashData struct {
	Action     string // the page's own path, where the period form goes
	From, To   string // the breakdowns' period, both included
	Periods    [3]string
	Glance     []dashFigure
	Charts     []dashChart
	Breakdowns []dashBreakdown
	// Suppliers is the operator's supplier picker (nil on a supplier's
	// page); Supplier the one picked, 0 for the whole program.
	Suppliers []catalog.Supplier
	Supplier  int64
	// Ledger is the latest ledger check on the operator's page.
	Ledger      *store.LedgerCheckRun
	LedgerShown bool
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

// dashSuppliers is the most suppliers the operator's picker lists.
const dashSuppliers = 500

// renderDash reads the page's figures as actor, for supplierID (0: the
// program), through the same store methods the insight API calls. An
// operator's page (program) also reads the supplier picked in the form and
// shows the ledger check's state.
func (s *Server) renderDash(w http.ResponseWriter, r *http.Request, p *Page, actor account.Actor, supplierID int64, program bool) error {
	ctx := r.Context()
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	now := s.db.Now().In(st.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from12 := time.Date(today.Year(), today.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	q := r.URL.Query()
	p.Form = q
	d := &dashData{Action: r.URL.Path, Periods: [3]string{"today", "7d", "30d"}}
	p.Data = d
	status := http.StatusOK
	from, to, err := dashPeriod(q, today)
	if err == nil && program {
		if d.Suppliers, err = s.db.Suppliers(ctx, actor, store.SupplierFilter{Status: catalog.Approved, Limit: dashSuppliers}); err != nil {
			return err
		}
		d.Suppliers = d.Suppliers[:min(len(d.Suppliers), dashSuppliers)]
		if v := q.Get("supplier_id"); v != "" {
			supplierID, err = strconv.ParseInt(v, 10, 64)
			if err != nil || supplierID < 0 {
				err = errs.Invalidf("supplier_id", "must be a supplier")
			}
		}
		if err == nil {
			d.Ledger, err = s.db.LastLedgerCheck(ctx)
			d.LedgerShown = true
		}
	}
	if err == nil && supplierID != 0 {
		// The scope is one the actor may see (a supplier sees its own only).
		if _, err = s.db.InsightWindow(ctx, actor, supplierID, today, today); errs.Is(err, errs.NotFound) {
			err = errs.E(errs.NotFound, "supplier_id", "no such supplier")
		}
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		status, supplierID = statusOf(err), 0
		from, to = today.AddDate(0, 0, -29), today
	}
	d.Supplier, d.From, d.To = supplierID, insight.FormatDate(from), insight.FormatDate(to)
	scope := url.Values{}
	if supplierID != 0 {
		scope.Set("supplier_id", strconv.FormatInt(supplierID, 10))
	}

	var points [3]insight.Point
	for i, days := range []int{1, 7, 30} {
		if points[i], err = s.db.InsightWindow(ctx, actor, supplierID, today.AddDate(0, 0, 1-days), today); err != nil {
			return err
		}
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
		from := today.AddDate(0, 0, -29)
		if t.grain == insight.Month {
			from = from12
		}
		q := url.Values{"metric": {string(t.metric)}, "grain": {string(t.grain)}, "from": {insight.FormatDate(from)}, "to": {insight.FormatDate(today)}}
		for k, v := range scope {
			q[k] = v
		}
		src := "/api/v1/insight/series?" + q.Encode()
		d.Charts = append(d.Charts, dashChart{Key: t.key, Title: p.T("dash.chart." + t.key), Src: src, CSV: src + "&format=csv"})
	}

	for _, by := range dashDims {
		b, err := s.db.InsightBreakdown(ctx, actor, store.BreakdownQuery{By: by, From: from, To: to, SupplierID: supplierID, Limit: dashRows})
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
	p.Scripts = []string{"vendor/uPlot.iife.min.js"}
	p.Styles = []string{"vendor/uPlot.min.css"}
	s.render(w, r, status, "dash_insight", p)
	return nil
}

// dashPeriod reads the breakdowns' period from the form's from and to
// (days such as 2026-01-31, both included); the last 30 days by default.
func dashPeriod(q url.Values, today time.Time) (from, to time.Time, err error) {
	from, to = today.AddDate(0, 0, -29), today
	for _, f := range []struct {
		field string
		t     *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(f.field); v != "" {
			if *f.t, err = insight.ParseDate(f.field, v, time.UTC); err != nil {
				return from, to, err
			}
		}
	}
	return from, to, insight.CheckRange(insight.Day, from, to)
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
