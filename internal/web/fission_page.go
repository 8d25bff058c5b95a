package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/store"
)

// fisData is a fission page: the period form, the funnel's bars (drawn by
// script from the funnel API's JSON, Src), the steps' counts and
// conversions, and for the operator the cohorts with their retention.
type fisData struct {
	Action        string // the form's own URL
	Src, CSV      string // the funnel API's JSON and its CSV
	Steps         []fisStep
	Cohorts       []fisCohort
	CohortCSV     string
	Months        []int // the retention columns shown (k)
	ShowCohorts   bool
	From, To      string
	Grain         string
	Distributor   string
	Product       string
	Of            string // whose funnel: the distributor's or product's name and id; "" for all
	Grains        []string
	DistributorOK bool // the distributor filter is offered
	// Materials is the funnel per marketing material over the same days
	// (materials_centre.go, docs/materials.md); MaterialsRoot its console list.
	Materials     []store.MaterialListItem
	MaterialsRoot string
}

// fisStep is one bar: its count and the share of the step before.
type fisStep struct {
	Key, Label string
	Count      int64
	Rate       string // "45%" of the previous step; "" for the first
}

// fisCohort is one cohort's row of the table.
type fisCohort struct {
	Month              string
	Joined             int64
	Invited30, Viral30 string
	Invited, Viral     string
	Cells              []fisCell
}

// fisCell is one retention cell: the share as a percentage, and its
// heat-map shade (0..10) for the CSS.
type fisCell struct {
	Active int64
	Share  string
	Heat   int
	Future bool // a month not yet come
}

// fisMonthsShown is how many retention columns the page shows (k = 0..12);
// the CSV has every month up to 36.
const fisMonthsShown = 13

// opsFission is the operator's funnel of the program, and the cohorts.
func (s *Server) opsFission(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-fission", "fis.ops.title")
	if err != nil {
		return err
	}
	return s.renderFission(w, r, p, p.Actor, "/ops/insight/fission", true)
}

// supFission is a supplier's funnel of its own goods (the store forces the
// scope); cohorts belong to the network, not to a supplier.
func (s *Server) supFission(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-fission")
	if err != nil {
		return err
	}
	p.Title = p.T("fis.sup.title")
	return s.renderFission(w, r, p, sup, "/sup/insight/fission", false)
}

