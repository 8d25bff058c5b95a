package web

import (
	"net/http"

	"sharemall/internal/store"
)

// centreCampaigns lists the running and coming campaigns on products I can
// sell, with what I would earn per unit under each and usually
// (db.CentreCampaigns, as GET /api/v1/distributors/me/campaigns).
func (s *Server) centreCampaigns(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.centreDistributor(w, r); !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back = p.T("campaigns.centre.title"), "/centre"
	list, err := s.db.CentreCampaigns(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	p.Data = list
	s.render(w, r, http.StatusOK, "centre_campaigns", p)
	return nil
}

// CampaignLeft is the units left under a campaign's stock limit (0 without one).
func (p *Page) CampaignLeft(c store.CentreCampaign) int64 {
	if c.Left == nil {
		return 0
	}
	return *c.Left
}
