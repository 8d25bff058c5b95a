package api

import (
	"net/http"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

// routesCart registers the cart (a signed-in account's, or an anonymous
// browser's by its visitor cookie), its claim on sign-in, checking it out,
// and the quote of a checkout body.
func (s *Server) routesCart() {
	s.handle("GET /api/v1/cart", s.getCart)
	s.handle("POST /api/v1/cart/items", s.addCartItem)
	s.handle("PUT /api/v1/cart/items/{sku_id}", s.putCartItem)
	s.handle("DELETE /api/v1/cart/items/{sku_id}", s.deleteCartItem)
	s.handle("POST /api/v1/cart/claim", s.claimCart)
	s.handle("POST /api/v1/cart/checkout", s.checkoutCart)
	s.handle("POST /api/v1/orders/quote", s.quote)
}

// cartOwner is the caller's cart. write: an anonymous caller without a
// visitor cookie gets one now, as a share link would have set.
func (s *Server) cartOwner(w http.ResponseWriter, r *http.Request, write bool) (store.CartOwner, error) {
	visitor := ""
	if actorOf(r).Anonymous() {
		if write {
			visitor = session.EnsureVisitor(w, r, s.cfg.CookieSecure)
		} else {
			visitor = session.Visitor(r)
		}
	}
	return store.CartOwnerOf(actorOf(r), visitor)
}

type cartLineJSON struct {
	SKUID        int64             `json:"sku_id"`
	SKUCode      string            `json:"sku_code"`
	Options      map[string]string `json:"options"`
	ProductID    int64             `json:"product_id"`
	Title        string            `json:"title"`
	Image        string            `json:"image"`
	SupplierID   int64             `json:"supplier_id"`
	SupplierName string            `json:"supplier_name"`
	Quantity     int64             `json:"quantity"`
	UnitRetail   *string           `json:"unit_retail"`
	UnitPrice    *string           `json:"unit_price"`
	Subtotal     *string           `json:"subtotal"`
	Stock        store.StockState  `json:"stock"`
	Available    int64             `json:"available"`
	AddedAt      time.Time         `json:"added_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

type cartJSON struct {
	Currency string         `json:"currency"`
	SellerID *int64         `json:"seller_id"`
	Total    string         `json:"total"`
	Lines    []cartLineJSON `json:"lines"`
}

func cartOut(c *store.Cart) cartJSON {
	cur := money.CurrencyOf(c.Currency)
	out := cartJSON{Currency: c.Currency, Total: cur.Format(c.Total), Lines: make([]cartLineJSON, len(c.Lines))}
	if c.SellerID != 0 {
		out.SellerID = &c.SellerID
	}
	for i, l := range c.Lines {
		o := cartLineJSON{SKUID: l.SKUID, SKUCode: l.SKUCode, Options: l.Options, ProductID: l.ProductID, Title: l.Title, Image: l.Image,
			SupplierID: l.SupplierID, SupplierName: l.SupplierName, Quantity: l.Quantity, Stock: l.Stock, Available: l.Available,
			AddedAt: l.AddedAt, UpdatedAt: l.UpdatedAt}
		if o.Options == nil {
			o.Options = map[string]string{}
		}
		if l.Stock != store.NotForSale {
			retail, price, sub := cur.Format(l.UnitRetail), cur.Format(l.UnitPrice), cur.Format(l.Subtotal)
			o.UnitRetail, o.UnitPrice, o.Subtotal = &retail, &price, &sub
		}
		out.Lines[i] = o
	}
	return out
}

// writeCart answers with the caller's cart as it is now.
func (s *Server) writeCart(w http.ResponseWriter, r *http.Request, owner store.CartOwner) error {
	c, err := s.db.Cart(r.Context(), actorOf(r), owner)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cartOut(c))
	return nil
}

func (s *Server) getCart(w http.ResponseWriter, r *http.Request) error {
	owner, err := s.cartOwner(w, r, false)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.writeCart(w, r, owner)
}

func (s *Server) addCartItem(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		SKUID    bodyID `json:"sku_id"`
		Quantity *int64 `json:"quantity"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.SKUID == 0 {
		return errs.Invalidf("sku_id", "is required")
	}
	q := int64(1)
	if req.Quantity != nil {
		q = *req.Quantity
	}
	owner, err := s.cartOwner(w, r, true)
	if err != nil {
		return err
	}
	if err := s.db.AddToCart(r.Context(), actorOf(r), owner, int64(req.SKUID), q); err != nil {
		return err
	}
	return s.writeCart(w, r, owner)
}

func (s *Server) putCartItem(w http.ResponseWriter, r *http.Request) error {
	sku, err := pathID(r, "sku_id")
	if err != nil {
		return err
	}
	var req struct {
		Quantity *int64 `json:"quantity"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Quantity == nil {
		return errs.Invalidf("quantity", "is required")
	}
	owner, err := s.cartOwner(w, r, true)
	if err != nil {
		return err
	}
	if err := s.db.SetCartQuantity(r.Context(), actorOf(r), owner, sku, *req.Quantity); err != nil {
		return err
	}
	return s.writeCart(w, r, owner)
}

func (s *Server) deleteCartItem(w http.ResponseWriter, r *http.Request) error {
	sku, err := pathID(r, "sku_id")
	if err != nil {
		return err
	}
	owner, err := s.cartOwner(w, r, false)
	if err != nil {
		return err
	}
	if owner.AccountID == 0 && owner.Visitor == "" {
		return errs.E(errs.NotFound, "", "SKU %d is not in the cart", sku)
	}
	if err := s.db.RemoveCartLine(r.Context(), actorOf(r), owner, sku); err != nil {
		return err
	}
	return s.writeCart(w, r, owner)
}

// claimCart merges the visitor's cart into the signed-in account's; the
// visitor token comes from the body ({"visitor": …}) or, without a body,
// from the visitor cookie, as POST /api/v1/me/visits/claim takes it.
func (s *Server) claimCart(w http.ResponseWriter, r *http.Request) error {
	visitor, err := s.claimedVisitor(w, r)
	if err != nil {
		return err
	}
	res, err := s.db.ClaimCart(r.Context(), actorOf(r), visitor)
	if err != nil {
		return err
	}
	c, err := s.db.Cart(r.Context(), actorOf(r), store.CartOwner{AccountID: actorOf(r).AccountID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Merged  int      `json:"merged"`
		Added   int      `json:"added"`
		Dropped int      `json:"dropped"`
		Cart    cartJSON `json:"cart"`
	}{res.Merged, res.Added, res.Dropped, cartOut(c)})
	return nil
}

func (s *Server) checkoutCart(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		AddressID  bodyID   `json:"address_id"`
		CouponCode string   `json:"coupon_code"`
		SKUIDs     []bodyID `json:"sku_ids"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	in := store.CartCheckout{AddressID: int64(req.AddressID), CouponCode: req.CouponCode}
	for _, id := range req.SKUIDs {
		in.SKUIDs = append(in.SKUIDs, int64(id))
	}
	o, err := s.db.CheckoutCart(r.Context(), actorOf(r), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, orderJSON(o))
	return nil
}

type quoteLineJSON struct {
	SKUID       int64  `json:"sku_id"`
	ProductID   int64  `json:"product_id"`
	SupplierID  int64  `json:"supplier_id"`
	WarehouseID int64  `json:"warehouse_id"`
	Title       string `json:"title"`
	Quantity    int64  `json:"quantity"`
	UnitRetail  string `json:"unit_retail"`
	UnitPrice   string `json:"unit_price"`
	Subtotal    string `json:"subtotal"`
	Discount    string `json:"discount"`
	Paid        string `json:"paid"`
}

type parcelJSON struct {
	WarehouseID   int64           `json:"warehouse_id"`
	WarehouseName string          `json:"warehouse_name"`
	SupplierID    int64           `json:"supplier_id"`
	SupplierName  string          `json:"supplier_name"`
	Lines         []quoteLineJSON `json:"lines"`
	ShippingFee   string          `json:"shipping_fee"`
}

type quoteJSON struct {
	Currency    string            `json:"currency"`
	SellerID    *int64            `json:"seller_id"`
	Attribution order.Attribution `json:"attribution"`
	CouponCode  *string           `json:"coupon_code"`
	CouponError *errorDetail      `json:"coupon_error"`
	GoodsTotal  string            `json:"goods_total"`
	Discount    string            `json:"discount"`
	Shipping    string            `json:"shipping"`
	Total       string            `json:"total"`
	Lines       []quoteLineJSON   `json:"lines"`
	Parcels     []parcelJSON      `json:"parcels"`
}

func quoteOut(q *store.Quote) quoteJSON {
	cur := money.CurrencyOf(q.Currency)
	line := func(l store.QuoteLine) quoteLineJSON {
		return quoteLineJSON{SKUID: l.SKUID, ProductID: l.ProductID, SupplierID: l.SupplierID, WarehouseID: l.WarehouseID, Title: l.Title,
			Quantity: l.Quantity, UnitRetail: cur.Format(l.UnitRetail), UnitPrice: cur.Format(l.UnitPrice), Subtotal: cur.Format(l.Subtotal),
			Discount: cur.Format(l.Discount), Paid: cur.Format(l.Paid)}
	}
	out := quoteJSON{Currency: q.Currency, Attribution: q.Attribution, GoodsTotal: cur.Format(q.GoodsTotal), Discount: cur.Format(q.Discount),
		Shipping: cur.Format(q.Shipping), Total: cur.Format(q.Total), Lines: []quoteLineJSON{}, Parcels: []parcelJSON{}}
	if q.SellerID != 0 {
		out.SellerID = &q.SellerID
	}
	if q.CouponCode != "" {
		out.CouponCode = &q.CouponCode
	}
	if q.CouponError != nil {
		out.CouponError = &errorDetail{Code: errs.CodeOf(q.CouponError), Field: errs.FieldOf(q.CouponError), Message: errs.MessageOf(q.CouponError)}
	}
	for _, l := range q.Lines {
		out.Lines = append(out.Lines, line(l))
	}
	for _, p := range q.Parcels {
		pj := parcelJSON{WarehouseID: p.WarehouseID, WarehouseName: p.WarehouseName, SupplierID: p.SupplierID, SupplierName: p.SupplierName,
			ShippingFee: cur.Format(p.Shipping.Amount)}
		for _, l := range p.Lines {
			pj.Lines = append(pj.Lines, line(l))
		}
		out.Parcels = append(out.Parcels, pj)
	}
	return out
}

// quote prices a checkout body as POST /api/v1/orders would, placing nothing.
func (s *Server) quote(w http.ResponseWriter, r *http.Request) error {
	var req checkoutRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	in := order.CheckoutInput{CouponCode: req.CouponCode, ShipTo: req.ShipTo}
	for _, it := range req.Items {
		in.Items = append(in.Items, order.Item{SKUID: it.SKUID, Quantity: it.Quantity})
	}
	q, err := s.db.Quote(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, quoteOut(q))
	return nil
}
