package api

import (
	"fmt"
	"net/http"

	"sharemall/internal/money"
	"sharemall/internal/shipping"
)

// routesShipping registers the shipping templates of suppliers, which
// template a supplier or product uses, and SKU weights (docs/shipping.md).
func (s *Server) routesShipping() {
	s.handle("GET /api/v1/shipping-templates", s.listShippingTemplates, "supplier_id")
	s.handle("POST /api/v1/shipping-templates", s.createShippingTemplate)
	s.handle("GET /api/v1/shipping-templates/{id}", s.getShippingTemplate)
	s.handle("PUT /api/v1/shipping-templates/{id}", s.replaceShippingTemplate)
	s.handle("PUT /api/v1/suppliers/{id}/shipping-template", s.setSupplierShippingTemplate)
	s.handle("PUT /api/v1/products/{id}/shipping-template", s.setProductShippingTemplate)
	s.handle("PUT /api/v1/skus/{id}/weight", s.setSKUWeight)
}

type shippingRuleJSON struct {
	Regions         []string `json:"regions,omitempty"`
	FirstUnits      int64    `json:"first_units"`
	FirstFee        string   `json:"first_fee"`
	AdditionalUnits int64    `json:"additional_units"`
	AdditionalFee   string   `json:"additional_fee"`
}

type shippingTemplateJSON struct {
	ID         int64              `json:"id"`
	SupplierID int64              `json:"supplier_id"`
	Name       string             `json:"name"`
	Basis      shipping.Basis     `json:"basis"`
	Default    shippingRuleJSON   `json:"default"`
	Rules      []shippingRuleJSON `json:"rules"`
	FreeAbove  *string            `json:"free_above"`
}

func shippingRuleOut(cur money.Currency, r shipping.Rule) shippingRuleJSON {
	return shippingRuleJSON{Regions: r.Regions, FirstUnits: r.FirstUnits, FirstFee: cur.Format(r.FirstFee),
		AdditionalUnits: r.AdditionalUnits, AdditionalFee: cur.Format(r.AdditionalFee)}
}

func shippingTemplateOut(cur money.Currency, t *shipping.Template) shippingTemplateJSON {
	out := shippingTemplateJSON{ID: t.ID, SupplierID: t.SupplierID, Name: t.Name, Basis: t.Basis, Default: shippingRuleOut(cur, t.Default),
		Rules: []shippingRuleJSON{}, FreeAbove: formatAmount(cur, t.FreeAbove)}
	for _, r := range t.Rules {
		out.Rules = append(out.Rules, shippingRuleOut(cur, r))
	}
	return out
}

type shippingRuleRequest struct {
	Regions         []string `json:"regions"`
	FirstUnits      int64    `json:"first_units"`
	FirstFee        *string  `json:"first_fee"`
	AdditionalUnits int64    `json:"additional_units"`
	AdditionalFee   *string  `json:"additional_fee"`
}

type shippingTemplateRequest struct {
	SupplierID bodyID                `json:"supplier_id"`
	Name       string                `json:"name"`
	Basis      shipping.Basis        `json:"basis"`
	Default    *shippingRuleRequest  `json:"default"`
	Rules      []shippingRuleRequest `json:"rules"`
	FreeAbove  *string               `json:"free_above"`
}

func (q shippingRuleRequest) rule(cur money.Currency, field string) (shipping.Rule, error) {
	r := shipping.Rule{Regions: q.Regions, FirstUnits: q.FirstUnits, AdditionalUnits: q.AdditionalUnits}
	if q.FirstFee == nil {
		return r, errsRequired(field + ".first_fee")
	}
	if q.AdditionalFee == nil {
		return r, errsRequired(field + ".additional_fee")
	}
	var err error
	if r.FirstFee, err = cur.ParseField(field+".first_fee", *q.FirstFee); err != nil {
		return r, err
	}
	r.AdditionalFee, err = cur.ParseField(field+".additional_fee", *q.AdditionalFee)
	return r, err
}

func (q shippingTemplateRequest) template(cur money.Currency) (*shipping.Template, error) {
	t := &shipping.Template{SupplierID: int64(q.SupplierID), Name: q.Name, Basis: q.Basis, Rules: []shipping.Rule{}}
	if q.Default == nil {
		return nil, errsRequired("default")
	}
	var err error
	if t.Default, err = q.Default.rule(cur, "default"); err != nil {
		return nil, err
	}
	for i, rq := range q.Rules {
		r, err := rq.rule(cur, fmt.Sprintf("rules[%d]", i))
		if err != nil {
			return nil, err
		}
		t.Rules = append(t.Rules, r)
	}
	if t.FreeAbove, err = parseAmount(cur, "free_above", q.FreeAbove); err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Server) saveShippingTemplate(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	var req shippingTemplateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	t, err := req.template(cur)
	if err != nil {
		return err
	}
	t.ID = id
	if t, err = s.db.SaveShippingTemplate(r.Context(), actorOf(r), t); err != nil {
		return err
	}
	writeJSON(w, status, shippingTemplateOut(cur, t))
	return nil
}

func (s *Server) createShippingTemplate(w http.ResponseWriter, r *http.Request) error {
	return s.saveShippingTemplate(w, r, 0, http.StatusCreated)
}

func (s *Server) replaceShippingTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.saveShippingTemplate(w, r, id, http.StatusOK)
}

func (s *Server) getShippingTemplate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.db.ShippingTemplate(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shippingTemplateOut(cur, t))
	return nil
}

type shippingTemplatesJSON struct {
	Items []shippingTemplateJSON `json:"items"`
	// DefaultID is the supplier's default template, null for none.
	DefaultID *int64 `json:"default_id"`
}

func (s *Server) listShippingTemplates(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	sid, err := queryID(r, "supplier_id")
	if err != nil {
		return err
	}
	list, def, err := s.db.ShippingTemplates(r.Context(), actorOf(r), sid)
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	out := shippingTemplatesJSON{Items: []shippingTemplateJSON{}}
	for i := range list {
		out.Items = append(out.Items, shippingTemplateOut(cur, &list[i]))
	}
	if def != 0 {
		out.DefaultID = &def
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type useTemplateRequest struct {
	ShippingTemplateID *int64 `json:"shipping_template_id"`
}

// setUsedTemplate sets the template of a supplier (productID 0) or product.
func (s *Server) setUsedTemplate(w http.ResponseWriter, r *http.Request, supplierID, productID int64) error {
	var req useTemplateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.ShippingTemplateID == nil {
		return errsRequired("shipping_template_id")
	}
	if err := s.db.SetShippingTemplate(r.Context(), actorOf(r), supplierID, productID, *req.ShippingTemplateID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, useTemplateRequest(req))
	return nil
}

func (s *Server) setSupplierShippingTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.setUsedTemplate(w, r, id, 0)
}

func (s *Server) setProductShippingTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.db.Product(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.setUsedTemplate(w, r, p.SupplierID, id)
}

type weightRequest struct {
	WeightGrams *int64 `json:"weight_grams"`
}

func (s *Server) setSKUWeight(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req weightRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.WeightGrams == nil {
		return errsRequired("weight_grams")
	}
	if err := s.db.SetSKUWeight(r.Context(), actorOf(r), id, *req.WeightGrams); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, req)
	return nil
}
