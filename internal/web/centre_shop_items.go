package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
)

// centreAddItem puts a product from the catalog in my shop
// (db.AddShopItem, as POST /api/v1/shop/items) and shows it there, where
// its prices are set.
func (s *Server) centreAddItem(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	if err := centreForm(r); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PostForm.Get("product_id"), 10, 64)
	if err != nil || id <= 0 {
		err = errs.Invalidf("product_id", "must be a product id")
	} else {
		_, err = s.db.AddShopItem(r.Context(), s.page(r, "").Actor, id)
	}
	if err != nil {
		err = centreField(err, "product_id", "pick_product")
		p := s.centrePickPage(r)
		if !p.formError(err) {
			return err
		}
		if f := errs.FieldOf(err); f != "" { // no field of the pick page is typed: say it at the top
			p.Errors[""] = p.Errors[f]
			delete(p.Errors, f)
		}
		return s.renderCentrePick(w, r, p, d, statusOf(err))
	}
	return seeOther(w, r, "/centre/shop?saved=added#p"+strconv.FormatInt(id, 10))
}

// centreRemoveItem takes a product out of my shop with my prices for it
// (db.RemoveShopItem, as DELETE /api/v1/shop/items/{product_id}).
func (s *Server) centreRemoveItem(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	id, err := pathID(r, "product")
	if err != nil {
		return err
	}
	p := s.centreShopPage(r)
	if err := s.db.RemoveShopItem(r.Context(), p.Actor, id); err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderCentreShop(w, r, p, d, statusOf(err))
	}
	return seeOther(w, r, "/centre/shop?saved=removed")
}
