package api

import (
	"fmt"
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/store"
)

// routesFission registers the fission figures (docs/insight.md,
// "Fission"): the share funnel (operators; a supplier sees its goods') and
// the monthly join cohorts (operators). Each answers JSON, or CSV with
// ?format=csv.
func (s *Server) routesFission() {
	s.handle("GET /api/v1/insight/funnel", s.insightFunnel, "grain", "from", "to", "distributor", "product", "supplier_id", "format")
	s.handle("GET /api/v1/insight/cohorts", s.insightCohorts, "format")
}

type funnelJSON struct {
	Period   string `json:"period,omitempty"`
	Links    int64  `json:"links"`
	Visits   int64  `json:"visits"`
	Visitors int64  `json:"visitors"`
	Bindings int64  `json:"bindings"`
	Orders   int64  `json:"orders"`
	Paid     int64  `json:"paid"`
	Settled  int64  `json:"settled"`
}

func funnelOut(f insight.Funnel) funnelJSON {
	out := funnelJSON{Links: f.Links, Visits: f.Visits, Visitors: f.Visitors, Bindings: f.Bindings, Orders: f.Orders, Paid: f.Paid, Settled: f.Settled}
	if !f.Period.IsZero() {
		out.Period = insight.FormatDate(f.Period)
	}
	return out
}

func (s *Server) insightFunnel(w http.ResponseWriter, r *http.Request) error {
	from, to, supplier, csvOut, err := insightRange(r)
	if err != nil {
		return err
	}
	grain, err := insight.ParseGrain(r.URL.Query().Get("grain"))
	if err != nil {
		return err
	}
	distributor, err := queryID(r, "distributor")
	if err != nil {
		return err
	}
	product, err := queryID(r, "product")
	if err != nil {
		return err
	}
	f, err := s.db.InsightFunnel(r.Context(), actorOf(r), store.FunnelQuery{Grain: grain, From: from, To: to,
		DistributorID: distributor, ProductID: product, SupplierID: supplier})
	if err != nil {
		return err
	}
	if csvOut {
		rows := [][]string{append([]string{"period"}, insight.FunnelSteps...)}
		for _, p := range f.Points {
			row := []string{insight.FormatDate(p.Period)}
			for _, n := range p.Steps() {
				row = append(row, strconv.FormatInt(n, 10))
			}
			rows = append(rows, row)
		}
		return writeCSV(w, fmt.Sprintf("sharemall-funnel-%s-%s-%s.csv", grain, insight.FormatDate(from), insight.FormatDate(to)), rows)
	}
	out := struct {
		Grain         string       `json:"grain"`
		SupplierID    *int64       `json:"supplier_id"`
		DistributorID *int64       `json:"distributor"`
		ProductID     *int64       `json:"product"`
		TimeZone      string       `json:"time_zone"`
		Total         funnelJSON   `json:"total"`
		Points        []funnelJSON `json:"points"`
	}{Grain: string(grain), SupplierID: idOrNull(f.SupplierID), DistributorID: idOrNull(f.DistributorID), ProductID: idOrNull(f.ProductID),
		TimeZone: f.Location.String(), Total: funnelOut(f.Total), Points: make([]funnelJSON, len(f.Points))}
	for i, p := range f.Points {
		out.Points[i] = funnelOut(p)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type cohortJSON struct {
	Month     string   `json:"month"`
	Joined    int64    `json:"joined"`
	Invited30 int64    `json:"invited_30"`
	Invited   int64    `json:"invited"`
	Viral30   string   `json:"viral_30"`
	Viral     string   `json:"viral"`
	Active    []int64  `json:"active"`
	Retention []string `json:"retention"`
}

func (s *Server) insightCohorts(w http.ResponseWriter, r *http.Request) error {
	csvOut := false
	switch r.URL.Query().Get("format") {
	case "", "json":
	case "csv":
		csvOut = true
	default:
		return errs.Invalidf("format", "must be json or csv")
	}
	rep, err := s.db.InsightCohorts(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	items := make([]cohortJSON, len(rep.Cohorts))
	width := 0
	for i, c := range rep.Cohorts {
		items[i] = cohortJSON{Month: insight.FormatDate(c.Month)[:7], Joined: c.Joined, Invited30: c.Invited30, Invited: c.Invited,
			Viral30: insight.Ratio(c.Invited30, c.Joined), Viral: insight.Ratio(c.Invited, c.Joined), Active: c.Active,
			Retention: make([]string, len(c.Active))}
		for k, n := range c.Active {
			items[i].Retention[k] = insight.Ratio(n, c.Joined)
		}
		width = max(width, len(c.Active))
	}
	if csvOut {
		head := []string{"month", "joined", "invited_30", "invited", "viral_30", "viral"}
		for k := range width {
			head = append(head, fmt.Sprintf("active_m%d", k))
		}
		rows := [][]string{head}
		for _, c := range items {
			row := []string{c.Month, strconv.FormatInt(c.Joined, 10), strconv.FormatInt(c.Invited30, 10), strconv.FormatInt(c.Invited, 10), c.Viral30, c.Viral}
			for _, n := range c.Active {
				row = append(row, strconv.FormatInt(n, 10))
			}
			for range width - len(c.Active) {
				row = append(row, "") // months not yet come
			}
			rows = append(rows, row)
		}
		return writeCSV(w, "sharemall-cohorts.csv", rows)
	}
	writeJSON(w, http.StatusOK, struct {
		TimeZone string       `json:"time_zone"`
		Items    []cohortJSON `json:"items"`
	}{rep.Location.String(), items})
	return nil
}
