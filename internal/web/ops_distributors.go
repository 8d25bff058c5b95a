package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

const opsDistributorsPage = 50

// opsDistributorsData is the distributor search: filters, a page of rows,
// and the links to the pages before and after.
type opsDistributorsData struct {
	Rows       []store.DistributorListing
	Grades     map[int64]string
	GradeList  []network.Grade
	Statuses   []network.Status
	Sorts      []store.DistributorSort
	Prev, Next string
}

func (s *Server) opsDistributors(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "distributors", "ops.distributors.title")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p.Form = q
	grades, err := s.db.Grades(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d := &opsDistributorsData{GradeList: grades, Grades: map[int64]string{},
		Statuses: []network.Status{network.Active, network.Pending, network.Suspended, network.Rejected},
		Sorts:    []store.DistributorSort{store.SortJoined, store.SortSales, store.SortTeam}}
	for _, g := range grades {
		d.Grades[g.ID] = g.Name
	}
	p.Data = d
	f, err := s.distributorSearch(p, q)
	if err == nil {
		d.Rows, err = s.db.SearchDistributors(r.Context(), p.Actor, f)
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		s.render(w, r, statusOf(err), "ops_distributors", p)
		return nil
	}
	page := func(offset int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("offset", strconv.Itoa(offset))
		return "/ops/distributors?" + v.Encode()
	}
	if len(d.Rows) > f.Limit {
		d.Rows = d.Rows[:f.Limit]
		if f.Offset+f.Limit <= store.MaxSearchOffset {
			d.Next = page(f.Offset + f.Limit)
		}
	}
	if f.Offset > 0 {
		d.Prev = page(max(f.Offset-f.Limit, 0))
	}
	s.render(w, r, http.StatusOK, "ops_distributors", p)
	return nil
}

// distributorSearch reads the filters; days are the program's days.
func (s *Server) distributorSearch(p *Page, q url.Values) (store.DistributorSearch, error) {
	f := store.DistributorSearch{Name: q.Get("name"), Status: network.Status(q.Get("status")), AgentArea: strings.TrimSpace(q.Get("region")),
		Sort: store.DistributorSort(q.Get("sort")), Limit: opsDistributorsPage}
	var err error
	if v := q.Get("grade"); v != "" {
		if f.GradeID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return f, errs.Invalidf("grade", "must be a grade")
		}
	}
	if v := q.Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil {
			return f, errs.Invalidf("offset", "must be a whole number")
		}
	}
	day := func(field string, next bool) (time.Time, error) {
		v := q.Get(field)
		if v == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation("2006-01-02", v, p.loc)
		if err != nil {
			return t, errs.Invalidf(field, "must be a day such as 2026-01-31")
		}
		if next { // "joined to" includes its day
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if f.JoinedFrom, err = day("joined_from", false); err != nil {
		return f, err
	}
	if f.JoinedTo, err = day("joined_to", true); err != nil {
		return f, err
	}
	return f, nil
}
