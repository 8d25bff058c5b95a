package api

// routesAccounts registers the accounts routes.
func (s *Server) routesAccounts() {
}
