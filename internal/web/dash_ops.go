package web

import "net/http"

// opsDashboard is the operator's view of the whole program.
func (s *Server) opsDashboard(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "ops-insight", "dash.ops.title")
	if err != nil {
		return err
	}
	return s.renderDash(w, r, p, p.Actor, 0, true)
}
