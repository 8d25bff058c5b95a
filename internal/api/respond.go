package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"sharemall/internal/errs"
)

// maxBody is the largest request body any handler reads.
const maxBody = 1 << 20

// statuses is the one table from error code to HTTP status.
var statuses = map[errs.Code]int{
	errs.Invalid:      http.StatusBadRequest,
	errs.NotFound:     http.StatusNotFound,
	errs.Conflict:     http.StatusConflict,
	errs.Unauthorized: http.StatusUnauthorized,
	errs.Forbidden:    http.StatusForbidden,
	errs.TooMany:      http.StatusTooManyRequests,
	errs.TooLarge:     http.StatusRequestEntityTooLarge,
	errs.BadMethod:    http.StatusMethodNotAllowed,
	errs.Unavailable:  http.StatusServiceUnavailable,
	errs.Internal:     http.StatusInternalServerError,
}

// errorBody is what every failed request returns.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    errs.Code `json:"code"`
	Field   string    `json:"field,omitempty"`
	Message string    `json:"message"`
	// RequestID is the request's X-Request-Id, so a user's report finds its log line.
	RequestID string `json:"request_id,omitempty"`
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := errs.CodeOf(err)
	status, ok := statuses[code]
	if !ok {
		status, code = http.StatusInternalServerError, errs.Internal
	}
	if code == errs.Internal || code == errs.Unavailable {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "code", code, "err", err)
	}
	if d := errs.RetryAfterOf(err); d > 0 {
		w.Header().Set("Retry-After", retryAfter(d))
	}
	writeJSON(w, status, errorBody{errorDetail{Code: code, Field: errs.FieldOf(err), Message: errs.MessageOf(err), RequestID: requestID(r)}})
}

// noRoute answers every request no route matched, in the error envelope
// (ServeMux's own 404 and 405 are plain text): 405 with Allow when the path
// is served with other methods, 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Pages != nil && !strings.HasPrefix(r.URL.Path, "/api/") {
		s.cfg.Pages.ServeHTTP(w, r)
		return
	}
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host}
		if _, pattern := s.mux.Handler(probe); m != r.Method && slices.Contains(s.routes, pattern) {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		s.writeError(w, r, errs.E(errs.NotFound, "", "no route %s %s", r.Method, r.URL.Path))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeError(w, r, errs.E(errs.BadMethod, "", "%s is not served at %s; use %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// crossOriginRefused answers a state-changing request from another site,
// which CrossOriginProtection refuses so that a session cookie cannot be used
// from a page the user did not mean to act on.
func (s *Server) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, errs.E(errs.Forbidden, "Origin", "a cross-origin %s from a browser is refused; send it from a page of this site", r.Method))
}

// writeJSON renders v fully before writing a byte, so an encoding failure
// becomes a clean 500 instead of half a response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		slog.Error("encode response", "err", err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"code":"internal","message":"internal error"}}`+"\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// decode reads a JSON body into v strictly: unknown fields, wrong types,
// trailing data and bodies over maxBody are errors naming what is wrong.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return errs.Invalidf("Content-Type", "must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return decodeError(err)
		}
		return errs.Invalidf("body", "must hold a single JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return errs.Invalidf("body", "is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Invalidf("body", "is not complete JSON")
	case errors.As(err, &tooBig):
		return errs.E(errs.TooLarge, "body", "is larger than %d bytes", tooBig.Limit)
	case errors.As(err, &syntax):
		return errs.Invalidf("body", "is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Type == reflect.TypeFor[bodyID]():
		return errs.Invalidf(typ.Field, "must be a positive id, not %s", typ.Value)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return errs.Invalidf("body", "must be %s", jsonKind(typ.Type.Kind().String()))
		}
		return errs.Invalidf(field, "must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errs.Invalidf(strings.Trim(f, `"`), "is not a known field")
	}
	return errs.Invalidf("body", "could not be read: %v", err)
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"):
		return "an integer"
	case strings.HasPrefix(k, "float"):
		return "a number"
	case k == "string":
		return "a string"
	case k == "bool":
		return "true or false"
	case k == "slice", k == "array":
		return "an array"
	case k == "struct", k == "map":
		return "an object"
	}
	return "a " + k
}

// bodyID is an id in a request body. Left out (or null) it reads as 0, which
// handlers take as "not given"; given, it must be a positive integer, so a
// client's 0 is refused naming the field instead of passing for "not given".
type bodyID int64

func (v *bodyID) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = 0
		return nil
	}
	var n int64
	if err := json.Unmarshal(b, &n); err != nil || n <= 0 {
		// The decoder adds the field's path to an UnmarshalTypeError;
		// decodeError turns it into "must be a positive id".
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[bodyID]()}
	}
	*v = bodyID(n)
	return nil
}

// pathID reads a positive integer id from the URL path.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Invalidf(name, "must be a positive integer id, not %q", v)
	}
	return id, nil
}

// checkQuery refuses a query string a route does not take: a parameter it
// does not declare, one given twice, text that is not a query string. The
// handler then parses each value and names the parameter that does not parse.
// An empty value (?status=) counts as absent, as HTML forms send it.
func checkQuery(r *http.Request, declared []string) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errs.Invalidf("query", "is not a valid query string: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		switch {
		case name == "":
			return errs.Invalidf("query", "has a parameter without a name")
		case !slices.Contains(declared, name) && len(declared) == 0:
			return errs.Invalidf(name, "is not a parameter of this route, which takes none")
		case !slices.Contains(declared, name):
			return errs.Invalidf(name, "is not a parameter of this route, which takes %s", strings.Join(declared, ", "))
		case len(q[name]) > 1:
			return errs.Invalidf(name, "is given %d times; give it once", len(q[name]))
		}
	}
	return nil
}

// queryInt reads an optional integer query parameter within [lo, hi].
func queryInt(r *http.Request, name string, def, lo, hi int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, errs.Invalidf(name, "must be an integer from %d to %d", lo, hi)
	}
	return n, nil
}

// Page is the shape of every list response: items in id order, and the
// cursor for the next page (pass it as ?after=) when there is one.
type Page[T any] struct {
	Items     []T   `json:"items"`
	NextAfter int64 `json:"next_after,omitempty"`
}

// pageOf builds a page from up to limit+1 fetched items; id gives an item's cursor.
func pageOf[T any](items []T, limit int, id func(T) int64) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		p.NextAfter = id(items[limit-1])
	}
	return p
}

// pageParams reads ?after= and ?limit= (default 50, at most 200).
func pageParams(r *http.Request) (after int64, limit int, err error) {
	after, err = queryInt(r, "after", 0, 0, 1<<62)
	if err != nil {
		return 0, 0, err
	}
	l, err := queryInt(r, "limit", 50, 1, 200)
	return after, int(l), err
}
