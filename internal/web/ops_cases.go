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
	Days   int
	Cases  []opsCase
	More   bool
	Failed int64
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
	if r.URL.Query().Has("done") {
		p.Notice = p.T("ops.notice.decided")
	}
	return s.renderOpsCases(w, r, p, days, 0, http.StatusOK)
}

func (s *Server) renderOpsCases(w http.ResponseWriter, r *http.Request, p *Page, days int, failed int64, status int) error {
	late, more, err := s.lateCases(r, p, days)
	if err != nil {
		return err
	}
	d := &opsCasesData{Days: days, More: more, Failed: failed}
	now := s.db.Now()
	listed := failed == 0
	for _, c := range late {
		d.Cases = append(d.Cases, opsCase{AfterSaleCase: c, Waiting: int(now.Sub(c.CreatedAt) / (24 * time.Hour))})
		listed = listed || c.ID == failed
	}
	rowErrorsOnTop(p, listed)
	p.Form.Set("days", strconv.Itoa(days))
	p.Data = d
	s.render(w, r, status, "ops_cases", p)
	return nil
}

// opsCaseDecide is the operator deciding a case its supplier left waiting,
// as the supplier would (DecideCase): approving a refund-only case books
// its refund, which the effects sweep sends through the payment provider
// (the pages hold no provider); approving a return waits for the goods.
// A rejection needs its note.
func (s *Server) opsCaseDecide(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "cases", "ops.cases.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	days, err := strconv.Atoi(r.PostForm.Get("days"))
	if err != nil || days < 0 || days > 365 {
		days = opsLateDays
	}
	switch r.PostForm.Get("decision") {
	case "approve", "reject":
		_, err = s.db.DecideCase(r.Context(), p.Actor, id, r.PostForm.Get("decision") == "approve", r.PostForm.Get("note"), nil)
	default:
		err = errs.Invalidf("decision", "must be approve or reject")
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsCases(w, r, p, days, id, statusOf(err))
	}
	return seeOther(w, r, "/ops/cases?done=1&days="+strconv.Itoa(days))
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
