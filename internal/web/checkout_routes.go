package web

import (
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/errs"
)

// routesCheckout registers the cart, the address book and checkout.
func (s *Server) routesCheckout() {
	s.handle("GET /cart", s.cartPage)
	s.handle("POST /cart/add", s.cartAdd)
	s.handle("POST /cart/items/{sku_id}", s.cartQuantity)
	s.handle("POST /cart/items/{sku_id}/remove", s.cartRemove)
	s.handle("GET /addresses", s.addressList)
	s.handle("POST /addresses/{id}/default", s.addressDefault)
	s.handle("POST /addresses/{id}/delete", s.addressDelete)
	s.handle("GET /addresses/new", s.addressForm)
	s.handle("POST /addresses/new", s.addressSave)
	s.handle("GET /addresses/{id}/edit", s.addressForm)
	s.handle("POST /addresses/{id}/edit", s.addressSave)
	s.handle("GET /checkout", s.checkoutPage)
	s.handle("POST /checkout", s.checkoutPlace)
}

// formIDs reads the positive ids a form or query lists under name; a
// value that is not one is Invalid naming the field.
func formIDs(v url.Values, name string) ([]int64, error) {
	var out []int64
	for _, s := range v[name] {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			return nil, errs.Invalidf(name, "must list positive ids")
		}
		out = append(out, id)
	}
	return out, nil
}

// formID reads one optional positive id (0 when absent).
func formID(v url.Values, name string) (int64, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Invalidf(name, "must be a positive id")
	}
	return id, nil
}

// checkoutURL is the checkout of the given lines (none: every line that
// can be ordered), to an address (0: the default) with a coupon.
func checkoutURL(skus []int64, addressID int64, coupon string) string {
	q := url.Values{}
	for _, id := range skus {
		q.Add("sku", strconv.FormatInt(id, 10))
	}
	if addressID != 0 {
		q.Set("address_id", strconv.FormatInt(addressID, 10))
	}
	if coupon != "" {
		q.Set("coupon_code", coupon)
	}
	if len(q) == 0 {
		return "/checkout"
	}
	return "/checkout?" + q.Encode()
}
