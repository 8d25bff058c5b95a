package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// TestErrorsOutsideHandlersUseTheEnvelope covers the answers no handler
// writes: the cross-origin refusal, paths no route serves and methods a path
// is not served with. Each must be the JSON error envelope, like every other
// error. None of them reaches the database.
func TestErrorsOutsideHandlersUseTheEnvelope(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WriteLimit, cfg.SignUpLimit = 0, 0 // the limits read the store's clock, and there is no store here
	srv := New((*store.DB)(nil), slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	cases := []struct {
		name, method, path string
		header             map[string]string
		status             int
		code               errs.Code
		field, allow       string
	}{
		{"unknown API path", "GET", "/api/v1/nothing-here", nil, 404, errs.NotFound, "", ""},
		{"unknown path outside the API", "GET", "/nothing-here", nil, 404, errs.NotFound, "", ""},
		{"wrong method on a list", "DELETE", "/api/v1/orders", nil, 405, errs.BadMethod, "", "GET, HEAD, POST"},
		{"wrong method on an item", "POST", "/api/v1/orders/7", nil, 405, errs.BadMethod, "", "GET, HEAD"},
		{"wrong method on a page", "PUT", "/sandbox/pay/abc", nil, 405, errs.BadMethod, "", "GET, HEAD, POST"},
		{"wrong method on health", "POST", "/healthz", nil, 405, errs.BadMethod, "", "GET, HEAD"},
		{"cross-origin write", "POST", "/api/v1/sessions", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, errs.Forbidden, "Origin", ""},
		{"foreign Origin", "POST", "/api/v1/accounts", map[string]string{"Origin": "https://evil.example"}, 403, errs.Forbidden, "Origin", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, hs.URL+tc.path, bytes.NewReader([]byte(`{}`)))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			res, err := hs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tc.status, raw)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q: %s", ct, raw)
			}
			var body errorBody
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&body); err != nil {
				t.Fatalf("not the envelope: %v: %s", err, raw)
			}
			if body.Error.Code != tc.code || body.Error.Field != tc.field || body.Error.Message == "" {
				t.Fatalf("error %+v, want code %s field %q", body.Error, tc.code, tc.field)
			}
			if got := res.Header.Get("Allow"); got != tc.allow {
				t.Fatalf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
}
