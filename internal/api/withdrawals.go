package api

// routesWithdrawals registers the withdrawals routes.
func (s *Server) routesWithdrawals() {
}