func (s *Server) renderFission(w http.ResponseWriter, r *http.Request, p *Page, actor account.Actor, action string, cohorts bool) error {
	ctx := r.Context()
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	now := s.db.Now().In(st.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	q := r.URL.Query()
	d := &fisData{Action: action, ShowCohorts: cohorts, DistributorOK: true, Grains: []string{"day", "week", "month"},
		From: fisOr(q.Get("from"), insight.FormatDate(today.AddDate(0, 0, -89))), To: fisOr(q.Get("to"), insight.FormatDate(today)),
		Grain: fisOr(q.Get("grain"), "week"), Distributor: strings.TrimSpace(q.Get("distributor")), Product: strings.TrimSpace(q.Get("product"))}
	p.Form = url.Values{"from": {d.From}, "to": {d.To}, "grain": {d.Grain}, "distributor": {d.Distributor}, "product": {d.Product}}
	p.Data = d
	p.Scripts = []string{"vendor/uPlot.iife.min.js"}
	p.Styles = []string{"vendor/uPlot.min.css"}
	fq, err := fisQuery(d)
	if err == nil {
		var f *store.FunnelReport
		if f, err = s.db.InsightFunnel(ctx, actor, fq); err == nil {
			d.fill(p, f)
			err = s.fisMaterials(r, actor, d, fq, st.Location())
		}
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		if cohorts {
			_ = s.fisCohorts(r, p, actor, d) // the form's error is the page's; the cohorts do not depend on it
		}
		s.render(w, r, statusOf(err), "fission", p)
		return nil
	}
	if cohorts {
		if err := s.fisCohorts(r, p, actor, d); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "fission", p)
	return nil
}

func fisOr(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

// fisQuery reads the form as the funnel API reads its parameters.
func fisQuery(d *fisData) (store.FunnelQuery, error) {
	var q store.FunnelQuery
	var err error
	if q.Grain, err = insight.ParseGrain(d.Grain); err != nil {
		return q, err
	}
	if q.From, err = insight.ParseDate("from", d.From, time.UTC); err != nil {
		return q, err
	}
	if q.To, err = insight.ParseDate("to", d.To, time.UTC); err != nil {
		return q, err
	}
	for _, f := range []struct {
		name, v string
		dst     *int64
	}{{"distributor", d.Distributor, &q.DistributorID}, {"product", d.Product, &q.ProductID}} {
		if f.v == "" {
			continue
		}
		n, err := strconv.ParseInt(f.v, 10, 64)
		if err != nil || n < 1 {
			return q, errs.Invalidf(f.name, "must be an id (a whole number from 1)")
		}
		*f.dst = n
	}
	return q, nil
}

// fill sets the bars from the funnel read, and the API URLs that give the
// same figures.
func (d *fisData) fill(p *Page, f *store.FunnelReport) {
	v := url.Values{"from": {d.From}, "to": {d.To}, "grain": {d.Grain}}
	if d.Distributor != "" {
		v.Set("distributor", d.Distributor)
	}
	if d.Product != "" {
		v.Set("product", d.Product)
	}
	switch {
	case f.DistributorID != 0:
		d.Of = p.T("fis.of_distributor", f.Name, f.DistributorID)
	case f.ProductID != 0:
		d.Of = p.T("fis.of_product", f.Name, f.ProductID)
	}
	d.Src = "/api/v1/insight/funnel?" + v.Encode()
	d.CSV = d.Src + "&format=csv"
	counts := f.Total.Steps()
	for i, key := range insight.FunnelSteps {
		s := fisStep{Key: key, Label: p.T("fis.step." + key), Count: counts[i]}
		if i > 0 {
			s.Rate = fisPercent(counts[i], counts[i-1])
		}
		d.Steps = append(d.Steps, s)
	}
}

// fisPercent is num/den as a whole percentage, rounded half up; "–" without
// a denominator.
func fisPercent(num, den int64) string {
	if den <= 0 {
		return "–"
	}
	return strconv.FormatInt((num*200+den)/(2*den), 10) + "%"
}

// fisCohorts fills the cohort table: the last cohorts first, each with its
// viral coefficients and the first fisMonthsShown months of retention.
func (s *Server) fisCohorts(r *http.Request, p *Page, actor account.Actor, d *fisData) error {
	rep, err := s.db.InsightCohorts(r.Context(), actor)
	if err != nil {
		return err
	}
	d.CohortCSV = "/api/v1/insight/cohorts?format=csv"
	for k := range fisMonthsShown {
		d.Months = append(d.Months, k)
	}
	for i := len(rep.Cohorts) - 1; i >= 0; i-- {
		c := rep.Cohorts[i]
		row := fisCohort{Month: c.Month.Format("2006-01"), Joined: c.Joined, Invited30: strconv.FormatInt(c.Invited30, 10),
			Viral30: insight.Ratio(c.Invited30, c.Joined), Invited: strconv.FormatInt(c.Invited, 10), Viral: insight.Ratio(c.Invited, c.Joined)}
		for k := range fisMonthsShown {
			if k >= len(c.Active) {
				row.Cells = append(row.Cells, fisCell{Future: true})
				continue
			}
			n := c.Active[k]
			heat := 0
			if c.Joined > 0 {
				heat = int((n*20 + c.Joined) / (2 * c.Joined)) // tenths, rounded
			}
			row.Cells = append(row.Cells, fisCell{Active: n, Share: fisPercent(n, c.Joined), Heat: min(heat, 10)})
		}
		d.Cohorts = append(d.Cohorts, row)
	}
	return nil
}
