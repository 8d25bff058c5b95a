package web

import (
	"net/http"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// routesCentre registers the distributor centre's pages: joining through an
// invite, the centre home, my shop, sharing, coupons and customers. The
// money, team, shop-orders and ranking pages live under /centre too, in
// their own files.
func (s *Server) routesCentre() {
	s.handle("GET /join", s.joinPage)
	s.handle("GET /join/{code}", s.joinPage)
	s.handle("POST /join", s.join)
	s.handle("GET /join/{code}/qr.png", s.inviteQR)
	s.handle("GET /centre", s.centreHome)
	s.handle("GET /centre/invite", s.centreInvite)
	s.handle("GET /centre/shop", s.centreShop)
	s.handle("POST /centre/shop", s.centreShopSave)
	s.handle("POST /centre/shop/prices/{sku}", s.centreSetPrice)
	s.handle("POST /centre/shop/items", s.centreAddItem)
	s.handle("POST /centre/shop/items/{product}/remove", s.centreRemoveItem)
	s.handle("GET /centre/shop/pick", s.centrePick)
	s.handle("GET /centre/shop/earnings", s.centreEarnings)
	s.handle("GET /centre/share", s.centreShare)
	s.handle("POST /centre/share", s.centreMakeLinks)
	s.handle("GET /centre/share/{target}", s.centrePoster)
	s.handle("GET /centre/coupons", s.centreCoupons)
	s.handle("POST /centre/coupons", s.centreCreateCoupon)
	s.handle("POST /centre/coupons/{id}/deactivate", s.centreDeactivateCoupon)
	s.handle("GET /centre/customers", s.centreCustomers)
}

// centreDistributor is the signed-in person's distributor when it is
// active. Anyone else is sent to /join, which says where it stands (not
// joined, waiting for review, rejected, suspended); ok is then false and
// the response is written.
func (s *Server) centreDistributor(w http.ResponseWriter, r *http.Request) (d *network.Distributor, ok bool, err error) {
	a := s.page(r, "").Actor
	if a.Anonymous() {
		return nil, false, signInFirst(w, r)
	}
	d, err = s.db.DistributorByAccount(r.Context(), a, a.AccountID)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil, false, seeOther(w, r, "/join")
	case err != nil:
		return nil, false, err
	case d.Status != network.Active:
		return nil, false, seeOther(w, r, "/join")
	}
	return d, true, nil
}

// centreShopOf is the distributor's shop, nil while it has none.
func (s *Server) centreShopOf(r *http.Request, d *network.Distributor) (*store.Shop, error) {
	sh, err := s.db.Shop(r.Context(), d.ID)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return sh, err
}

// centreForm reads a posted form; a body that is not one is Invalid.
func centreForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	return nil
}

// centreField renames the field an error names, where a form's input is
// called otherwise than the store's field (so the message shows by it).
func centreField(err error, from, to string) error {
	if err == nil || errs.FieldOf(err) != from {
		return err
	}
	return errs.E(errs.CodeOf(err), to, "%s", errs.MessageOf(err))
}
