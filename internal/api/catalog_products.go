package api

import (
	"fmt"
	"net/http"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

type skuJSON struct {
	ID           int64             `json:"id"`
	ProductID    int64             `json:"product_id"`
	Code         string            `json:"code"`
	Options      map[string]string `json:"options"`
	Currency     string            `json:"currency"`
	RetailPrice  string            `json:"retail_price"`
	PriceCeiling *string           `json:"price_ceiling"`
	Commission   *commissionJSON   `json:"commission"`
	OnSale       bool              `json:"on_sale"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

func skuOut(cur money.Currency, k *catalog.SKU) skuJSON {
	opts := k.Options
	if opts == nil {
		opts = map[string]string{}
	}
	return skuJSON{ID: k.ID, ProductID: k.ProductID, Code: k.Code, Options: opts, Currency: cur.Code,
		RetailPrice: cur.Format(k.RetailPrice), PriceCeiling: formatAmount(cur, k.PriceCeiling),
		Commission: commissionOut(cur, k.Commission), OnSale: k.OnSale, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}
}

type productJSON struct {
	ID           int64           `json:"id"`
	SupplierID   int64           `json:"supplier_id"`
	CategoryID   *int64          `json:"category_id"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Images       []string        `json:"images"`
	Commission   *commissionJSON `json:"commission"`
	OnSale       bool            `json:"on_sale"`
	Review       string          `json:"review"`
	ReviewReason string          `json:"review_reason"`
	Currency     string          `json:"currency"`
	SKUs         []skuJSON       `json:"skus"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

func productOut(cur money.Currency, p *catalog.Product) productJSON {
	out := productJSON{ID: p.ID, SupplierID: p.SupplierID, Title: p.Title, Description: p.Description, Images: p.Images,
		Commission: commissionOut(cur, p.Commission), OnSale: p.OnSale, Review: string(p.Review), ReviewReason: p.ReviewReason,
		Currency: cur.Code, SKUs: make([]skuJSON, len(p.SKUs)),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if p.CategoryID != 0 {
		c := p.CategoryID
		out.CategoryID = &c
	}
	if out.Images == nil {
		out.Images = []string{}
	}
	for i := range p.SKUs {
		out.SKUs[i] = skuOut(cur, &p.SKUs[i])
	}
	return out
}

type skuRequest struct {
	Code         string            `json:"code"`
	Options      map[string]string `json:"options"`
	RetailPrice  *string           `json:"retail_price"`
	PriceCeiling *string           `json:"price_ceiling"`
	Commission   *commissionJSON   `json:"commission"`
	OnSale       *bool             `json:"on_sale"`
}

// domain converts a new SKU; prefix names its fields inside a larger request.
func (q *skuRequest) domain(cur money.Currency, prefix string) (*catalog.SKU, error) {
	comm, err := q.Commission.domain(cur, prefix+"commission")
	if err != nil {
		return nil, err
	}
	k := &catalog.SKU{Code: q.Code, Options: q.Options, Commission: comm, OnSale: true}
	if q.RetailPrice == nil {
		return nil, errsRequired(prefix + "retail_price")
	}
	price, err := parseAmount(cur, prefix+"retail_price", q.RetailPrice)
	if err != nil {
		return nil, err
	}
	k.RetailPrice = *price
	if k.PriceCeiling, err = parseAmount(cur, prefix+"price_ceiling", q.PriceCeiling); err != nil {
		return nil, err
	}
	if q.OnSale != nil {
		k.OnSale = *q.OnSale
	}
	return k, nil
}

type productRequest struct {
	SupplierID  bodyID          `json:"supplier_id"`
	CategoryID  bodyID          `json:"category_id"`
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Images      []string        `json:"images"`
	Commission  *commissionJSON `json:"commission"`
	OnSale      bool            `json:"on_sale"`
	SKUs        []skuRequest    `json:"skus"`
}

func (s *Server) createProduct(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	var req productRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	comm, err := req.Commission.domain(cur, "commission")
	if err != nil {
		return err
	}
	p := &catalog.Product{SupplierID: int64(req.SupplierID), CategoryID: int64(req.CategoryID), Title: req.Title, Description: req.Description,
		Images: req.Images, Commission: comm, OnSale: req.OnSale}
	for i := range req.SKUs {
		k, err := req.SKUs[i].domain(cur, fmt.Sprintf("skus[%d].", i))
		if err != nil {
			return err
		}
		p.SKUs = append(p.SKUs, *k)
	}
	p, err = s.db.CreateProduct(r.Context(), actorOf(r), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, productOut(cur, p))
	return nil
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.ProductFilter{After: after, Limit: limit}
	if f.SupplierID, err = queryID(r, "supplier_id"); err != nil {
		return err
	}
	if f.CategoryID, err = queryID(r, "category_id"); err != nil {
		return err
	}
	if f.OnSale, err = queryBool(r, "on_sale"); err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	list, err := s.db.Products(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	out := make([]productJSON, len(list))
	for i := range list {
		out[i] = productOut(cur, &list[i])
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(p productJSON) int64 { return p.ID }))
	return nil
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	p, err := s.db.Product(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, productOut(cur, p))
	return nil
}

type productUpdateRequest struct {
	Title       *string                  `json:"title"`
	Description *string                  `json:"description"`
	Images      *[]string                `json:"images"`
	CategoryID  nullable[bodyID]         `json:"category_id"`
	Commission  nullable[commissionJSON] `json:"commission"`
	OnSale      *bool                    `json:"on_sale"`
}

func (s *Server) updateProduct(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req productUpdateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	u := catalog.ProductUpdate{Title: req.Title, Description: req.Description, Images: req.Images, OnSale: req.OnSale}
	if req.CategoryID.Set {
		var c int64 // null clears it
		if req.CategoryID.Value != nil {
			c = int64(*req.CategoryID.Value)
		}
		u.CategoryID = &c
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	if req.Commission.Set {
		c, err := req.Commission.Value.domain(cur, "commission")
		if err != nil {
			return err
		}
		u.Commission = &c
	}
	p, err := s.db.UpdateProduct(r.Context(), actorOf(r), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, productOut(cur, p))
	return nil
}

func (s *Server) addSKU(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req skuRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	k, err := req.domain(cur, "")
	if err != nil {
		return err
	}
	k, err = s.db.AddSKU(r.Context(), actorOf(r), id, k)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, skuOut(cur, k))
	return nil
}

type skuUpdateRequest struct {
	Options      *map[string]string       `json:"options"`
	RetailPrice  *string                  `json:"retail_price"`
	PriceCeiling nullable[string]         `json:"price_ceiling"`
	Commission   nullable[commissionJSON] `json:"commission"`
	OnSale       *bool                    `json:"on_sale"`
}

func (s *Server) updateSKU(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req skuUpdateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	u := catalog.SKUUpdate{Options: req.Options, OnSale: req.OnSale}
	if u.RetailPrice, err = parseAmount(cur, "retail_price", req.RetailPrice); err != nil {
		return err
	}
	if req.PriceCeiling.Set {
		c, err := parseAmount(cur, "price_ceiling", req.PriceCeiling.Value)
		if err != nil {
			return err
		}
		u.PriceCeiling = &c
	}
	if req.Commission.Set {
		c, err := req.Commission.Value.domain(cur, "commission")
		if err != nil {
			return err
		}
		u.Commission = &c
	}
	k, err := s.db.UpdateSKU(r.Context(), actorOf(r), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, skuOut(cur, k))
	return nil
}

// reviewProduct approves or rejects a product waiting for review (operator).
func (s *Server) reviewProduct(w http.ResponseWriter, r *http.Request) error {
	id, approve, reason, err := reviewDecision(w, r)
	if err != nil {
		return err
	}
	p, err := s.db.ReviewProduct(r.Context(), actorOf(r), id, approve, reason)
	if err != nil {
		return err
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, productOut(st.Currency(), p))
	return nil
}
