package web

import (
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// myAfterSaleForm is the after-sale request's data: the order, the line,
// how many of its units may still be asked for, and whether its parcel
// left (only then can goods go back).
type myAfterSaleForm struct {
	Order   *order.Order
	Line    order.Line
	Left    int64
	Shipped bool
}

// afterSaleNew is the after-sale request for a line
// (/orders/{id}/aftersale?line=…).
func (s *Server) afterSaleNew(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	return s.renderAfterSaleForm(w, r, p, r.URL.Query().Get("line"), http.StatusOK)
}

// renderAfterSaleForm draws the request for line (as typed in the URL or
// the form) of the order in the path.
func (s *Server) renderAfterSaleForm(w http.ResponseWriter, r *http.Request, p *Page, line string, status int) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.myOrder(r, p, id)
	if err != nil {
		return err
	}
	lineID, _ := strconv.ParseInt(line, 10, 64)
	parcels, err := s.db.Tracking(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	d := &myAfterSaleForm{Order: o}
	found := false
	for _, l := range o.Lines {
		if l.ID == lineID {
			d.Line, found = l, true
		}
	}
	for _, f := range parcels {
		for _, fl := range f.Lines {
			if fl.ID == lineID {
				d.Left = fl.Quantity - fl.Refunded
				d.Shipped = f.Status == store.FulfilmentShipped || f.Status == store.FulfilmentReceived
			}
		}
	}
	if !found {
		return errs.E(errs.NotFound, "", "order %d has no line %s", id, line)
	}
	if len(p.Form) == 0 { // the first look: the whole line, money back only
		p.Form.Set("kind", string(store.RefundOnly))
		p.Form.Set("quantity", strconv.FormatInt(d.Left, 10))
	}
	p.Form.Set("line", strconv.FormatInt(lineID, 10))
	p.Title, p.Back, p.Data = p.T("aftersale.new_title"), "/orders/"+strconv.FormatInt(id, 10), d
	s.render(w, r, status, "aftersale", p)
	return nil
}

// afterSaleOpen asks for units of a line back, as the API's case does; a
// refusal shows by its field with everything typed kept.
func (s *Server) afterSaleOpen(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	for _, f := range []string{"kind", "quantity", "reason"} {
		p.Form.Set(f, r.PostForm.Get(f))
	}
	line := r.PostForm.Get("line")
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.openMyCase(r, p, id, line)
	if err != nil {
		if !formErrorOn(p, err, "aftersale", "kind", "quantity", "reason") || errs.Is(err, errs.NotFound) {
			return err
		}
		return s.renderAfterSaleForm(w, r, p, line, statusOf(err))
	}
	return seeOther(w, r, "/aftersale/"+strconv.FormatInt(c.ID, 10)+"?opened=1")
}

// openMyCase reads the form's line and quantity and opens the case.
func (s *Server) openMyCase(r *http.Request, p *Page, orderID int64, line string) (*store.AfterSaleCase, error) {
	o, err := s.myOrder(r, p, orderID)
	if err != nil {
		return nil, err
	}
	lineID, _ := strconv.ParseInt(line, 10, 64)
	found := false
	for _, l := range o.Lines {
		found = found || l.ID == lineID
	}
	if !found {
		return nil, errs.E(errs.NotFound, "", "order %d has no line %s", orderID, line)
	}
	qty, err := strconv.ParseInt(strings.TrimSpace(p.Value("quantity")), 10, 64)
	if err != nil {
		return nil, errs.Invalidf("quantity", "must be a whole number of units")
	}
	return s.db.OpenCase(r.Context(), p.Actor, lineID, store.CaseKind(p.Value("kind")), qty, p.Value("reason"))
}
