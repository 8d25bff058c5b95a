package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// addressFormData is the new-address or edit form.
type addressFormData struct {
	ID      int64 // 0: a new address
	Action  string
	Picker  *regionPicker
	Default bool // it is (or, the book's first, will be) the default: the box stays ticked
	Next    string
}

// addressFields are what the form sends and shows again when refused.
var addressFields = []string{"name", "phone", "address", "is_default", "province", "city", "district"}

// addressForm shows a new address's form, or an address's to edit.
func (s *Server) addressForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	id, chosen := int64(0), []string(nil)
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
		a, err := s.db.Address(r.Context(), p.Actor, id)
		if err != nil {
			return err
		}
		p.Form.Set("name", a.Name)
		p.Form.Set("phone", a.Phone)
		p.Form.Set("address", a.Address)
		if a.IsDefault {
			p.Form.Set("is_default", "1")
		}
		chosen = chosenRegions(a.RegionCode)
	}
	return s.renderAddressForm(w, r, p, http.StatusOK, id, chosen, checkoutNext(r.URL.Query().Get("next")))
}

// addressSave saves the form, or (action=region) shows it again with the
// regions below the one chosen, everything typed kept. Saved from a
// checkout, it goes back there shipping to this address.
func (s *Server) addressSave(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	id := int64(0)
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	f := r.PostForm
	for _, k := range addressFields {
		p.Form.Set(k, f.Get(k))
	}
	next := checkoutNext(f.Get("next"))
	chosen := []string{f.Get("province"), f.Get("city"), f.Get("district")}
	if f.Get("action") == "region" {
		return s.renderAddressForm(w, r, p, http.StatusOK, id, chosen, next)
	}
	pk, err := s.picker(r, p, chosen)
	if err != nil {
		return err
	}
	var saved *store.Address
	if pk.Code == "" {
		err = errs.Invalidf("region_code", "is required: choose a province, a city and a district")
	} else {
		saved, err = s.db.SaveAddress(r.Context(), p.Actor, store.Address{ID: id, Name: f.Get("name"), Phone: f.Get("phone"),
			RegionCode: pk.Code, Address: f.Get("address"), IsDefault: f.Get("is_default") != ""})
	}
	if err != nil {
		if errs.Is(err, errs.NotFound) || !formErrorOn(p, err, "address", "name", "phone", "address", "is_default", "region_code") {
			return err
		}
		if _, ok := p.Errors["region_code"]; ok {
			p.Errors["region_code"] = p.T("address.err_region")
		}
		if errs.Is(err, errs.Conflict) && errs.FieldOf(err) == "" {
			p.Errors[""] = p.T("address.full")
		}
		return s.renderAddressForm(w, r, p, statusOf(err), id, chosen, next)
	}
	if next != "" {
		return seeOther(w, r, withAddress(next, saved.ID))
	}
	return seeOther(w, r, "/addresses?saved=1")
}

func (s *Server) renderAddressForm(w http.ResponseWriter, r *http.Request, p *Page, status int, id int64, chosen []string, next string) error {
	pk, err := s.picker(r, p, chosen)
	if err != nil {
		return err
	}
	d := addressFormData{ID: id, Action: "/addresses/new", Picker: pk, Next: next}
	p.Title = p.T("address.new_title")
	if id != 0 {
		d.Action, p.Title = "/addresses/"+strconv.FormatInt(id, 10)+"/edit", p.T("address.edit_title")
		a, err := s.db.Address(r.Context(), p.Actor, id)
		if err != nil {
			return err
		}
		d.Default = a.IsDefault
	} else {
		list, err := s.db.Addresses(r.Context(), p.Actor)
		if err != nil {
			return err
		}
		d.Default = len(list) == 0
	}
	p.Back = withNext("/addresses", next)
	if next != "" && id == 0 {
		p.Back = next
	}
	p.Data = d
	s.render(w, r, status, "address_form", p)
	return nil
}
