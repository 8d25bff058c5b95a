package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// addressCard is an address as the book and checkout show it.
type addressCard struct {
	Addr   store.Address
	Region []string // its region's names in the page's language, province first
	Use    string   // choosing for checkout: checkout with this address
	Edit   string
	Chosen bool // choosing for checkout: the address it ships to now
}

type addressListData struct {
	Addresses []addressCard
	Next      string // the checkout choosing an address, "" for the book alone
	New       string
	Full      bool // the book holds store.MaxAddresses
}

// addressList is the address book; with next (a checkout) it is where the
// person chooses the address to ship to, or adds one, and goes back.
func (s *Server) addressList(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	list, err := s.db.Addresses(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	next := checkoutNext(r.URL.Query().Get("next"))
	d := addressListData{Next: next, New: withNext("/addresses/new", next), Full: len(list) >= store.MaxAddresses}
	names := s.regionNamer(r, p.Lang)
	chosen := int64(0) // the checkout's address, 0: its default
	if u, err := url.Parse(next); err == nil && next != "" {
		chosen, _ = formID(u.Query(), "address_id")
	}
	for _, a := range list {
		c := addressCard{Addr: a, Region: names(a.RegionCode), Edit: withNext("/addresses/"+strconv.FormatInt(a.ID, 10)+"/edit", next)}
		if next != "" {
			c.Use = withAddress(next, a.ID)
			c.Chosen = a.ID == chosen || chosen == 0 && a.IsDefault
		}
		d.Addresses = append(d.Addresses, c)
	}
	p.Title, p.Back, p.Data = p.T("address.title"), "/me", d
	if next != "" {
		p.Title, p.Back = p.T("address.choose_title"), next
	}
	if r.URL.Query().Get("saved") != "" {
		p.Notice = p.T("address.saved")
	}
	s.render(w, r, http.StatusOK, "addresses", p)
	return nil
}

// addressDefault makes an address the default.
func (s *Server) addressDefault(w http.ResponseWriter, r *http.Request) error {
	return s.addressAction(w, r, func(p *Page, id int64) error {
		_, err := s.db.SetDefaultAddress(r.Context(), p.Actor, id)
		return err
	})
}

// addressDelete deletes an address (the page asks first).
func (s *Server) addressDelete(w http.ResponseWriter, r *http.Request) error {
	return s.addressAction(w, r, func(p *Page, id int64) error {
		return s.db.DeleteAddress(r.Context(), p.Actor, id)
	})
}

// addressAction runs act on the address in the path and goes back to the
// book (choosing for the checkout it was opened from, if any).
func (s *Server) addressAction(w http.ResponseWriter, r *http.Request, act func(p *Page, id int64) error) error {
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
	if err := act(p, id); err != nil {
		return err
	}
	return seeOther(w, r, withNext("/addresses", checkoutNext(r.PostForm.Get("next"))))
}

// checkoutNext is next when it is a checkout page to come back to, else "".
func checkoutNext(next string) string {
	if next = localPath(next); next == "/checkout" || strings.HasPrefix(next, "/checkout?") {
		return next
	}
	return ""
}

// withNext is path with ?next= when next is set.
func withNext(path, next string) string {
	if next == "" {
		return path
	}
	return path + "?next=" + url.QueryEscape(next)
}

// withAddress is a checkout URL shipping to address id.
func withAddress(checkout string, id int64) string {
	u, err := url.Parse(checkout)
	if err != nil {
		return "/checkout"
	}
	q := u.Query()
	q.Set("address_id", strconv.FormatInt(id, 10))
	u.RawQuery = q.Encode()
	return u.RequestURI()
}
