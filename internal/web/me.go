package web

import (
	"net/http"

	"sharemall/internal/account"
)

func (s *Server) routesMe() {
	s.handle("GET /me", s.me)
}

// me is the person's own page: who is signed in, shortcuts to its orders
// and addresses, and the distributor centre (or the way to join).
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	p.Title, p.Tab = p.T("me.title"), "me"
	if p.Actor.Anonymous() {
		s.render(w, r, http.StatusOK, "me", p)
		return nil
	}
	a, err := s.db.Account(r.Context(), p.Actor.AccountID)
	if err != nil {
		return err
	}
	p.Data = struct {
		Account     *account.Account
		Distributor bool
	}{a, p.Actor.DistributorID != 0}
	s.render(w, r, http.StatusOK, "me", p)
	return nil
}
