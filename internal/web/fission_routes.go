package web

// routesFission registers the fission pages (docs/insight.md, "Fission"):
// the operator's share funnel and cohorts, and a supplier's funnel of its
// own goods.
func (s *Server) routesFission() {
	s.handle("GET /ops/insight/fission", s.opsFission)
	s.handle("GET /sup/insight/fission", s.supFission)
}
