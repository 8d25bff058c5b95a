package web

import (
	"net/http"
	"net/url"
	"strconv"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// supCaseStatuses are the case list's filters, open first.
var supCaseStatuses = []string{"open", "approved", "refund_due", "refunded", "rejected", "cancelled", "all"}

type supCaseRow struct {
	store.AfterSaleCase
	Title string
}

type supCasesPage struct {
	Status   string
	Statuses []string
	Cases    []supCaseRow
	Next     string
}

// supCases lists the after-sale cases of the supplier's goods with what it
// may do about each: approve or reject an open one, say a return came back.
func (s *Server) supCases(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-cases")
	if err != nil {
		return err
	}
	return s.renderCases(w, r, p, sup, http.StatusOK)
}

func (s *Server) renderCases(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, status int) error {
	q := r.URL.Query()
	d := &supCasesPage{Status: q.Get("status"), Statuses: supCaseStatuses}
	if d.Status == "" {
		d.Status = "open"
	}
	f := store.CaseFilter{Status: store.CaseStatus(d.Status), Limit: supPageSize}
	if d.Status == "all" {
		f.Status = ""
	}
	if a := q.Get("after"); a != "" {
		var err error
		if f.After, err = strconv.ParseInt(a, 10, 64); err != nil || f.After < 0 {
			return errs.Invalidf("after", "must be a case number")
		}
	}
	cases, err := s.db.Cases(r.Context(), sup, f)
	if err != nil {
		return err
	}
	if len(cases) > supPageSize {
		cases = cases[:supPageSize]
		d.Next = "/sup/cases?" + url.Values{"status": {d.Status}, "after": {strconv.FormatInt(cases[supPageSize-1].ID, 10)}}.Encode()
	}
	parcels := map[int64]*store.FulfilmentOrder{}
	for _, c := range cases {
		row := supCaseRow{AfterSaleCase: c}
		fo, ok := parcels[c.FulfilmentID]
		if !ok {
			fo, _ = s.supParcelOf(r, sup, c.FulfilmentID) // a parcel not found leaves the title blank
			parcels[c.FulfilmentID] = fo
		}
		if fo != nil {
			for _, l := range fo.Lines {
				if l.ID == c.LineID {
					row.Title = l.Title
				}
			}
		}
		d.Cases = append(d.Cases, row)
	}
	p.Title, p.Data = p.T("sup.cases.title"), d
	s.render(w, r, status, "sup_cases", p)
	return nil
}

// supDecide approves or rejects an open case (a rejection needs a reason);
// the refund is made through the provider at once, as the API does.
func (s *Server) supDecide(w http.ResponseWriter, r *http.Request) error {
	return s.supCaseAction(w, r, func(sup account.Actor, id int64) error {
		approve := r.PostForm.Get("decision") == "approve"
		if !approve && r.PostForm.Get("decision") != "reject" {
			return errs.Invalidf("decision", "must be approve or reject")
		}
		_, err := s.db.DecideCase(r.Context(), sup, id, approve, r.PostForm.Get("note"), s.refunders(r))
		return err
	})
}

// supReturnReceived says the goods of an approved return came back.
func (s *Server) supReturnReceived(w http.ResponseWriter, r *http.Request) error {
	return s.supCaseAction(w, r, func(sup account.Actor, id int64) error {
		_, err := s.db.ReturnReceived(r.Context(), sup, id, s.refunders(r))
		return err
	})
}

// supCaseAction runs act on the case in the path, then goes back to the
// list; a refusal shows by the case's form with what was typed.
func (s *Server) supCaseAction(w http.ResponseWriter, r *http.Request, act func(sup account.Actor, id int64) error) error {
	p, sup, err := s.supPage(r, "sup-cases")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	if err := act(sup, id); err != nil {
		if errs.CodeOf(err) == errs.NotFound || !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		p.Form.Set("case", strconv.FormatInt(id, 10))
		r.URL.RawQuery = url.Values{"status": {r.PostForm.Get("status")}}.Encode()
		return s.renderCases(w, r, p, sup, statusOf(err))
	}
	return seeOther(w, r, "/sup/cases?"+url.Values{"status": {r.PostForm.Get("status")}}.Encode())
}
