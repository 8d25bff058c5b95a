package web

import (
	"net/http"

	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// myParcel is one warehouse's part of an order, with its lines.
type myParcel struct {
	store.FulfilmentOrder
	N, Of int // parcel N of Of
	Tone  string
	Lines []myLine
}

// myLine is an order line as its customer sees it: price and quantity,
// the units refunded, and its after-sale case or whether one may be asked.
type myLine struct {
	order.Line
	Refunded int64
	Case     *store.AfterSaleCase // the line's newest case, if any
	CanAsk   bool
}

// myOrderPage is the order page's data.
type myOrderPage struct {
	Order           *order.Order
	State           string
	Tone            string
	Steps           []myStep
	Region          []string // the shipping region's names in the page's language, province first
	Parcels         []myParcel
	Refunded        money.Amount
	Pay             []payChoice // the ways to pay an unpaid order here (listed when there are two or more)
	AlipayElsewhere bool        // Alipay is enabled but not offered in WeChat's browser
	Payments        []myPayment // the order's payments with their refunds, once one is paid
}

// orderPage shows an order to its customer: the state and timeline, the
// address, each parcel with its carrier, tracking number and lines, the
// amounts, and what can be done next.
func (s *Server) orderPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderOrder(w, r, p, id, http.StatusOK)
}

// renderOrder draws order id on p (with any error p holds) with status.
func (s *Server) renderOrder(w http.ResponseWriter, r *http.Request, p *Page, id int64, status int) error {
	o, err := s.myOrder(r, p, id)
	if err != nil {
		return err
	}
	parcels, err := s.db.Tracking(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	cases, err := s.myCases(r, p, id)
	if err != nil {
		return err
	}
	refunded, err := s.db.OrderRefunded(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch {
	case q.Has("paid") && o.Status == order.Cancelled:
		p.Notice = p.T("orders.notice.paid_late")
	case q.Has("paid") && o.Status == order.Unpaid:
		p.Notice = p.T("orders.notice.paying")
	case q.Has("paid"):
		p.Notice = p.T("orders.notice.paid")
	case q.Has("cancelled"):
		p.Notice = p.T("orders.notice.cancelled")
	case q.Has("received"):
		p.Notice = p.T("orders.notice.received")
	}
	d := &myOrderPage{Order: o, State: myState(o), Steps: orderTimeline(p.Locale, o, parcels, cases), Refunded: refunded,
		Region: s.regionNamer(r, p.Lang)(o.ShipTo.RegionCode)}
	d.Tone = myStateTone(d.State)
	for i, f := range parcels {
		mp := myParcel{FulfilmentOrder: f, N: i + 1, Of: len(parcels), Tone: myStateTone(string(f.Status))}
		for _, fl := range f.Lines {
			ml := myLine{Refunded: fl.Refunded}
			for _, l := range o.Lines {
				if l.ID == fl.ID {
					ml.Line = l
				}
			}
			for i := range cases { // newest first: the first found is the line's latest
				if cases[i].LineID == fl.ID {
					ml.Case = &cases[i]
					break
				}
			}
			ml.CanAsk = o.Status == order.Paid && fl.Quantity > fl.Refunded && (ml.Case == nil || !caseActive(ml.Case)) &&
				f.Status != store.FulfilmentCancelled && f.Status != store.FulfilmentPending
			mp.Lines = append(mp.Lines, ml)
		}
		d.Parcels = append(d.Parcels, mp)
	}
	if d.Pay, d.AlipayElsewhere, err = s.payChoices(r, o); err != nil {
		return err
	}
	if d.Payments, err = s.myPayments(r, p, o); err != nil {
		return err
	}
	p.Title, p.Back, p.Data = p.T("orders.order_title", o.ID), "/orders", d
	s.render(w, r, status, "order", p)
	return nil
}
