package web

import (
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// centreShopView is my shop: its card, the products I sell with my price
// and what I earn per unit of each SKU, and a price preview when asked.
type centreShopView struct {
	Shop    *store.Shop // nil until opened
	Items   []store.ShopItem
	Earn    map[int64]store.UnitEarning // by SKU, at my current price
	Preview *store.UnitEarning          // at the price typed, for the SKU in the form's "sku"
}

// centreShop shows my shop; ?sku=&price= previews what a unit earns at a
// price before it is saved (the preview button of a price form).
func (s *Server) centreShop(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.centreShopPage(r)
	if sku := r.URL.Query().Get("sku"); sku != "" {
		p.Form.Set("sku", sku)
		p.Form.Set("shop_price", r.URL.Query().Get("shop_price"))
	}
	switch r.URL.Query().Get("saved") {
	case "shop":
		p.Notice = p.T("centre.shop.saved")
	case "price":
		p.Notice = p.T("centre.shop.price_saved")
	case "removed":
		p.Notice = p.T("centre.shop.removed")
	case "added":
		p.Notice = p.T("centre.shop.added")
	}
	return s.renderCentreShop(w, r, p, d, http.StatusOK)
}

// centreShopSave opens my shop or changes its name, avatar and
// introduction (db.PutShop, as PUT /api/v1/shop).
func (s *Server) centreShopSave(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	if err := centreForm(r); err != nil {
		return err
	}
	p := s.centreShopPage(r)
	for _, f := range []string{"shop_name", "shop_avatar", "shop_intro"} {
		p.Form.Set(f, r.PostForm.Get(f))
	}
	_, _, err = s.db.PutShop(r.Context(), p.Actor, store.ShopInput{Name: r.PostForm.Get("shop_name"),
		AvatarURL: r.PostForm.Get("shop_avatar"), Description: r.PostForm.Get("shop_intro")})
	if err != nil {
		err = centreField(centreField(centreField(err, "name", "shop_name"), "avatar_url", "shop_avatar"), "description", "shop_intro")
		if !p.formError(err) {
			return err
		}
		return s.renderCentreShop(w, r, p, d, statusOf(err))
	}
	return seeOther(w, r, "/centre/shop?saved=shop")
}

func (s *Server) centreShopPage(r *http.Request) *Page {
	p := s.page(r, "")
	p.Title, p.Back = p.T("centre.shop.title"), "/centre"
	return p
}

// renderCentreShop reads my shop and renders it with what p holds: the
// shop form's typed values when they were refused, else the shop's own.
func (s *Server) renderCentreShop(w http.ResponseWriter, r *http.Request, p *Page, d *network.Distributor, status int) error {
	v := &centreShopView{Earn: map[int64]store.UnitEarning{}}
	var err error
	if v.Shop, err = s.centreShopOf(r, d); err != nil {
		return err
	}
	if _, typed := p.Form["shop_name"]; !typed && v.Shop != nil {
		p.Form.Set("shop_name", v.Shop.Name)
		p.Form.Set("shop_avatar", v.Shop.AvatarURL)
		p.Form.Set("shop_intro", v.Shop.Description)
	}
	if v.Shop != nil {
		if v.Items, err = s.db.ShopItems(r.Context(), d.ID, 0, store.MaxShopItems); err != nil {
			return err
		}
	}
	var quotes []store.PriceQuote
	for _, it := range v.Items {
		for _, k := range it.SKUs {
			quotes = append(quotes, store.PriceQuote{SKUID: k.ID, Price: k.Price})
		}
	}
	if len(quotes) > 0 {
		earn, err := s.db.UnitEarnings(r.Context(), p.Actor, quotes)
		if err != nil {
			return err
		}
		for _, e := range earn {
			v.Earn[e.SKUID] = e
		}
	}
	if v.Preview, err = s.centrePreview(r, p); err != nil {
		return err
	}
	if p.Err("shop_price") != "" && status == http.StatusOK {
		status = http.StatusBadRequest
	}
	p.Data = v
	s.render(w, r, status, "centre_shop", p)
	return nil
}

// centrePreview is what a unit of the form's SKU earns at the form's price,
// nil when none is asked or the price is refused (the error is then put by
// the shop_price field). Only a GET previews: a refused save shows its error.
func (s *Server) centrePreview(r *http.Request, p *Page) (*store.UnitEarning, error) {
	sku, err := strconv.ParseInt(p.Form.Get("sku"), 10, 64)
	if err != nil || sku <= 0 || p.Err("shop_price") != "" || r.Method != http.MethodGet {
		return nil, nil
	}
	price, err := p.centreAmount("shop_price", p.Form.Get("shop_price"))
	if err == nil {
		var e []store.UnitEarning
		if e, err = s.db.UnitEarnings(r.Context(), p.Actor, []store.PriceQuote{{SKUID: sku, Price: price}}); err == nil {
			return &e[0], nil
		}
	}
	if !p.formError(err) {
		return nil, err
	}
	if f := errs.FieldOf(err); f != "shop_price" {
		p.Errors["shop_price"] = p.Errors[f] // said next to the price typed
		delete(p.Errors, f)
	}
	return nil, nil
}

// centreAmount reads an amount typed in the program's currency ("45",
// "45.50", "¥45.50").
func (p *Page) centreAmount(field, s string) (money.Amount, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(s, currencySymbol(p.cur.Code)))
	return p.cur.ParseField(field, s)
}

// CentrePlain writes an amount for a form's input, without the symbol: 45.50.
func (p *Page) CentrePlain(a money.Amount) string { return p.cur.Format(a) }
