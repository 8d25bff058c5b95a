package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// myCaseRow is an after-sale case with the title of the line it is about.
type myCaseRow struct {
	store.AfterSaleCase
	Title, Tone string
}

// lineTitle is the title of an order's line.
func lineTitle(o *order.Order, lineID int64) string {
	for _, l := range o.Lines {
		if l.ID == lineID {
			return l.Title
		}
	}
	return ""
}

// afterSaleList is the after-sale tab: the customer's cases, newest first.
func (s *Server) afterSaleList(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	cases, err := s.myCases(r, p, 0)
	if err != nil {
		return err
	}
	d := &myList{Tabs: myTabs, Status: "aftersale"}
	orders := map[int64]*order.Order{}
	for _, c := range cases {
		o, ok := orders[c.OrderID]
		if !ok {
			if o, err = s.myOrder(r, p, c.OrderID); err != nil {
				return err
			}
			orders[c.OrderID] = o
		}
		d.Cases = append(d.Cases, myCaseRow{AfterSaleCase: c, Title: lineTitle(o, c.LineID), Tone: myStateTone(string(c.Status))})
	}
	p.Title, p.Tab, p.Back, p.Data = p.T("orders.title"), "me", "/me", d
	s.render(w, r, http.StatusOK, "orders", p)
	return nil
}

// myCasePage is an after-sale case with its line and history.
type myCasePage struct {
	Case      *store.AfterSaleCase
	Title     string
	Tone      string
	Steps     []myStep
	CanCancel bool
	CanReturn bool // a return approved: the customer gives its carrier and tracking number
}

// afterSaleCase shows a case: its status and history, cancel while open,
// and for an approved return the form for its carrier and tracking number.
func (s *Server) afterSaleCase(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	switch {
	case r.URL.Query().Has("opened"):
		p.Notice = p.T("aftersale.notice.opened")
	case r.URL.Query().Has("cancelled"):
		p.Notice = p.T("aftersale.notice.cancelled")
	case r.URL.Query().Has("returned"):
		p.Notice = p.T("aftersale.notice.returned")
	}
	return s.renderCase(w, r, p, id, http.StatusOK)
}

// renderCase draws case id on p, with whatever form values and errors p
// already holds.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, p *Page, id int64, status int) error {
	c, err := s.db.AfterSaleCase(r.Context(), p.Actor, id)
	if err == nil && c.CustomerAccountID != p.Actor.AccountID {
		err = errs.E(errs.NotFound, "", "after-sale case not found")
	}
	if err != nil {
		return err
	}
	o, err := s.myOrder(r, p, c.OrderID)
	if err != nil {
		return err
	}
	d := &myCasePage{Case: c, Title: lineTitle(o, c.LineID), Tone: myStateTone(string(c.Status)), Steps: caseTimeline(p.Locale, c),
		CanCancel: c.Status == store.CaseOpen,
		CanReturn: c.Kind == store.ReturnRefund && c.Status == store.CaseApproved && c.ReturnReceivedAt == nil}
	if d.CanReturn && len(p.Form) == 0 {
		p.Form.Set("carrier", c.ReturnCarrier)
		p.Form.Set("tracking_number", c.ReturnTracking)
	}
	p.Title, p.Tab, p.Back, p.Data = p.T("aftersale.case_title", c.ID), "", "/aftersale", d
	s.render(w, r, status, "aftersale_case", p)
	return nil
}

// afterSaleCancel withdraws an open case.
func (s *Server) afterSaleCancel(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.db.CancelCase(r.Context(), p.Actor, id); err != nil {
		if !formErrorOn(p, err, "aftersale") || errs.Is(err, errs.NotFound) {
			return err
		}
		return s.renderCase(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/aftersale/"+strconv.FormatInt(id, 10)+"?cancelled=1")
}

// afterSaleReturn records the return's carrier and tracking number.
func (s *Server) afterSaleReturn(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	carrier, tracking := r.PostForm.Get("carrier"), r.PostForm.Get("tracking_number")
	if _, err := s.db.ReturnShipped(r.Context(), p.Actor, id, carrier, tracking); err != nil {
		if !formErrorOn(p, err, "aftersale", "carrier", "tracking_number") || errs.Is(err, errs.NotFound) {
			return err
		}
		p.Form.Set("carrier", carrier)
		p.Form.Set("tracking_number", tracking)
		return s.renderCase(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/aftersale/"+strconv.FormatInt(id, 10)+"?returned=1")
}
