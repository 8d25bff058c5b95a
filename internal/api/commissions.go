package api

// routesCommissions registers the commissions routes.
func (s *Server) routesCommissions() {
}
