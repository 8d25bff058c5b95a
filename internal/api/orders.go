package api

// routesOrders registers the orders routes.
func (s *Server) routesOrders() {
}
