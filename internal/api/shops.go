package api

// routesShops registers the shops routes.
func (s *Server) routesShops() {
}
