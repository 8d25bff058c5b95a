package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// routesInsight registers market insight: time series and breakdowns from
// the insight rollups (docs/insight.md), for operators (the program or one
// supplier) and suppliers (their own goods). Each answers JSON, or CSV with
// ?format=csv.
func (s *Server) routesInsight() {
	s.handle("GET /api/v1/insight/series", s.insightSeries, "metric", "grain", "from", "to", "supplier_id", "format")
	s.handle("GET /api/v1/insight/breakdown", s.insightBreakdown, "by", "from", "to", "supplier_id", "limit", "format")
}

// insightRange reads from and to (yyyy-mm-dd days of the program) and
// supplier_id, and whether CSV was asked for.
func insightRange(r *http.Request) (from, to time.Time, supplier int64, csvOut bool, err error) {
	q := r.URL.Query()
	switch q.Get("format") {
	case "", "json":
	case "csv":
		csvOut = true
	default:
		return from, to, 0, false, errs.Invalidf("format", "must be json or csv")
	}
	if supplier, err = queryID(r, "supplier_id"); err != nil {
		return
	}
	if from, err = insight.ParseDate("from", q.Get("from"), time.UTC); err != nil {
		return
	}
	to, err = insight.ParseDate("to", q.Get("to"), time.UTC)
	return
}

type insightPointJSON struct {
	Period string `json:"period"`
	Value  int64  `json:"value"`
}

func (s *Server) insightSeries(w http.ResponseWriter, r *http.Request) error {
	from, to, supplier, csvOut, err := insightRange(r)
	if err != nil {
		return err
	}
	metric, err := insight.ParseMetric(r.URL.Query().Get("metric"))
	if err != nil {
		return err
	}
	grain, err := insight.ParseGrain(r.URL.Query().Get("grain"))
	if err != nil {
		return err
	}
	sr, err := s.db.InsightSeries(r.Context(), actorOf(r), store.SeriesQuery{Metric: metric, Grain: grain, From: from, To: to, SupplierID: supplier})
	if err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	if csvOut {
		rows := [][]string{{"period", string(metric)}}
		for _, p := range sr.Points {
			rows = append(rows, []string{insight.FormatDate(p.Period), insightValue(c, metric.Money(), p.Value(metric))})
		}
		return writeCSV(w, fmt.Sprintf("sharemall-%s-%s-%s-%s.csv", metric, grain, insight.FormatDate(from), insight.FormatDate(to)), rows)
	}
	out := struct {
		Metric     string             `json:"metric"`
		Grain      string             `json:"grain"`
		SupplierID *int64             `json:"supplier_id"`
		Money      bool               `json:"money"`
		Currency   string             `json:"currency"`
		TimeZone   string             `json:"time_zone"`
		Points     []insightPointJSON `json:"points"`
	}{Metric: string(metric), Grain: string(grain), SupplierID: idOrNull(sr.SupplierID), Money: metric.Money(), Currency: sr.Currency,
		TimeZone: sr.Location.String(), Points: make([]insightPointJSON, len(sr.Points))}
	for i, p := range sr.Points {
		out.Points[i] = insightPointJSON{Period: insight.FormatDate(p.Period), Value: p.Value(metric)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type insightRowJSON struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Amount     string `json:"amount"`
	Commission string `json:"commission"`
}

func (s *Server) insightBreakdown(w http.ResponseWriter, r *http.Request) error {
	from, to, supplier, csvOut, err := insightRange(r)
	if err != nil {
		return err
	}
	by, err := insight.ParseDim(r.URL.Query().Get("by"))
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", insight.DefaultBreakdown, 1, insight.MaxBreakdown)
	if err != nil {
		return err
	}
	b, err := s.db.InsightBreakdown(r.Context(), actorOf(r), store.BreakdownQuery{By: by, From: from, To: to, SupplierID: supplier, Limit: int(limit)})
	if err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	if csvOut {
		rows := [][]string{{string(by), "name", "amount", "commission"}}
		for _, row := range b.Rows {
			rows = append(rows, []string{row.Key, csvText(row.Name), c.Format(row.Amount), c.Format(row.Commission)})
		}
		return writeCSV(w, fmt.Sprintf("sharemall-by-%s-%s-%s.csv", by, insight.FormatDate(from), insight.FormatDate(to)), rows)
	}
	out := struct {
		By         string           `json:"by"`
		SupplierID *int64           `json:"supplier_id"`
		Currency   string           `json:"currency"`
		Items      []insightRowJSON `json:"items"`
	}{By: string(by), SupplierID: idOrNull(b.SupplierID), Currency: b.Currency, Items: make([]insightRowJSON, len(b.Rows))}
	for i, row := range b.Rows {
		out.Items[i] = insightRowJSON{Key: row.Key, Name: row.Name, Amount: c.Format(row.Amount), Commission: c.Format(row.Commission)}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// insightValue is a figure as CSV writes it: amounts as decimals of the
// currency, counts as integers.
func insightValue(c money.Currency, isMoney bool, v int64) string {
	if isMoney {
		return c.Format(money.Amount(v))
	}
	return strconv.FormatInt(v, 10)
}

// csvText quotes a name that a spreadsheet would run as a formula (a
// leading = + - @ tab or return) with an apostrophe: names are the users'.
func csvText(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

// writeCSV writes rows as a CSV attachment named name.
func writeCSV(w http.ResponseWriter, name string, rows [][]string) error {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename=%q`, name))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}
