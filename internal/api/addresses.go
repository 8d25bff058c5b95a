package api

import (
	"net/http"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// routesAddresses registers the signed-in account's address book.
func (s *Server) routesAddresses() {
	s.handle("GET /api/v1/me/addresses", s.listAddresses)
	s.handle("POST /api/v1/me/addresses", s.createAddress)
	s.handle("GET /api/v1/me/addresses/{id}", s.getAddress)
	s.handle("PATCH /api/v1/me/addresses/{id}", s.patchAddress)
	s.handle("DELETE /api/v1/me/addresses/{id}", s.deleteAddress)
	s.handle("POST /api/v1/me/addresses/{id}/default", s.defaultAddress)
}

type addressJSON struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Phone      string    `json:"phone"`
	RegionCode string    `json:"region_code"`
	Address    string    `json:"address"`
	IsDefault  bool      `json:"is_default"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func addressOut(a *store.Address) addressJSON {
	return addressJSON{ID: a.ID, Name: a.Name, Phone: a.Phone, RegionCode: a.RegionCode, Address: a.Address, IsDefault: a.IsDefault,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// addressRequest is a new address, or the fields a PATCH changes.
type addressRequest struct {
	Name       *string `json:"name"`
	Phone      *string `json:"phone"`
	RegionCode *string `json:"region_code"`
	Address    *string `json:"address"`
	IsDefault  *bool   `json:"is_default"`
}

// apply sets the fields the request names.
func (req *addressRequest) apply(a *store.Address) {
	for _, f := range []struct {
		from *string
		to   *string
	}{{req.Name, &a.Name}, {req.Phone, &a.Phone}, {req.RegionCode, &a.RegionCode}, {req.Address, &a.Address}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if req.IsDefault != nil {
		a.IsDefault = *req.IsDefault
	}
}

// signedIn refuses an anonymous caller before a body is read.
func signedIn(r *http.Request) error {
	if actorOf(r).Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	return nil
}

func (s *Server) listAddresses(w http.ResponseWriter, r *http.Request) error {
	as, err := s.db.Addresses(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	out := make([]addressJSON, len(as))
	for i := range as {
		out[i] = addressOut(&as[i])
	}
	writeJSON(w, http.StatusOK, struct {
		Items []addressJSON `json:"items"`
	}{out})
	return nil
}

func (s *Server) createAddress(w http.ResponseWriter, r *http.Request) error {
	if err := signedIn(r); err != nil {
		return err
	}
	var req addressRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	var a store.Address
	req.apply(&a)
	out, err := s.db.SaveAddress(r.Context(), actorOf(r), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, addressOut(out))
	return nil
}

func (s *Server) getAddress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.db.Address(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, addressOut(a))
	return nil
}

func (s *Server) patchAddress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := signedIn(r); err != nil {
		return err
	}
	var req addressRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a, err := s.db.Address(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	req.apply(a)
	out, err := s.db.SaveAddress(r.Context(), actorOf(r), *a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, addressOut(out))
	return nil
}

func (s *Server) deleteAddress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.DeleteAddress(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) defaultAddress(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.db.SetDefaultAddress(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, addressOut(a))
	return nil
}
