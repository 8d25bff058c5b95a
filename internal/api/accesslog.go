package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"
)

// RequestIDHeader carries the request id: taken from the client when it is
// sane, made otherwise, and always echoed in the response.
const RequestIDHeader = "X-Request-Id"

// maxRequestID bounds a client's request id, so a log line stays a line.
const maxRequestID = 64

// requestInfo is what the access log learns while a request runs. The
// middleware that resolves the caller fills in the account; the handler
// chain runs on one goroutine, so no lock is needed.
type requestInfo struct {
	id      string
	account int64
}

type requestInfoKey struct{}

func infoOf(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return ri
}

// requestID is the id of the request, "" outside the access log (tests
// that call handlers directly).
func requestID(r *http.Request) string {
	if ri := infoOf(r.Context()); ri != nil {
		return ri.id
	}
	return ""
}

// setAccount records who the caller is, for the access log.
func setAccount(r *http.Request, id int64) {
	if ri := infoOf(r.Context()); ri != nil {
		ri.account = id
	}
}

// saneRequestID accepts ids of 1 to maxRequestID characters from a small
// set (letters, digits, - _ . : /), enough for UUIDs, trace ids and the ids
// load balancers make, and nothing a log reader could be fooled by.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '/':
		default:
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// accessLog gives every request an id, echoes it in the response and logs
// one line at info when the request ends: id, method, route pattern,
// status, duration and the caller's account (0: anonymous).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		ri := &requestInfo{id: id}
		w.Header().Set(RequestIDHeader, id)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
		defer func() {
			status := sw.status
			if status == 0 {
				status = http.StatusOK // a handler that wrote nothing
			}
			s.log.InfoContext(r.Context(), "request", "request_id", id, "method", r.Method, "route", s.routeOf(r),
				"status", status, "duration", time.Since(start), "account", ri.account)
		}()
		next.ServeHTTP(sw, r)
	})
}

// routeOf is the pattern that serves r ("GET /api/v1/orders/{id}"), never
// the raw path, so logs and metrics do not grow with every id.
func (s *Server) routeOf(r *http.Request) string {
	if _, route := s.mux.Handler(r); route != "" {
		return route
	}
	return "unmatched"
}
