package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/insight"
	"sharemall/internal/store"
)

// routesInsightNetwork registers the network's insight (operators only):
// members per depth at a month's end and the time from joining to the
// first sale per join month (docs/insight.md, "Network"). The network's
// size and growth are the series' distributors and new_distributors.
func (s *Server) routesInsightNetwork() {
	s.handle("GET /api/v1/insight/depths", s.insightDepths, "month", "format")
	s.handle("GET /api/v1/insight/first-sale", s.insightFirstSale, "from", "to", "format")
}

// csvFormat reads format: json (the default) or csv.
func csvFormat(r *http.Request) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "", "json":
		return false, nil
	case "csv":
		return true, nil
	}
	return false, errs.Invalidf("format", "must be json or csv")
}

type depthJSON struct {
	Depth     int64 `json:"depth"`
	Members   int64 `json:"members"`
	Joined    int64 `json:"joined"`
	AndDeeper bool  `json:"and_deeper"`
}

func (s *Server) insightDepths(w http.ResponseWriter, r *http.Request) error {
	csvOut, err := csvFormat(r)
	if err != nil {
		return err
	}
	var month time.Time
	if v := r.URL.Query().Get("month"); v != "" {
		if month, err = insight.ParseMonth("month", v, time.UTC); err != nil {
			return err
		}
	}
	d, err := s.db.InsightDepths(r.Context(), actorOf(r), month)
	if err != nil {
		return err
	}
	if csvOut {
		rows := [][]string{{"depth", "members", "joined"}}
		for _, row := range d.Rows {
			depth := strconv.FormatInt(row.Depth, 10)
			if row.AndDeeper {
				depth += "+"
			}
			rows = append(rows, []string{depth, strconv.FormatInt(row.Members, 10), strconv.FormatInt(row.Joined, 10)})
		}
		return writeCSV(w, fmt.Sprintf("sharemall-depths-%s.csv", insight.FormatMonth(d.Month)), rows)
	}
	out := struct {
		Month    string      `json:"month"`
		TimeZone string      `json:"time_zone"`
		Members  int64       `json:"members"`
		Joined   int64       `json:"joined"`
		Depths   []depthJSON `json:"depths"`
	}{Month: insight.FormatMonth(d.Month), TimeZone: d.Location.String(), Members: d.Members, Joined: d.Joined, Depths: make([]depthJSON, len(d.Rows))}
	for i, row := range d.Rows {
		out.Depths[i] = depthJSON(row)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type firstSaleCohortJSON struct {
	Month      *string `json:"month"`
	Joined     int64   `json:"joined"`
	Sellers    int64   `json:"sellers"`
	Buckets    []int64 `json:"buckets"`
	MedianDays *int    `json:"median_days"`
}

func cohortOf(c store.FirstSaleCohort) firstSaleCohortJSON {
	out := firstSaleCohortJSON{Joined: c.Joined, Sellers: c.Sellers, Buckets: c.Buckets}
	if !c.Month.IsZero() {
		m := insight.FormatMonth(c.Month)
		out.Month = &m
	}
	if c.HasMedian {
		d := c.MedianDays
		out.MedianDays = &d
	}
	return out
}

func (s *Server) insightFirstSale(w http.ResponseWriter, r *http.Request) error {
	csvOut, err := csvFormat(r)
	if err != nil {
		return err
	}
	from, err := insight.ParseMonth("from", r.URL.Query().Get("from"), time.UTC)
	if err != nil {
		return err
	}
	to, err := insight.ParseMonth("to", r.URL.Query().Get("to"), time.UTC)
	if err != nil {
		return err
	}
	f, err := s.db.InsightFirstSale(r.Context(), actorOf(r), from, to)
	if err != nil {
		return err
	}
	labels := make([]string, len(insight.Buckets))
	for i, b := range insight.Buckets {
		labels[i] = b.Label
	}
	if csvOut {
		head := []string{"month", "joined", "sellers"}
		for _, l := range labels {
			head = append(head, "days "+l)
		}
		rows := [][]string{append(head, "median_days")}
		for _, c := range append(f.Cohorts, f.Total) {
			month := "total"
			if !c.Month.IsZero() {
				month = insight.FormatMonth(c.Month)
			}
			row := []string{month, strconv.FormatInt(c.Joined, 10), strconv.FormatInt(c.Sellers, 10)}
			for _, n := range c.Buckets {
				row = append(row, strconv.FormatInt(n, 10))
			}
			median := ""
			if c.HasMedian {
				median = strconv.Itoa(c.MedianDays)
			}
			rows = append(rows, append(row, median))
		}
		return writeCSV(w, fmt.Sprintf("sharemall-first-sale-%s-%s.csv", insight.FormatMonth(from), insight.FormatMonth(to)), rows)
	}
	out := struct {
		From     string                `json:"from"`
		To       string                `json:"to"`
		TimeZone string                `json:"time_zone"`
		Buckets  []string              `json:"buckets"`
		Cohorts  []firstSaleCohortJSON `json:"cohorts"`
		Total    firstSaleCohortJSON   `json:"total"`
	}{From: insight.FormatMonth(from), To: insight.FormatMonth(to), TimeZone: f.Location.String(), Buckets: labels,
		Cohorts: make([]firstSaleCohortJSON, len(f.Cohorts)), Total: cohortOf(f.Total)}
	for i, c := range f.Cohorts {
		out.Cohorts[i] = cohortOf(c)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
