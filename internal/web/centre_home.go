package web

import (
	"net/http"

	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// centreHomeView is the centre's header card: the shop, the grade, the
// wallet and the team's figures.
type centreHomeView struct {
	D       *network.Distributor
	Shop    *store.Shop // nil until the shop is opened
	Grade   string      // "" without a grade
	Wallet  *wallet.Wallet
	Figures *store.TeamFigures
}

// centreHome is the distributor centre's home: who I am and what I have
// earned, then an entry to every part of the centre.
func (s *Server) centreHome(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Tab, p.Back = p.T("centre.title"), "me", "/me"
	v := &centreHomeView{D: d}
	if v.Shop, err = s.centreShopOf(r, d); err != nil {
		return err
	}
	if v.Wallet, err = s.db.Wallet(r.Context(), p.Actor, d.ID); err != nil {
		return err
	}
	if v.Figures, err = s.db.TeamFigures(r.Context(), p.Actor, d.ID); err != nil {
		return err
	}
	if d.GradeID != 0 {
		grades, err := s.db.Grades(r.Context(), p.Actor)
		if err != nil {
			return err
		}
		for _, g := range grades {
			if g.ID == d.GradeID {
				v.Grade = g.Name
			}
		}
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "centre", p)
	return nil
}
