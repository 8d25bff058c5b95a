package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
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
	if code == errs.TooMany {
		w.Header().Set("Retry-After", "60")
	}
	writeJSON(w, status, errorBody{errorDetail{Code: code, Field: errs.FieldOf(err), Message: errs.MessageOf(err), RequestID: requestID(r)}})
}

// writeJSON renders v fully before writing a byte, so an encoding failure
// becomes a clean 500 instead of half a response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		slog.Error("encode response", "err", err)
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
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

// pathID reads a positive integer id from the URL path.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Invalidf(name, "must be a positive integer id, not %q", v)
	}
	return id, nil
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
