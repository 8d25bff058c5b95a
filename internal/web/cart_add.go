package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

// addQuantityMax is the most the product page's form adds at once.
const addQuantityMax = maxQuantity

// cartAdd puts the product page's choice in the cart (an anonymous
// browser's, by a visitor cookie made now if it has none). "Buy now" goes
// on to checkout with that line; a refusal (not for sale, sold out) goes
// back to the product page with the reason.
func (s *Server) cartAdd(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	f := r.PostForm
	sku, err := formID(f, "sku_id")
	if err == nil && sku == 0 {
		err = errs.Invalidf("sku_id", "is required: choose an option")
	}
	if err != nil {
		return err
	}
	qty, err := strconv.ParseInt(strings.TrimSpace(f.Get("quantity")), 10, 64)
	if err != nil || qty < 1 || qty > addQuantityMax {
		return s.productRefused(w, r, p, sku, errs.Invalidf("quantity", "must be from 1 to %d", addQuantityMax))
	}
	avail, err := s.db.SKUAvailability(r.Context(), []int64{sku})
	if err != nil {
		return err
	}
	switch {
	case avail[sku] <= 0:
		p.Errors[""] = p.T("cart.sold_out_refused")
		return s.productRefused(w, r, p, sku, errs.E(errs.Conflict, "", "this option is sold out"))
	case avail[sku] < qty:
		p.Errors[""] = p.T("cart.only_left_refused", avail[sku])
		return s.productRefused(w, r, p, sku, errs.E(errs.Conflict, "quantity", "only %d left", avail[sku]))
	}
	visitor := ""
	if p.Actor.Anonymous() {
		visitor = session.EnsureVisitor(w, r, s.cfg.Sessions.CookieSecure)
	}
	owner, err := store.CartOwnerOf(p.Actor, visitor)
	if err != nil {
		return err
	}
	if err := s.db.AddToCart(r.Context(), p.Actor, owner, sku, qty); err != nil {
		return s.productRefused(w, r, p, sku, err)
	}
	if f.Get("buy") == "1" {
		return seeOther(w, r, checkoutURL([]int64{sku}, 0, ""))
	}
	return seeOther(w, r, "/cart?added=1")
}

// productRefused shows the product page of the SKU again with why it
// could not go in the cart (the page's form has no field slots: the
// message is at the top). Without the product (it left sale), the error
// page says why.
func (s *Server) productRefused(w http.ResponseWriter, r *http.Request, p *Page, sku int64, refusal error) error {
	preset := p.Errors[""] // a message of the page's own
	if !formErrorOn(p, refusal, "cart") {
		return refusal
	}
	if preset != "" {
		p.Errors[""] = preset
	}
	product, err := formID(r.PostForm, "product_id")
	if err != nil || product == 0 {
		return refusal
	}
	seller, err := s.buyingIn(r)
	if err != nil {
		return err
	}
	f, _, err := s.storefrontOf(r, seller)
	if err != nil {
		return err
	}
	var it *store.ShopItem
	if f.Seller != 0 {
		it, _, err = s.db.ShopProduct(r.Context(), f.Seller, product)
	} else {
		it, err = s.db.RetailProduct(r.Context(), product)
	}
	if err != nil {
		return refusal
	}
	v, err := s.productOf(r, f, it)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(v.SKUs, func(k skuView) bool { return k.ID == sku && k.State != "out" }) {
		for i := range v.SKUs {
			v.SKUs[i].Checked = v.SKUs[i].ID == sku // the choice the person made
		}
	}
	p.Title, p.Back, p.Data = v.Title, f.Home(), productData{Front: f, Product: v}
	s.render(w, r, statusOf(refusal), "shop_product", p)
	return nil
}
