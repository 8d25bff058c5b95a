package web

import (
	"net/http"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

type supKeysPage struct {
	Keys []catalog.APIKey
	New  string // a key just made: shown this once, never stored
}

// supKeys lists the supplier's API keys (their prefixes, never the keys).
func (s *Server) supKeys(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-keys")
	if err != nil {
		return err
	}
	return s.renderKeys(w, r, p, sup, "", http.StatusOK)
}

func (s *Server) renderKeys(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, newKey string, status int) error {
	keys, err := s.db.APIKeys(r.Context(), sup, sup.SupplierID)
	if err != nil {
		return err
	}
	p.Title, p.Data = p.T("sup.keys.title"), &supKeysPage{Keys: keys, New: newKey}
	w.Header().Set("Cache-Control", "no-store") // the new key is on this page once
	s.render(w, r, status, "sup_keys", p)
	return nil
}

// supKeyCreate makes a key and shows it on the answer to the form, the
// only time it is ever shown.
func (s *Server) supKeyCreate(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-keys")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	key, _, err := s.db.CreateAPIKey(r.Context(), sup, sup.SupplierID, r.PostForm.Get("key_name"))
	if err != nil {
		if errs.FieldOf(err) == "name" { // the form's field is key_name: "name" is a person's nickname in the catalogues
			err = errs.E(errs.CodeOf(err), "key_name", "%s", errs.MessageOf(err))
		}
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderKeys(w, r, p, sup, "", statusOf(err))
	}
	return s.renderKeys(w, r, p, sup, key, http.StatusOK)
}

// supKeyRevoke stops a key from working at once.
func (s *Server) supKeyRevoke(w http.ResponseWriter, r *http.Request) error {
	_, sup, err := s.supPage(r, "sup-keys")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.db.RevokeAPIKey(r.Context(), sup, sup.SupplierID, id); err != nil {
		return err
	}
	return seeOther(w, r, "/sup/keys")
}
