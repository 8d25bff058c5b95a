package web

// routesOpsx registers the operator's corrections: a distributor's
// suspension and wallet adjustments, a customer's binding, the products
// waiting for review, the rankings and the journals. Operators only.
func (s *Server) routesOpsx() {
	s.handle("GET /ops/distributors/{id}/actions", s.opsxActions)
	s.handle("POST /ops/distributors/{id}/suspend", s.opsxSuspend)
	s.handle("POST /ops/distributors/{id}/reinstate", s.opsxReinstate)
	s.handle("POST /ops/distributors/{id}/adjustments", s.opsxAdjust)
	s.handle("GET /ops/customers", s.opsxCustomers)
	s.handle("GET /ops/customers/{account_id}/binding", s.opsxBinding)
	s.handle("POST /ops/customers/{account_id}/binding", s.opsxMoveBinding)
	s.handle("GET /ops/products/review", s.opsxProducts)
	s.handle("POST /ops/products/{id}/review", s.opsxProductDecide)
	s.handle("GET /ops/rankings", s.opsxRankings)
	s.handle("GET /ops/journals", s.opsxJournals)
}
