package api

import (
	"net/http"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// routesShops registers the shops routes: a distributor's shop and prices,
// share links and posters, visits and binding, coupons.
func (s *Server) routesShops() {
	s.handle("PUT /api/v1/shop", s.putShop)
	s.handle("POST /api/v1/shop/items", s.addShopItem)
	s.handle("DELETE /api/v1/shop/items/{product_id}", s.removeShopItem)
	s.handle("PUT /api/v1/shop/prices/{sku_id}", s.setShopPrice)
	s.handle("GET /api/v1/shops/{distributor_id}", s.getShop)
	s.handle("GET /api/v1/shops/{distributor_id}/items", s.listShopItems, "after", "limit")
	s.routesShareLinks()
	s.routesCoupons()
}

type shopJSON struct {
	DistributorID int64     `json:"distributor_id"`
	Name          string    `json:"name"`
	AvatarURL     string    `json:"avatar_url"`
	Description   string    `json:"description"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func shopOut(sh *store.Shop) shopJSON {
	return shopJSON{DistributorID: sh.DistributorID, Name: sh.Name, AvatarURL: sh.AvatarURL, Description: sh.Description,
		CreatedAt: sh.CreatedAt, UpdatedAt: sh.UpdatedAt}
}

type shopSKUJSON struct {
	ID           int64             `json:"id"`
	Code         string            `json:"code"`
	Options      map[string]string `json:"options"`
	Currency     string            `json:"currency"`
	RetailPrice  string            `json:"retail_price"`
	PriceCeiling *string           `json:"price_ceiling"`
	Price        string            `json:"price"`
}

func shopSKUOut(cur money.Currency, k *store.ShopSKU) shopSKUJSON {
	opts := k.Options
	if opts == nil {
		opts = map[string]string{}
	}
	return shopSKUJSON{ID: k.ID, Code: k.Code, Options: opts, Currency: cur.Code, RetailPrice: cur.Format(k.RetailPrice),
		PriceCeiling: formatAmount(cur, k.PriceCeiling), Price: cur.Format(k.Price)}
}

type shopItemJSON struct {
	Position    int64         `json:"position"`
	ProductID   int64         `json:"product_id"`
	SupplierID  int64         `json:"supplier_id"`
	Title       string        `json:"title"`
	Description string        `json:"description"`
	Images      []string      `json:"images"`
	Currency    string        `json:"currency"`
	SKUs        []shopSKUJSON `json:"skus"`
}

func shopItemOut(cur money.Currency, it *store.ShopItem) shopItemJSON {
	out := shopItemJSON{Position: it.Position, ProductID: it.ProductID, SupplierID: it.SupplierID, Title: it.Title,
		Description: it.Description, Images: it.Images, Currency: cur.Code, SKUs: make([]shopSKUJSON, len(it.SKUs))}
	if out.Images == nil {
		out.Images = []string{}
	}
	for i := range it.SKUs {
		out.SKUs[i] = shopSKUOut(cur, &it.SKUs[i])
	}
	return out
}

// requireDistributor refuses anonymous callers (401) and non-distributors
// (403) before a body is read.
func requireDistributor(r *http.Request) error {
	return actorOf(r).Require(account.Distributor)
}

func (s *Server) putShop(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	var req struct {
		Name        string `json:"name"`
		AvatarURL   string `json:"avatar_url"`
		Description string `json:"description"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sh, created, err := s.db.PutShop(r.Context(), actorOf(r), store.ShopInput{Name: req.Name, AvatarURL: req.AvatarURL, Description: req.Description})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, shopOut(sh))
	return nil
}

func (s *Server) getShop(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "distributor_id")
	if err != nil {
		return err
	}
	sh, err := s.db.Shop(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shopOut(sh))
	return nil
}

func (s *Server) listShopItems(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "distributor_id")
	if err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	items, err := s.db.ShopItems(r.Context(), id, after, limit)
	if err != nil {
		return err
	}
	out := make([]shopItemJSON, len(items))
	for i := range items {
		out[i] = shopItemOut(cur, &items[i])
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(it shopItemJSON) int64 { return it.Position }))
	return nil
}

func (s *Server) addShopItem(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	var req struct {
		ProductID bodyID `json:"product_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.ProductID == 0 {
		return errsRequired("product_id")
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	it, err := s.db.AddShopItem(r.Context(), actorOf(r), int64(req.ProductID))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shopItemOut(cur, it))
	return nil
}

func (s *Server) removeShopItem(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	id, err := pathID(r, "product_id")
	if err != nil {
		return err
	}
	if err := s.db.RemoveShopItem(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setShopPrice(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	id, err := pathID(r, "sku_id")
	if err != nil {
		return err
	}
	var req struct {
		Price string `json:"price"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	price, err := cur.ParseField("price", req.Price)
	if err != nil {
		return err
	}
	k, err := s.db.SetShopPrice(r.Context(), actorOf(r), id, price)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shopSKUOut(cur, k))
	return nil
}
