package web

import (
	"encoding/json"
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// centreSetPrice sets my price for a SKU of a product in my shop
// (db.SetShopPrice, as PUT /api/v1/shop/prices/{sku_id}); a refused price
// is shown by the SKU's price field with what was typed.
func (s *Server) centreSetPrice(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	sku, err := pathID(r, "sku")
	if err != nil {
		return err
	}
	if err := centreForm(r); err != nil {
		return err
	}
	p := s.centreShopPage(r)
	p.Form.Set("sku", strconv.FormatInt(sku, 10))
	p.Form.Set("shop_price", r.PostForm.Get("shop_price"))
	price, err := p.centreAmount("shop_price", r.PostForm.Get("shop_price"))
	if err == nil {
		_, err = s.db.SetShopPrice(r.Context(), p.Actor, sku, price)
	}
	if err != nil {
		err = centreField(err, "price", "shop_price")
		if !p.formError(err) {
			return err
		}
		return s.renderCentreShop(w, r, p, d, statusOf(err))
	}
	return seeOther(w, r, "/centre/shop?saved=price#sku-"+strconv.FormatInt(sku, 10))
}

// centreEarnings answers the price fields as they are typed (the script's
// live preview): what a unit of ?sku= earns me at ?price=, in words, from
// the same store method the page uses. JSON: {"text": …} or {"error": …}.
func (s *Server) centreEarnings(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	out := map[string]string{}
	status := http.StatusOK
	sku, err := strconv.ParseInt(r.URL.Query().Get("sku"), 10, 64)
	if err != nil || sku <= 0 {
		err = errs.Invalidf("sku_id", "must be a SKU id")
	}
	var e []store.UnitEarning
	if err == nil {
		price, perr := p.centreAmount("shop_price", r.URL.Query().Get("price"))
		if err = perr; err == nil {
			e, err = s.db.UnitEarnings(r.Context(), p.Actor, []store.PriceQuote{{SKUID: sku, Price: price}})
		}
	}
	if err != nil {
		err = centreField(err, "price", "shop_price")
		if !p.formError(err) {
			return err
		}
		status, out["error"] = statusOf(err), p.errText(err)
	} else {
		out["text"] = p.T("centre.shop.earn_at", p.Money(e[0].Price), p.Money(e[0].Total()), p.Money(e[0].Commission), p.Money(e[0].Markup))
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(status)
	w.Write(b)
	return nil
}
