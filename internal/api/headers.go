package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"sharemall/internal/errs"
)

// securityHeaders sets what every response carries: browsers must not
// guess a content type other than the one sent, and no other site may frame
// a page of ours (the sandbox's pay page today; the web pages later), so a
// Pay button cannot be clicked through someone else's overlay.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "frame-ancestors 'self'")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		next.ServeHTTP(w, r)
	})
}

// noStore keeps a response that carries a token out of every cache.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// metricsGate serves /metrics only to whom the configuration allows: on the
// main address, only with "Authorization: Bearer <metrics token>"; nowhere
// there when neither a token nor a separate metrics address is set, or when
// the metrics have their own address (which is not public by itself).
func (s *Server) metricsGate(onMain bool, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.cfg.MetricsToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case onMain && s.cfg.MetricsSeparate:
			s.writeError(w, r, errs.E(errs.NotFound, "", "metrics are served on the metrics address (--metrics-addr), not here"))
			return
		case s.cfg.MetricsToken == "" && onMain:
			s.writeError(w, r, errs.E(errs.NotFound, "", "metrics are not public; set --metrics-token or --metrics-addr to read them"))
			return
		case s.cfg.MetricsToken != "":
			tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			got := sha256.Sum256([]byte(tok))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				s.writeError(w, r, errs.E(errs.Unauthorized, "Authorization", "must be \"Bearer <metrics token>\""))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
