package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"sharemall/internal/insight"
	"sharemall/internal/store"
)

// routesNetwork registers the operator's network insight page: growth,
// members per depth and time to first sale (docs/insight.md, "Network").
func (s *Server) routesNetwork() {
	s.handle("GET /ops/insight/network", s.opsNetwork)
}

// networkData is the page: the growth charts (the insight series' JSON),
// members per depth at the end of Month, and the time to first sale of the
// last twelve join months; each with the API's CSV.
type networkData struct {
	Month      string // yyyy-mm
	MonthLabel string // as the page's language writes it
	Charts     []dashChart
	Depths     *store.Depths
	DepthsSrc  string
	DepthsCSV  string
	FirstSale  *store.FirstSale
	Buckets    []networkBucket
	FirstSrc   string
	FirstCSV   string
	Size       int64 // distributors who ever joined, to today
	From30, To string
	Grades     dashBreakdown // sales by the seller's grade, the last 30 days
}

type networkBucket struct {
	Label   string
	Sellers int64
}

// networkTrends are the growth charts: a metric, a grain, how many days
// back.
var networkTrends = []struct {
	key    string
	metric insight.Metric
	grain  insight.Grain
	days   int
}{
	{"size-day", insight.Distributors, insight.Day, 90},
	{"new-week", insight.NewDistributors, insight.Week, 26 * 7},
	{"size-month", insight.Distributors, insight.Month, 365},
}

func (s *Server) opsNetwork(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-network", "net.title")
	if err != nil {
		return err
	}
	ctx := r.Context()
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	now := s.db.Now().In(st.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	month := thisMonth
	p.Form = r.URL.Query()
	status := http.StatusOK
	if v := p.Form.Get("month"); v != "" {
		m, err := insight.ParseMonth("month", v, time.UTC)
		if err != nil {
			p.formError(err)
			status = statusOf(err)
		} else {
			month = m
		}
	}
	d := &networkData{Month: insight.FormatMonth(month), MonthLabel: p.NetMonth(month)}
	for _, t := range networkTrends {
		q := url.Values{"metric": {string(t.metric)}, "grain": {string(t.grain)},
			"from": {insight.FormatDate(today.AddDate(0, 0, 1-t.days))}, "to": {insight.FormatDate(today)}}
		src := "/api/v1/insight/series?" + q.Encode()
		d.Charts = append(d.Charts, dashChart{Key: t.key, Title: p.T("net.chart." + t.key), Src: src, CSV: src + "&format=csv"})
	}
	size, err := s.db.InsightSeries(ctx, p.Actor, store.SeriesQuery{Metric: insight.Distributors, Grain: insight.Day, From: today, To: today})
	if err != nil {
		return err
	}
	d.Size = size.Points[0].Distributors

	if d.Depths, err = s.db.InsightDepths(ctx, p.Actor, month); err != nil {
		return err
	}
	d.DepthsSrc = "/api/v1/insight/depths?" + url.Values{"month": {d.Month}}.Encode()
	d.DepthsCSV = d.DepthsSrc + "&format=csv"

	from30 := today.AddDate(0, 0, -29)
	d.From30, d.To = insight.FormatDate(from30), insight.FormatDate(today)
	b, err := s.db.InsightBreakdown(ctx, p.Actor, store.BreakdownQuery{By: insight.ByGrade, From: from30, To: today, Limit: dashRows})
	if err != nil {
		return err
	}
	q := url.Values{"by": {string(insight.ByGrade)}, "from": {d.From30}, "to": {d.To}, "limit": {strconv.Itoa(insight.MaxBreakdown)}, "format": {"csv"}}
	d.Grades = dashBreakdown{By: string(insight.ByGrade), Title: p.T("net.by_grade", d.From30, d.To), CSV: "/api/v1/insight/breakdown?" + q.Encode()}
	for _, row := range b.Rows {
		name := row.Name
		if row.Key == "0" {
			name = p.T("net.no_grade")
		}
		d.Grades.Rows = append(d.Grades.Rows, dashRow{Key: row.Key, Name: name, Amount: p.Money(row.Amount), Commission: p.Money(row.Commission)})
	}

	from := thisMonth.AddDate(0, -11, 0)
	if d.FirstSale, err = s.db.InsightFirstSale(ctx, p.Actor, from, thisMonth); err != nil {
		return err
	}
	for i, b := range insight.Buckets {
		d.Buckets = append(d.Buckets, networkBucket{Label: b.Label, Sellers: d.FirstSale.Total.Buckets[i]})
	}
	d.FirstSrc = "/api/v1/insight/first-sale?" + url.Values{"from": {insight.FormatMonth(from)}, "to": {insight.FormatMonth(thisMonth)}}.Encode()
	d.FirstCSV = d.FirstSrc + "&format=csv"
	// Newest join month first: the one a person asks about.
	for i, j := 0, len(d.FirstSale.Cohorts)-1; i < j; i, j = i+1, j-1 {
		d.FirstSale.Cohorts[i], d.FirstSale.Cohorts[j] = d.FirstSale.Cohorts[j], d.FirstSale.Cohorts[i]
	}
	p.Data = d
	p.Scripts = []string{"vendor/uPlot.iife.min.js"}
	p.Styles = []string{"vendor/uPlot.min.css"}
	s.render(w, r, status, "ops_network", p)
	return nil
}

// NetMonth is a join month as the page writes it.
func (p *Page) NetMonth(t time.Time) string {
	if p.Lang == "zh" {
		return t.Format("2006年1月")
	}
	return t.Format("Jan 2006")
}

// NetSold is how many of a cohort sold, with their share of its joins.
func (p *Page) NetSold(c store.FirstSaleCohort) string {
	if c.Joined <= 0 {
		return strconv.FormatInt(c.Sellers, 10)
	}
	return strconv.FormatInt(c.Sellers, 10) + " · " + p.NetShare(c.Sellers, c.Joined)
}

// NetMedian is a cohort's median time to first sale as the page writes it.
func (p *Page) NetMedian(c store.FirstSaleCohort) string {
	switch {
	case !c.HasMedian:
		return "—"
	case c.MedianDays > insight.MaxFirstSaleDays:
		return p.T("net.days_over", insight.MaxFirstSaleDays)
	}
	return p.T("net.days", c.MedianDays)
}

// NetShare is part of whole as a whole percentage ("—" without a whole).
func (p *Page) NetShare(part, whole int64) string {
	if whole <= 0 {
		return "—"
	}
	return strconv.FormatInt(part*100/whole, 10) + "%"
}
