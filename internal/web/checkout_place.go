package web

import (
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// checkoutPlace places the order shown (the lines, address and coupon the
// page carries) under the page's key, so a form sent twice places one
// order, then opens its payment and sends the customer to the provider's
// page, which comes back to the order. A refusal (stock gone, the address
// missing) shows the checkout again with the reason.
func (s *Server) checkoutPlace(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	f := r.PostForm
	skus, err := formIDs(f, "sku")
	if err != nil {
		return err
	}
	address, err := formID(f, "address_id")
	if err != nil {
		return err
	}
	coupon := strings.TrimSpace(f.Get("coupon_code"))
	o, err := s.db.CheckoutCart(r.Context(), p.Actor, store.CartCheckout{AddressID: address, CouponCode: coupon, SKUIDs: skus}, f.Get("key"))
	if err != nil {
		if !checkoutError(p, err) {
			return err
		}
		p.Form.Set("coupon_code", coupon)
		return s.renderCheckout(w, r, p, statusOf(err), skus, address, coupon)
	}
	orderPage := "/orders/" + strconv.FormatInt(o.ID, 10)
	// With one provider of one method, straight to paying; with a choice,
	// the order page offers it.
	to, ref, err := s.cfg.StartPayment(r, o.ID, "", "")
	if err == nil && to == "" {
		to = "/pay/" + ref
	}
	if err != nil {
		// Placed, but the payment did not open (no provider, or it was
		// paid already from the first of two sends): the order says where
		// it stands and offers to pay.
		if errs.CodeOf(err) == errs.Internal {
			s.log.ErrorContext(r.Context(), "checkout: start payment", "order", o.ID, "err", err)
		}
		to = orderPage
	}
	return seeOther(w, r, to)
}
