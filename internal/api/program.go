package api

// routesProgram registers the program routes.
func (s *Server) routesProgram() {
}
