package web

import (
	"net/http"
	"slices"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/payment"
)

// orderAction runs an action on the order in the path for its customer.
// A refusal (the order moved on meanwhile) shows on the order's page, by
// its state; another person's order is not found.
func (s *Server) orderAction(w http.ResponseWriter, r *http.Request, act func(p *Page, id int64) (to string, err error)) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	to, err := act(p, id)
	if err != nil {
		if !formErrorOn(p, err, "orders") || errs.Is(err, errs.NotFound) || errs.Is(err, errs.Unauthorized) {
			return err
		}
		return s.renderOrder(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, to)
}

// orderPay opens a payment with the provider and method the customer
// chose and sends the customer to the provider's page (the provider sends
// it back to the order) or to the page showing the QR code or calling the
// app's bridge.
func (s *Server) orderPay(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(p *Page, id int64) (string, error) {
		if _, err := s.myOrder(r, p, id); err != nil {
			return "", err
		}
		if pr, m := r.PostFormValue("provider"), r.PostFormValue("method"); pr != "" && m != "" && !s.offered(r, pr, payment.Method(m)) {
			return "", errs.Invalidf("method", "%s by %s cannot be paid in this browser", pr, m)
		}
		if r.PostFormValue("method") == "jsapi" {
			return s.payJSAPI(r, p, id, r.PostFormValue("provider"))
		}
		url, ref, err := s.cfg.StartPayment(r, id, r.PostFormValue("provider"), r.PostFormValue("method"))
		if err != nil || url != "" {
			return url, err
		}
		return "/pay/" + ref, nil
	})
}

// orderCancel calls off an unpaid order (the page asks first).
func (s *Server) orderCancel(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(p *Page, id int64) (string, error) {
		if _, err := s.db.CancelOrder(r.Context(), p.Actor, id); err != nil {
			return "", err
		}
		return "/orders/" + strconv.FormatInt(id, 10) + "?cancelled=1", nil
	})
}

// orderReceive confirms that a shipped parcel of the order arrived.
func (s *Server) orderReceive(w http.ResponseWriter, r *http.Request) error {
	return s.orderAction(w, r, func(p *Page, id int64) (string, error) {
		parcel, err := pathID(r, "parcel")
		if err != nil {
			return "", err
		}
		o, err := s.myOrder(r, p, id)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(o.Fulfilments, func(f order.Fulfilment) bool { return f.ID == parcel }) {
			return "", errs.E(errs.NotFound, "", "no such parcel in order %d", id)
		}
		if _, err := s.db.ConfirmReceipt(r.Context(), p.Actor, parcel); err != nil {
			return "", err
		}
		return "/orders/" + strconv.FormatInt(id, 10) + "?received=1", nil
	})
}
