package api

import (
	"net/http"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

type supplierJSON struct {
	ID             int64                  `json:"id"`
	OwnerAccountID int64                  `json:"owner_account_id"`
	Name           string                 `json:"name"`
	ContactEmail   string                 `json:"contact_email"`
	ContactPhone   string                 `json:"contact_phone"`
	AllowMarkup    bool                   `json:"allow_markup"`
	Status         catalog.SupplierStatus `json:"status"`
	CreatedAt      time.Time              `json:"created_at"`
	UpdatedAt      time.Time              `json:"updated_at"`
}

func supplierOut(s *catalog.Supplier) supplierJSON {
	return supplierJSON{ID: s.ID, OwnerAccountID: s.OwnerAccountID, Name: s.Name, ContactEmail: s.ContactEmail,
		ContactPhone: s.ContactPhone, AllowMarkup: s.AllowMarkup, Status: s.Status, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

type supplierApplyRequest struct {
	Name         string `json:"name"`
	ContactEmail string `json:"contact_email"`
	ContactPhone string `json:"contact_phone"`
	AllowMarkup  *bool  `json:"allow_markup"`
}

func (s *Server) applySupplier(w http.ResponseWriter, r *http.Request) error {
	if actorOf(r).Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	var req supplierApplyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	app := catalog.SupplierApplication{Name: req.Name, ContactEmail: req.ContactEmail, ContactPhone: req.ContactPhone, AllowMarkup: true}
	if req.AllowMarkup != nil {
		app.AllowMarkup = *req.AllowMarkup
	}
	sup, err := s.db.ApplySupplier(r.Context(), actorOf(r), app)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, supplierOut(sup))
	return nil
}

func (s *Server) listSuppliers(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.SupplierFilter{After: after, Limit: limit}
	if v := r.URL.Query().Get("status"); v != "" {
		if f.Status, err = catalog.ParseSupplierStatus("status", v); err != nil {
			return err
		}
	}
	list, err := s.db.Suppliers(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	out := make([]supplierJSON, len(list))
	for i := range list {
		out[i] = supplierOut(&list[i])
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(x supplierJSON) int64 { return x.ID }))
	return nil
}

func (s *Server) getSupplier(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sup, err := s.db.Supplier(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supplierOut(sup))
	return nil
}

type supplierUpdateRequest struct {
	Name         *string `json:"name"`
	ContactEmail *string `json:"contact_email"`
	ContactPhone *string `json:"contact_phone"`
	AllowMarkup  *bool   `json:"allow_markup"`
}

func (s *Server) updateSupplier(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req supplierUpdateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sup, err := s.db.UpdateSupplier(r.Context(), actorOf(r), id, catalog.SupplierUpdate(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supplierOut(sup))
	return nil
}

type supplierStatusRequest struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
}

func (s *Server) setSupplierStatus(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req supplierStatusRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	st, err := catalog.ParseSupplierStatus("status", req.Status)
	if err != nil {
		return err
	}
	sup, err := s.db.SetSupplierStatus(r.Context(), actorOf(r), id, st, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supplierOut(sup))
	return nil
}

type apiKeyJSON struct {
	ID         int64      `json:"id"`
	SupplierID int64      `json:"supplier_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Key        string     `json:"key,omitempty"` // only in the response that creates it
}

func apiKeyOut(k *catalog.APIKey) apiKeyJSON {
	return apiKeyJSON{ID: k.ID, SupplierID: k.SupplierID, Name: k.Name, Prefix: k.Prefix,
		CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

type apiKeyRequest struct {
	Name string `json:"name"`
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req apiKeyRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	key, k, err := s.db.CreateAPIKey(r.Context(), actorOf(r), id, req.Name)
	if err != nil {
		return err
	}
	out := apiKeyOut(k)
	out.Key = key
	noStore(w)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	keys, err := s.db.APIKeys(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	out := make([]apiKeyJSON, len(keys))
	for i := range keys {
		out[i] = apiKeyOut(&keys[i])
	}
	writeJSON(w, http.StatusOK, Page[apiKeyJSON]{Items: out})
	return nil
}

func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	keyID, err := pathID(r, "key_id")
	if err != nil {
		return err
	}
	k, err := s.db.RevokeAPIKey(r.Context(), actorOf(r), id, keyID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiKeyOut(k))
	return nil
}

type categoryJSON struct {
	ID       int64  `json:"id"`
	ParentID *int64 `json:"parent_id,omitempty"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
}

func categoryOut(c *catalog.Category) categoryJSON {
	out := categoryJSON{ID: c.ID, Name: c.Name, Slug: c.Slug}
	if c.ParentID != 0 {
		p := c.ParentID
		out.ParentID = &p
	}
	return out
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	list, err := s.db.Categories(r.Context())
	if err != nil {
		return err
	}
	out := make([]categoryJSON, len(list))
	for i := range list {
		out[i] = categoryOut(&list[i])
	}
	writeJSON(w, http.StatusOK, Page[categoryJSON]{Items: out})
	return nil
}

type categoryRequest struct {
	ParentID bodyID `json:"parent_id"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	var req categoryRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.db.CreateCategory(r.Context(), actorOf(r), catalog.Category{ParentID: int64(req.ParentID), Name: req.Name, Slug: req.Slug})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, categoryOut(c))
	return nil
}
