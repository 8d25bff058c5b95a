package web

// routesOpsx registers the operator's corrections: a distributor's
// suspension and wallet adjustments, a customer's binding, the products
// waiting for review, the rankings and the journals. Operators only.
func (s *Server) routesOpsx() {
	s.handle("GET /ops/distributors/{id}/actions", s.opsxActions)
	s.handle("POST /ops/distributors/{id}/suspend", s.opsxSuspend)
	s.handle("POST /ops/distributors/{id}/reinstate", s.opsxReinstate)
	s.handle("POST /ops/distributors/{id}/adjustments", s.opsxAdjust)
}
