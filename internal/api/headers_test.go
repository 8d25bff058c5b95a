package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sharemall/internal/errs"
)

// TestSecurityHeaders: every response says nosniff and may be framed only
// by this site; a response carrying a token is never cached.
func TestSecurityHeaders(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		id := ta.do("POST", "/api/v1/orders", w.cust, w.cart(1)).must(t, 201).id()
		ref := ta.do("POST", "/api/v1/orders/"+itoa(id)+"/pay", w.cust, nil).must(t, 201).Body["provider_ref"].(string)
		page := ta.do("GET", "/sandbox/pay/"+ref, "", nil).must(t, 200)
		for h, want := range map[string]string{
			"Content-Security-Policy": "frame-ancestors 'self'",
			"X-Frame-Options":         "SAMEORIGIN",
			"X-Content-Type-Options":  "nosniff",
		} {
			if got := page.Header.Get(h); got != want {
				t.Errorf("pay page %s = %q, want %q", h, got, want)
			}
		}
		for _, res := range []*response{
			ta.do("GET", "/healthz", "", nil).must(t, 200),
			ta.do("GET", "/api/v1/products", "", nil).must(t, 200),
			ta.do("GET", "/api/v1/nothing-here", "", nil).must(t, 404),
			ta.do("POST", "/api/v1/sessions", "", "{").must(t, 400),
		} {
			if res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("no nosniff on %d %s", res.Status, res.Raw)
			}
		}

		// Responses with a token: sign-up, login (a new API key: TestAPIKeysOnlyBySignedInOwner).
		tokens := map[string]*response{
			"sign-up": ta.do("POST", "/api/v1/accounts", "", map[string]any{"email": "new@example.com", "password": "good password 1"}).must(t, 201),
			"login":   ta.do("POST", "/api/v1/sessions", "", map[string]any{"login": "new@example.com", "password": "good password 1"}).must(t, 201),
		}
		for what, res := range tokens {
			if got := res.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", what, got)
			}
		}
	})
}

// TestAPIKeysOnlyBySignedInOwner: an API key cannot revoke keys (another or
// its own), list them or make more; the signed-in owner can.
func TestAPIKeysOnlyBySignedInOwner(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newCatWorld(t, ta)
		keys := fmt.Sprintf("/api/v1/suppliers/%d/api-keys", w.supA)
		k1 := ta.do("POST", keys, w.tok["a"], map[string]any{"name": "shop sync"}).must(t, 201)
		k2 := ta.do("POST", keys, w.tok["a"], map[string]any{"name": "ERP"}).must(t, 201)
		key1 := k1.Body["key"].(string)
		if got := k1.Header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("new API key: Cache-Control %q, want no-store", got)
		}
		ta.do("DELETE", keys+"/"+itoa(k2.id()), key1, nil).wantErr(t, errs.Forbidden, "")
		ta.do("DELETE", keys+"/"+itoa(k1.id()), key1, nil).wantErr(t, errs.Forbidden, "")
		ta.do("GET", keys, key1, nil).wantErr(t, errs.Forbidden, "")
		ta.do("POST", keys, key1, map[string]any{"name": "more"}).wantErr(t, errs.Forbidden, "")
		ta.do("GET", "/api/v1/me", k2.Body["key"].(string), nil).must(t, 200)

		ta.do("DELETE", keys+"/"+itoa(k2.id()), w.tok["a"], nil).must(t, 200)
		ta.do("GET", "/api/v1/me", k2.Body["key"].(string), nil).wantErr(t, errs.Unauthorized, "")
		if list := ta.do("GET", keys, w.tok["a"], nil).must(t, 200); len(list.Body["items"].([]any)) != 2 {
			t.Fatalf("%s", list.Raw)
		}
	})
}

// TestMetricsNotPublic: /metrics answers nobody by default; with a token
// only its bearer; with a metrics address only there.
func TestMetricsNotPublic(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ta.do("GET", "/metrics", "", nil).wantErr(t, errs.NotFound, "")
		op := ta.operator()
		ta.do("GET", "/metrics", op, nil).wantErr(t, errs.NotFound, "") // not even an operator's session

		const token = "metrics-secret-0123456789"
		tt := newTestAPI(t, ta.db, func(c *Config) { c.MetricsToken = token })
		tt.do("GET", "/metrics", "", nil).wantErr(t, errs.Unauthorized, "Authorization")
		tt.do("GET", "/metrics", op, nil).wantErr(t, errs.Unauthorized, "Authorization")
		tt.do("GET", "/metrics", "wrong-"+token, nil).wantErr(t, errs.Unauthorized, "Authorization")
		res := tt.do("GET", "/metrics", token, nil).must(t, 200)
		if !strings.Contains(string(res.Raw), "go_goroutines") {
			t.Fatalf("metrics: %.200s", res.Raw)
		}

		ts := newTestAPI(t, ta.db, func(c *Config) { c.MetricsSeparate = true })
		ts.do("GET", "/metrics", "", nil).wantErr(t, errs.NotFound, "")
		rec := httptest.NewRecorder()
		ts.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
			t.Fatalf("metrics address: %d %.200s", rec.Code, rec.Body.String())
		}
	})
}

// TestSignUpProbesAreLimited: sign-up answers "already registered" (see
// docs/architecture.md for why), so probing addresses through it is held to
// the per-address sign-up limit, taken or not.
func TestSignUpProbesAreLimited(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		def := DefaultConfig()
		ta = newTestAPI(t, ta.db, func(c *Config) { c.WriteLimit, c.SignUpLimit = def.WriteLimit, def.SignUpLimit })
		ta.newAccount("taken@example.com")
		for i := range def.SignUpLimit {
			if i%2 == 1 {
				ta.do("POST", "/api/v1/accounts", "", map[string]any{"email": fmt.Sprintf("probe%d@example.com", i), "password": "good password 1"}).must(t, 201)
				continue
			}
			res := ta.do("POST", "/api/v1/accounts", "", map[string]any{"email": "taken@example.com", "password": "good password 1"})
			res.wantErr(t, errs.Conflict, "email")
			if !strings.Contains(res.errMessage(), "sign in") {
				t.Fatalf("a person is not told what to do: %s", res.Raw)
			}
		}
		// 30 an hour: the next in 2 minutes.
		ta.do("POST", "/api/v1/accounts", "", map[string]any{"email": "taken@example.com", "password": "good password 1"}).wantWait(t, "", 120)
	})
}
