package web

import (
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/store"
)

// centreCustomersView is my reach: the customers bound to me, my visits
// day by day, and each link's visits.
type centreCustomersView struct {
	Total     int64
	Customers []store.BoundCustomer
	Next      string // the next page's query, "" for none
	Days      []centreDay
	Visits    int64 // on all the days
	Links     []store.LinkVisits
}

// centreDay is a day's visits with its bar's height, 0 to 10 tenths of the
// busiest day's.
type centreDay struct {
	store.DayVisits
	Level int
}

const (
	centreCustomersPageSize = 50
	centreVisitDays         = 14
)

// centreCustomers shows who is bound to me (names masked) and how often my
// links were opened.
func (s *Server) centreCustomers(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back = p.T("centre.customers.title"), "/centre"
	v := &centreCustomersView{}
	var from store.CustomerCursor
	if at, err := strconv.ParseInt(r.URL.Query().Get("at"), 10, 64); err == nil {
		from.At = time.UnixMicro(at).UTC()
		from.Key, _ = strconv.ParseInt(r.URL.Query().Get("key"), 10, 64)
	}
	if v.Total, v.Customers, err = s.db.BoundCustomers(r.Context(), p.Actor, d.ID, from, centreCustomersPageSize+1); err != nil {
		return err
	}
	if len(v.Customers) > centreCustomersPageSize {
		v.Customers = v.Customers[:centreCustomersPageSize]
		last := v.Customers[len(v.Customers)-1]
		v.Next = "?at=" + strconv.FormatInt(last.BoundAt.UnixMicro(), 10) + "&key=" + strconv.FormatInt(last.Key, 10)
	}
	days, err := s.db.VisitsByDay(r.Context(), p.Actor, d.ID, centreVisitDays)
	if err != nil {
		return err
	}
	var busiest int64
	for _, day := range days {
		busiest, v.Visits = max(busiest, day.Visits), v.Visits+day.Visits
	}
	for _, day := range days {
		c := centreDay{DayVisits: day}
		if day.Visits > 0 {
			c.Level = max(1, int(day.Visits*10/busiest))
		}
		v.Days = append(v.Days, c)
	}
	if v.Links, err = s.db.ShareLinkVisits(r.Context(), p.Actor, d.ID); err != nil {
		return err
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "centre_customers", p)
	return nil
}
