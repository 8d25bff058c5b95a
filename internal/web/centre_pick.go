package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// centrePickView is a page of the catalog to pick products from: for each
// SKU its retail price, the highest price I may set, and what a unit earns
// me at each, before anything is saved.
type centrePickView struct {
	Shop      *store.Shop // nil until opened: nothing can be picked before
	Products  []catalog.Product
	InShop    map[int64]bool
	AtRetail  map[int64]store.UnitEarning // by SKU
	AtMax     map[int64]store.UnitEarning // by SKU, where the highest price is above retail
	Preview   *store.UnitEarning
	NextAfter int64 // 0: no next page
}

const centrePickPageSize = 20

// centrePick lists the catalog's products on sale, a page at a time
// (?after=); ?sku=&price= previews one SKU at a price.
func (s *Server) centrePick(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.centrePickPage(r)
	if after := r.URL.Query().Get("after"); after != "" {
		p.Form.Set("after", after)
	}
	if sku := r.URL.Query().Get("sku"); sku != "" {
		p.Form.Set("sku", sku)
		p.Form.Set("shop_price", r.URL.Query().Get("shop_price"))
	}
	return s.renderCentrePick(w, r, p, d, http.StatusOK)
}

func (s *Server) centrePickPage(r *http.Request) *Page {
	p := s.page(r, "")
	p.Title, p.Back = p.T("centre.pick.title"), "/centre/shop"
	return p
}

func (s *Server) renderCentrePick(w http.ResponseWriter, r *http.Request, p *Page, d *network.Distributor, status int) error {
	v := &centrePickView{InShop: map[int64]bool{}, AtRetail: map[int64]store.UnitEarning{}, AtMax: map[int64]store.UnitEarning{}}
	var err error
	if v.Shop, err = s.centreShopOf(r, d); err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	onSale := true
	// The public catalog (an anonymous reader): a distributor that also
	// supplies must not be offered its own products that are not on sale.
	if v.Products, err = s.db.Products(r.Context(), account.Actor{}, store.ProductFilter{OnSale: &onSale, After: max(after, 0), Limit: centrePickPageSize}); err != nil {
		return err
	}
	if len(v.Products) > centrePickPageSize {
		v.Products = v.Products[:centrePickPageSize]
		v.NextAfter = v.Products[len(v.Products)-1].ID
	}
	if v.Shop != nil {
		mine, err := s.db.ShopItems(r.Context(), d.ID, 0, store.MaxShopItems)
		if err != nil {
			return err
		}
		for _, it := range mine {
			v.InShop[it.ProductID] = true
		}
	}
	var quotes []store.PriceQuote
	for _, pr := range v.Products {
		for _, k := range pr.SKUs {
			quotes = append(quotes, store.PriceQuote{SKUID: k.ID})
		}
	}
	if len(quotes) > 0 {
		retail, err := s.db.UnitEarnings(r.Context(), p.Actor, quotes)
		if err != nil {
			return err
		}
		quotes = quotes[:0]
		for _, e := range retail {
			v.AtRetail[e.SKUID] = e
			if e.MaxPrice > e.Retail {
				quotes = append(quotes, store.PriceQuote{SKUID: e.SKUID, Price: e.MaxPrice})
			}
		}
		if len(quotes) > 0 {
			top, err := s.db.UnitEarnings(r.Context(), p.Actor, quotes)
			if err != nil {
				return err
			}
			for _, e := range top {
				v.AtMax[e.SKUID] = e
			}
		}
	}
	if v.Preview, err = s.centrePreview(r, p); err != nil {
		return err
	}
	if p.Err("shop_price") != "" && status == http.StatusOK {
		status = http.StatusBadRequest
	}
	p.Data = v
	s.render(w, r, status, "centre_pick", p)
	return nil
}
