package web

// routesDash registers the insight pages: the operator's dashboard of the
// whole program and the supplier's insight of its own goods
// (docs/insight.md). Both draw their charts with the vendored uPlot.
func (s *Server) routesDash() {
	s.handle("GET /ops/dashboard", s.opsDashboard)
	s.handle("GET /sup/insight", s.supInsight)
}
