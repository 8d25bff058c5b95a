package web

import (
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// opsLateDays is how long an open case may wait for its supplier before
// the console lists it as waiting too long, unless the page asks otherwise.
const opsLateDays = 3

// opsCasesData is the queue of after-sale cases open longer than Days.
type opsCasesData struct {
	Days  int
	Cases []opsCase
	More  bool
}

type opsCase struct {
	store.AfterSaleCase
	Waiting int // whole days since it was opened
}

func (s *Server) opsCases(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "cases", "ops.cases.title")
	if err != nil {
		return err
	}
	days := opsLateDays
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 365 {
			p.Form = r.URL.Query()
			p.Errors["days"] = p.errText(errs.Invalidf("days", "must be a whole number of days from 0 to 365"))
			p.Data = &opsCasesData{Days: opsLateDays}
			s.render(w, r, http.StatusBadRequest, "ops_cases", p)
			return nil
		}
		days = n
	}
	late, more, err := s.lateCases(r, p, days)
	if err != nil {
		return err
	}
	d := &opsCasesData{Days: days, More: more}
	now := s.db.Now()
	for _, c := range late {
		d.Cases = append(d.Cases, opsCase{AfterSaleCase: c, Waiting: int(now.Sub(c.CreatedAt) / (24 * time.Hour))})
	}
	p.Form.Set("days", strconv.Itoa(days))
	p.Data = d
	s.render(w, r, http.StatusOK, "ops_cases", p)
	return nil
}

// lateCases lists the open cases older than days, oldest first (cases are
// listed in id order, which is the order they were opened in, so the read
// stops at the first case young enough).
func (s *Server) lateCases(r *http.Request, p *Page, days int) ([]store.AfterSaleCase, bool, error) {
	cutoff := s.db.Now().Add(-time.Duration(days) * 24 * time.Hour)
	cs, err := s.db.Cases(r.Context(), p.Actor, store.CaseFilter{Status: store.CaseOpen, Limit: opsCap})
	if err != nil {
		return nil, false, err
	}
	var out []store.AfterSaleCase
	for _, c := range cs {
		if !c.CreatedAt.Before(cutoff) || len(out) == opsCap {
			return out, len(out) == opsCap && c.CreatedAt.Before(cutoff), nil
		}
		out = append(out, c)
	}
	return out, false, nil
}
