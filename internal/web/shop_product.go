package web

import (
	"net/http"

	"sharemall/internal/store"
)

// productData is a product page: the product as the storefront sells it.
type productData struct {
	Front   storefront
	Product *productView
}

// shopProduct is a product as distributor d's shop sells it, for the
// people who buy in that shop (and its own distributor); anyone else sees
// it in the shop it buys in, at the price it will pay.
func (s *Server) shopProduct(w http.ResponseWriter, r *http.Request) error {
	d, err := pathID(r, "distributor_id")
	if err != nil {
		return err
	}
	id, err := pathID(r, "product_id")
	if err != nil {
		return err
	}
	f, moved, err := s.storefrontOf(r, d)
	if err != nil {
		return err
	}
	if moved {
		return moveTo(w, r, f.ProductURL(id))
	}
	it, _, err := s.db.ShopProduct(r.Context(), d, id)
	if err != nil {
		return err
	}
	return s.renderProduct(w, r, f, it)
}

// retailProduct is a product at retail, for people who buy in no shop.
func (s *Server) retailProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "product_id")
	if err != nil {
		return err
	}
	f, moved, err := s.storefrontOf(r, 0)
	if err != nil {
		return err
	}
	if moved {
		return moveTo(w, r, f.ProductURL(id))
	}
	it, err := s.db.RetailProduct(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderProduct(w, r, f, it)
}

func (s *Server) renderProduct(w http.ResponseWriter, r *http.Request, f storefront, it *store.ShopItem) error {
	v, err := s.productOf(r, f, it)
	if err != nil {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back, p.Data = v.Title, f.Home(), productData{Front: f, Product: v}
	price := p.Money(v.Price)
	if v.From {
		price = p.T("shop.from", price)
	}
	p.OG = &OpenGraph{Title: v.Title, Description: price, URL: s.PublicBase(r) + r.URL.Path}
	if len(v.Images) > 0 {
		p.OG.Image = s.absolute(r, v.Images[0])
	}
	s.render(w, r, http.StatusOK, "shop_product", p)
	return nil
}
