package api

import (
	"net/http"
	"time"

	"sharemall/internal/order"
)

type agentResponse struct {
	RegionCode    string    `json:"region_code"`
	DistributorID int64     `json:"distributor_id"`
	GrantedBy     int64     `json:"granted_by,omitempty"`
	GrantedAt     time.Time `json:"granted_at"`
}

func agentJSON(a order.AgentArea) agentResponse {
	return agentResponse{RegionCode: a.RegionCode, DistributorID: a.DistributorID, GrantedBy: a.GrantedBy,
		GrantedAt: time.UnixMicro(a.GrantedAtUnix).UTC()}
}

func (s *Server) grantArea(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		DistributorID int64 `json:"distributor_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a, err := s.db.GrantArea(r.Context(), actorOf(r), r.PathValue("code"), req.DistributorID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, agentJSON(*a))
	return nil
}

func (s *Server) revokeArea(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.RevokeArea(r.Context(), actorOf(r), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) error {
	as, err := s.db.Agents(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	out := make([]agentResponse, len(as))
	for i, a := range as {
		out[i] = agentJSON(a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}
