package web

import (
	"net/http"
	"slices"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// What the customer's order pages show, shaped from the store's orders,
// parcels (fulfilment orders) and after-sale cases. Nothing here computes
// money: amounts are the store's, written by the templates.

// myState is how an order stands for its customer, one word per badge:
// unpaid, to_ship (a parcel waits for its supplier), to_receive (a parcel
// is on its way), received (every parcel arrived, the after-sale window
// may be open), completed (settled) or cancelled.
func myState(o *order.Order) string {
	if o.Status != order.Paid {
		return string(o.Status)
	}
	shipped := false
	for _, f := range o.Fulfilments {
		switch f.Status {
		case order.FulfilmentReleased, order.FulfilmentPending:
			return "to_ship"
		case order.FulfilmentShipped:
			shipped = true
		}
	}
	if shipped {
		return "to_receive"
	}
	return "received"
}

// myStateTone is a state's badge colour class.
func myStateTone(state string) string {
	switch state {
	case "unpaid", "to_receive", "open", "approved", "refund_due":
		return "warn"
	case "completed", "received", "refunded":
		return "ok"
	case "cancelled", "rejected":
		return "bad"
	}
	return ""
}

// myCard is an order in the list: its state, its first lines and the
// parcels waiting for the customer to confirm receipt.
type myCard struct {
	*order.Order
	State, Tone string
	First       []order.Line
	More        int // lines not shown
	Shipped     []order.Fulfilment
}

func newMyCard(o *order.Order) myCard {
	c := myCard{Order: o, State: myState(o)}
	c.Tone = myStateTone(c.State)
	c.First = o.Lines[:min(2, len(o.Lines))]
	c.More = len(o.Lines) - len(c.First)
	for _, f := range o.Fulfilments {
		if f.Status == order.FulfilmentShipped {
			c.Shipped = append(c.Shipped, f)
		}
	}
	return c
}

// myStep is one point of an order's or a case's timeline.
type myStep struct {
	Label string
	At    *time.Time // nil: not reached yet, or no time is kept
	Done  bool
}

// orderTimeline is an order's story so far, then the steps still ahead:
// placed, paid, shipped, received, settled; refunds where they happened;
// or placed and cancelled.
func orderTimeline(l *Locale, o *order.Order, parcels []store.FulfilmentOrder, cases []store.AfterSaleCase) []myStep {
	steps := []myStep{{Label: l.T("orders.step.placed"), At: &o.CreatedAt, Done: true}}
	if o.Status == order.Cancelled {
		return append(steps, myStep{Label: l.T("orders.step.cancelled"), At: o.CancelledAt, Done: true})
	}
	steps = append(steps, myStep{Label: l.T("orders.step.paid"), At: o.PaidAt, Done: o.PaidAt != nil})
	var shipped, received *time.Time
	all, open := 0, 0
	for _, f := range parcels {
		if f.Status == store.FulfilmentCancelled {
			continue
		}
		all++
		if f.ShippedAt != nil && (shipped == nil || f.ShippedAt.Before(*shipped)) {
			shipped = f.ShippedAt
		}
		if f.ReceivedAt == nil {
			open++
		} else if received == nil || f.ReceivedAt.After(*received) {
			received = f.ReceivedAt
		}
	}
	steps = append(steps, myStep{Label: l.T("orders.step.shipped"), At: shipped, Done: shipped != nil})
	if open > 0 || all == 0 {
		received = nil
	}
	steps = append(steps, myStep{Label: l.T("orders.step.received"), At: received, Done: received != nil})
	for _, c := range cases {
		if c.Status == store.CaseRefunded {
			steps = append(steps, myStep{Label: l.T("orders.step.refunded", l.MoneyIn(c.Amount, c.Currency)), At: c.RefundedAt, Done: true})
		}
	}
	steps = append(steps, myStep{Label: l.T("orders.step.settled"), Done: o.Status == order.Completed})
	// What happened, by its time (a step without one last), then the steps ahead.
	var done, ahead []myStep
	for _, st := range steps {
		if st.Done {
			done = append(done, st)
		} else {
			ahead = append(ahead, st)
		}
	}
	slices.SortStableFunc(done, func(a, b myStep) int {
		switch {
		case a.At == nil && b.At == nil:
			return 0
		case a.At == nil:
			return 1
		case b.At == nil:
			return -1
		}
		return a.At.Compare(*b.At)
	})
	return append(done, ahead...)
}

// caseTimeline is an after-sale case's history.
func caseTimeline(l *Locale, c *store.AfterSaleCase) []myStep {
	steps := []myStep{{Label: l.T("aftersale.step.opened"), At: &c.CreatedAt, Done: true}}
	if c.DecidedAt != nil {
		key := "aftersale.step.approved"
		if c.Status == store.CaseRejected {
			key = "aftersale.step.rejected"
		}
		steps = append(steps, myStep{Label: l.T(key), At: c.DecidedAt, Done: true})
	}
	if c.ReturnedAt != nil {
		steps = append(steps, myStep{Label: l.T("aftersale.step.returned", c.ReturnCarrier, c.ReturnTracking), At: c.ReturnedAt, Done: true})
	}
	if c.ReturnReceivedAt != nil {
		steps = append(steps, myStep{Label: l.T("aftersale.step.return_received"), At: c.ReturnReceivedAt, Done: true})
	}
	switch {
	case c.RefundedAt != nil:
		steps = append(steps, myStep{Label: l.T("aftersale.step.refunded", l.MoneyIn(c.Amount, c.Currency)), At: c.RefundedAt, Done: true})
	case c.CancelledAt != nil:
		steps = append(steps, myStep{Label: l.T("aftersale.step.cancelled"), At: c.CancelledAt, Done: true})
	case c.Status == store.CaseRefundDue:
		steps = append(steps, myStep{Label: l.T("aftersale.step.refund_due"), Done: true})
	case c.Status != store.CaseRejected:
		steps = append(steps, myStep{Label: l.T("aftersale.step.refund")})
	}
	return steps
}

// caseActive reports whether a case still holds its line (open, approved
// or refund due): no other case may be opened on the line meanwhile.
func caseActive(c *store.AfterSaleCase) bool {
	switch c.Status {
	case store.CaseOpen, store.CaseApproved, store.CaseRefundDue:
		return true
	}
	return false
}

// myOrder reads an order of the signed-in customer; anyone else's,
// even one the person sold or ships, is not found here.
func (s *Server) myOrder(r *http.Request, p *Page, id int64) (*order.Order, error) {
	o, err := s.db.Order(r.Context(), p.Actor, id)
	if err != nil {
		return nil, err
	}
	if o.CustomerAccountID != p.Actor.AccountID {
		return nil, errs.E(errs.NotFound, "", "order not found")
	}
	return o, nil
}

// myCases lists the signed-in customer's own after-sale cases (of one
// order, or all when orderID is 0), newest first. A customer has few; a
// supplier's cases, which the store lists to the same account, are left out.
func (s *Server) myCases(r *http.Request, p *Page, orderID int64) ([]store.AfterSaleCase, error) {
	var out []store.AfterSaleCase
	f := store.CaseFilter{OrderID: orderID, Limit: 200}
	for {
		page, err := s.db.Cases(r.Context(), p.Actor, f)
		if err != nil {
			return nil, err
		}
		for _, c := range page[:min(len(page), f.Limit)] {
			if c.CustomerAccountID == p.Actor.AccountID {
				out = append(out, c)
			}
		}
		if len(page) <= f.Limit {
			break
		}
		f.After = page[f.Limit-1].ID
	}
	slices.Reverse(out)
	return out, nil
}

// formErrorOn is formError for a form of group ("orders", "aftersale")
// with the given fields: an error about anything else (the order line, the
// state of things) shows at the top. In Chinese the group's own message
// for the code and field ("aftersale.err.invalid.quantity") comes first,
// so the words fit the form (another page's quantity is another thing).
func formErrorOn(p *Page, err error, group string, fields ...string) bool {
	if !p.formError(err) {
		return false
	}
	f := errs.FieldOf(err)
	if p.Lang != "en" {
		if m, ok := p.msgs[group+".err."+string(errs.CodeOf(err))+"."+f]; ok && f != "" {
			p.Errors[f] = m
		}
	}
	if f != "" && !slices.Contains(fields, f) {
		p.Errors[""] = p.Errors[f]
		delete(p.Errors, f)
	}
	return true
}
