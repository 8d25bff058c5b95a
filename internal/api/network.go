package api

// routesNetwork registers the network routes.
func (s *Server) routesNetwork() {
}
