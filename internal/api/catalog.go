package api

// routesCatalog registers the catalog routes.
func (s *Server) routesCatalog() {
}
