package api

import (
	"net/http"

	"sharemall/internal/store"
)

// withClientAddress hands the client's address (clientAddr: trusted proxies
// honoured, IPv6 by /64) to the store with the request's context, where a
// share link's visit keeps it as a keyed hash for the click-spam signal
// (docs/fraud.md).
func (s *Server) withClientAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(store.WithClientAddress(r.Context(), s.clientAddr(r))))
	})
}
