package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// checkoutData is the checkout page: where it ships, the parcels the quote
// makes, the coupon and the amounts, all from store.Quote.
type checkoutData struct {
	Address  *addressCard // nil: the book is empty
	Change   string       // choose another address
	AddNew   string
	Quote    *store.Quote // nil: not priced (no address, or refused)
	Parcels  []checkoutParcel
	Lines    []cartLineView // the lines when there is no quote
	SKUs     []int64        // the lines ordered: those selected that are in stock
	Left     int            // lines asked for by name left out: not in stock now
	Key      string         // this render's Idempotency-Key
	Coupon   string         // the coupon the quote applied
	Checkout string         // this page, without the address
	BadSKU   int64          // the line the quote could not ship
}

type checkoutParcel struct {
	N, Of               int
	Warehouse, Supplier string
	Lines               []checkoutLine
	Fee                 money.Amount // the parcel's shipping fee (docs/shipping.md)
	FreeAbove           bool         // the fee is 0 because a template's free_above was reached
}

type checkoutLine struct {
	store.QuoteLine
	Image, Options string
}

// checkoutPage shows the checkout of the cart's lines the query selects
// (sku; none: every line in stock), shipping to address_id (else the
// default address), with coupon_code. Someone signed out signs in first
// and comes back, the cart claimed.
func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	q := r.URL.Query()
	skus, err := formIDs(q, "sku")
	if err != nil {
		return err
	}
	address, err := formID(q, "address_id")
	if err != nil {
		return err
	}
	coupon := strings.TrimSpace(q.Get("coupon_code"))
	p.Form.Set("coupon_code", coupon)
	return s.renderCheckout(w, r, p, http.StatusOK, skus, address, coupon)
}

func (s *Server) renderCheckout(w http.ResponseWriter, r *http.Request, p *Page, status int, skus []int64, addressID int64, coupon string) error {
	p.Title, p.Back = p.T("checkout.title"), "/cart"
	owner, err := store.CartOwnerOf(p.Actor, "")
	if err != nil {
		return err
	}
	c, err := s.db.Cart(r.Context(), p.Actor, owner)
	if err != nil {
		return err
	}
	d := &checkoutData{Key: newFormKey()}
	in := order.CheckoutInput{CouponCode: coupon}
	lines := map[int64]store.CartLine{}
	for _, l := range c.Lines {
		if len(skus) > 0 && !slices.Contains(skus, l.SKUID) {
			continue
		}
		if l.Stock != store.InStock {
			if len(skus) > 0 { // asked for by name (the cart's selection, "buy now"), not only the cart's rest
				d.Left++
			}
			continue
		}
		lines[l.SKUID] = l
		d.SKUs = append(d.SKUs, l.SKUID)
		d.Lines = append(d.Lines, cartLineView{CartLine: l, Options: optionText(l.Options), Selectable: true, Selected: true})
		in.Items = append(in.Items, order.Item{SKUID: l.SKUID, Quantity: l.Quantity})
	}
	if len(d.SKUs) == 0 && status == http.StatusOK {
		return seeOther(w, r, "/cart") // nothing here can be ordered now: the cart says why
	}
	d.Checkout = checkoutURL(skus, 0, coupon)
	d.Change, d.AddNew = withNext("/addresses", d.Checkout), withNext("/addresses/new", d.Checkout)
	book, err := s.db.Addresses(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	for i, a := range book { // the default is first
		if i == 0 || a.ID == addressID {
			d.Address = &addressCard{Addr: a}
		}
	}
	if d.Address != nil {
		a := d.Address.Addr
		d.Address.Region = s.regionNamer(r, p.Lang)(a.RegionCode)
		in.ShipTo = order.ShipTo{RegionCode: a.RegionCode, Name: a.Name, Phone: a.Phone, Address: a.Address}
	}
	if d.Address != nil && len(in.Items) > 0 {
		q, err := s.db.Quote(r.Context(), p.Actor, in)
		switch {
		case err == nil:
			d.Quote, d.Coupon = q, q.CouponCode
			if q.CouponError != nil {
				checkoutError(p, q.CouponError)
			}
			d.Parcels = parcelsOf(q, lines)
		case !checkoutError(p, err):
			return err
		default:
			d.BadSKU = badLine(err, in.Items)
		}
	}
	p.Data = d
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "checkout", p)
	return nil
}

// parcelsOf is the quote's parcels with the cart's pictures and options.
func parcelsOf(q *store.Quote, lines map[int64]store.CartLine) []checkoutParcel {
	out := make([]checkoutParcel, len(q.Parcels))
	for i, pc := range q.Parcels {
		out[i] = checkoutParcel{N: i + 1, Of: len(q.Parcels), Warehouse: pc.WarehouseName, Supplier: pc.SupplierName, Fee: pc.Shipping.Amount}
		for _, part := range pc.Shipping.Parts {
			out[i].FreeAbove = out[i].FreeAbove || part.Free
		}
		for _, l := range pc.Lines {
			cl := lines[l.SKUID]
			out[i].Lines = append(out[i].Lines, checkoutLine{QuoteLine: l, Image: cl.Image, Options: optionText(cl.Options)})
		}
	}
	return out
}

// checkoutError shows a refused quote or checkout by what it is about:
// the address card (address_id, or checkout's ship_to), the coupon field,
// or the top of the page (the lines: checkout's items, the cart's
// sku_ids). Checkout's messages about lines and addresses name ids and
// fields; the page says what to do instead.
func checkoutError(p *Page, err error) bool {
	f := errs.FieldOf(err)
	switch {
	case strings.HasPrefix(f, "ship_to"):
		f = "address_id"
	case strings.HasPrefix(f, "items"), strings.HasPrefix(f, "sku_ids"):
		f = "sku_ids"
	}
	if !formErrorOn(p, err, "checkout", "address_id", "coupon_code") {
		return false
	}
	switch {
	case f == "address_id":
		delete(p.Errors, "")
		p.Errors["address_id"] = p.T("checkout.err_address")
	case f == "sku_ids" && errs.Is(err, errs.Conflict):
		p.Errors[""] = p.T("checkout.err_stock")
	case f == "sku_ids":
		p.Errors[""] = p.T("checkout.err_lines")
	}
	return true
}

// badLine is the SKU of the checkout item an error names (items[i]…), 0
// for none.
func badLine(err error, items []order.Item) int64 {
	var i int
	if _, e := fmt.Sscanf(errs.FieldOf(err), "items[%d]", &i); e != nil || i < 0 || i >= len(items) {
		return 0
	}
	return items[i].SKUID
}

// newFormKey is a random key a form carries so that sending it twice
// does its work once.
func newFormKey() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
