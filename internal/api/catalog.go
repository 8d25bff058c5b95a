package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// routesCatalog registers the catalog routes: suppliers and their API keys,
// categories, products and SKUs, warehouses and stock, regions.
func (s *Server) routesCatalog() {
	s.handle("POST /api/v1/suppliers", s.applySupplier)
	s.handle("GET /api/v1/suppliers", s.listSuppliers, "after", "limit", "status")
	s.handle("GET /api/v1/suppliers/{id}", s.getSupplier)
	s.handle("PATCH /api/v1/suppliers/{id}", s.updateSupplier)
	s.handle("POST /api/v1/suppliers/{id}/status", s.setSupplierStatus)
	s.handle("POST /api/v1/suppliers/{id}/api-keys", s.createAPIKey)
	s.handle("GET /api/v1/suppliers/{id}/api-keys", s.listAPIKeys)
	s.handle("DELETE /api/v1/suppliers/{id}/api-keys/{key_id}", s.revokeAPIKey)

	s.handle("GET /api/v1/categories", s.listCategories)
	s.handle("POST /api/v1/categories", s.createCategory)

	s.handle("POST /api/v1/products", s.createProduct)
	s.handle("GET /api/v1/products", s.listProducts, "after", "limit", "supplier_id", "category_id", "on_sale")
	s.handle("GET /api/v1/products/{id}", s.getProduct)
	s.handle("PATCH /api/v1/products/{id}", s.updateProduct)
	s.handle("POST /api/v1/products/{id}/review", s.reviewProduct)
	s.handle("POST /api/v1/products/{id}/skus", s.addSKU)
	s.handle("PATCH /api/v1/skus/{id}", s.updateSKU)

	s.handle("POST /api/v1/warehouses", s.createWarehouse)
	s.handle("GET /api/v1/warehouses", s.listWarehouses, "supplier_id")
	s.handle("GET /api/v1/warehouses/{id}", s.getWarehouse)
	s.handle("PATCH /api/v1/warehouses/{id}", s.updateWarehouse)
	s.handle("PUT /api/v1/warehouses/{id}/areas", s.setWarehouseAreas)
	s.handle("GET /api/v1/warehouses/{id}/stock", s.listStock)
	s.handle("PUT /api/v1/warehouses/{id}/stock/{sku_id}", s.setStock)

	s.handle("GET /api/v1/regions", s.listRegions, "parent")
	s.handle("GET /api/v1/regions/{code}", s.getRegion)
}

// requireCatalogWriter refuses anonymous callers (401) and callers who are
// neither a supplier nor an operator (403) before a body is read.
func requireCatalogWriter(r *http.Request) error {
	return actorOf(r).Require(account.Supplier, account.Operator)
}

// currency is the program's currency, in which every catalog price is given.
func (s *Server) currency(r *http.Request) (money.Currency, error) {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return money.Currency{}, err
	}
	return st.Currency(), nil
}

// commissionJSON is a commission override in requests and responses: one
// entry per tier, tier 1 first; a null entry (or a tier past the end) is
// not named and falls back to the next less specific source.
type commissionJSON struct {
	Tiers []*tierCommissionJSON `json:"tiers"`
}

// tierCommissionJSON is one named tier: {"kind": "rate", "rate_bp": 500}
// or {"kind": "fixed", "per_unit": "1.50"} (an amount of the program's currency).
type tierCommissionJSON struct {
	Kind    catalog.CommissionKind `json:"kind"`
	RateBP  *money.Rate            `json:"rate_bp,omitempty"`
	PerUnit *string                `json:"per_unit,omitempty"`
}

func commissionOut(cur money.Currency, c *catalog.Commission) *commissionJSON {
	if c == nil {
		return nil
	}
	out := &commissionJSON{Tiers: make([]*tierCommissionJSON, len(c.Tiers))}
	for i, t := range c.Tiers {
		switch {
		case t == nil:
		case t.Kind == catalog.FixedCommission:
			a := cur.Format(t.PerUnit)
			out.Tiers[i] = &tierCommissionJSON{Kind: t.Kind, PerUnit: &a}
		default:
			r := t.Rate
			out.Tiers[i] = &tierCommissionJSON{Kind: t.Kind, RateBP: &r}
		}
	}
	return out
}

// domain converts an override; field names it in errors ("commission").
// The catalog validates the rest (ranges, tiers, the cap).
func (c *commissionJSON) domain(cur money.Currency, field string) (*catalog.Commission, error) {
	if c == nil {
		return nil, nil
	}
	out := &catalog.Commission{Tiers: make([]*catalog.TierCommission, len(c.Tiers))}
	for i, t := range c.Tiers {
		if t == nil {
			continue
		}
		f := fmt.Sprintf("%s.tiers[%d].", field, i)
		d := &catalog.TierCommission{Kind: t.Kind}
		switch t.Kind {
		case catalog.RateCommission:
			if t.RateBP == nil {
				return nil, errsRequired(f + "rate_bp")
			}
			if t.PerUnit != nil {
				return nil, errs.Invalidf(f+"per_unit", "applies only to kind fixed")
			}
			d.Rate = *t.RateBP
		case catalog.FixedCommission:
			if t.PerUnit == nil {
				return nil, errsRequired(f + "per_unit")
			}
			if t.RateBP != nil {
				return nil, errs.Invalidf(f+"rate_bp", "applies only to kind rate")
			}
			a, err := cur.ParseField(f+"per_unit", *t.PerUnit)
			if err != nil {
				return nil, err
			}
			d.PerUnit = a
		}
		out.Tiers[i] = d
	}
	return out, nil
}

// nullable is a JSON field whose absence, null and value mean different
// things in a PATCH: leave it, clear it, set it.
type nullable[T any] struct {
	Set   bool // the field was in the body
	Value *T   // nil when it was null
}

func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		n.Value = nil
		return nil
	}
	var v T
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // as strict as decode, for nested objects too
	if err := dec.Decode(&v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// queryID reads an optional positive id from the query string (0 when absent).
func queryID(r *http.Request, name string) (int64, error) {
	return queryInt(r, name, 0, 1, 1<<62)
}

// queryBool reads an optional true/false query parameter.
func queryBool(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil || (v != "true" && v != "false") {
		return nil, errs.Invalidf(name, "must be true or false")
	}
	return &b, nil
}

// parseAmount reads a price given as a decimal string.
func parseAmount(cur money.Currency, field string, s *string) (*money.Amount, error) {
	if s == nil {
		return nil, nil
	}
	a, err := cur.ParseField(field, *s)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func formatAmount(cur money.Currency, a *money.Amount) *string {
	if a == nil {
		return nil
	}
	s := cur.Format(*a)
	return &s
}
