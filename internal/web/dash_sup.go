package web

import "net/http"

// supInsight is a supplier's view of its own goods: the store forces the
// scope to the supplier, whoever asks.
func (s *Server) supInsight(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-insight")
	if err != nil {
		return err
	}
	p.Title = p.T("dash.sup.title")
	return s.renderDash(w, r, p, sup, sup.SupplierID, false)
}
