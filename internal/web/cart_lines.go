package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

// cartLineForm reads a cart line form: the SKU in the path, and the page
// to go back to (the cart with its selection).
func (s *Server) cartLineForm(r *http.Request, p *Page) (sku int64, owner store.CartOwner, back string, err error) {
	if sku, err = pathID(r, "sku_id"); err != nil {
		return 0, owner, "", err
	}
	if err := r.ParseForm(); err != nil {
		return 0, owner, "", errs.Invalidf("body", "is not a form")
	}
	back = localPath(r.PostForm.Get("back"))
	if back != "/cart" && !strings.HasPrefix(back, "/cart?") {
		back = "/cart"
	}
	owner, err = store.CartOwnerOf(p.Actor, session.Visitor(r))
	return sku, owner, back, err
}

// cartQuantity sets a line's quantity: the number typed, moved by the
// stepper's − or + (step). A refusal shows by the line, the number kept.
func (s *Server) cartQuantity(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	sku, owner, back, err := s.cartLineForm(r, p)
	if err != nil {
		return err
	}
	f := r.PostForm
	q, err := strconv.ParseInt(strings.TrimSpace(f.Get("quantity")), 10, 64)
	if err != nil {
		err = errs.Invalidf("quantity", "must be a whole number")
	} else {
		switch f.Get("step") {
		case "-1":
			q--
		case "1":
			q++
		}
		err = s.db.SetCartQuantity(r.Context(), p.Actor, owner, sku, q)
	}
	if err != nil {
		if !formErrorOn(p, err, "cart", "quantity") {
			return err
		}
		p.Form.Set("sku_id", strconv.FormatInt(sku, 10))
		p.Form.Set("quantity", f.Get("quantity"))
		return s.renderCart(w, r, p, statusOf(err), backQuery(back))
	}
	return seeOther(w, r, back+"#l"+strconv.FormatInt(sku, 10))
}

// cartRemove takes a line out of the cart.
func (s *Server) cartRemove(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	sku, owner, back, err := s.cartLineForm(r, p)
	if err != nil {
		return err
	}
	err = s.db.RemoveCartLine(r.Context(), p.Actor, owner, sku)
	if err != nil && !errs.Is(err, errs.NotFound) && !errs.Is(err, errs.Invalid) { // gone already: nothing to do
		return err
	}
	return seeOther(w, r, back)
}

// backQuery is the selection a cart URL carries.
func backQuery(back string) url.Values {
	u, err := url.Parse(back)
	if err != nil {
		return url.Values{}
	}
	return u.Query()
}
