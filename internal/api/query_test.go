package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// documentedQuery reads, per "METHOD /path", the query parameters the OpenAPI
// document lists for each operation (shared parameters resolved).
func documentedQuery(t *testing.T) map[string][]string {
	t.Helper()
	b, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	type param struct {
		Ref  string `json:"$ref"`
		Name string `json:"name"`
		In   string `json:"in"`
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]param `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Parameters []param `json:"parameters"`
			}
			if method == "parameters" || json.Unmarshal(raw, &op) != nil {
				continue
			}
			var names []string
			for _, p := range op.Parameters {
				if p.Ref != "" {
					p = doc.Components.Parameters[p.Ref[strings.LastIndexByte(p.Ref, '/')+1:]]
				}
				if p.In == "query" {
					names = append(names, p.Name)
				}
			}
			slices.Sort(names)
			out[strings.ToUpper(method)+" "+path] = names
		}
	}
	return out
}

// TestQueryParametersMatchOpenAPI: the parameters each route accepts are
// exactly the ones the OpenAPI document lists for it.
func TestQueryParametersMatchOpenAPI(t *testing.T) {
	srv := New((*store.DB)(nil), slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultConfig())
	documented := documentedQuery(t)
	for _, route := range srv.Routes() {
		declared := slices.Sorted(slices.Values(srv.query[route]))
		if !slices.Equal(declared, documented[route]) {
			t.Errorf("%s takes %v but the OpenAPI document lists %v", route, declared, documented[route])
		}
	}
	if len(srv.query["GET /api/v1/orders"]) == 0 {
		t.Fatal("no route declares its query parameters")
	}
}

// TestEveryAPIRouteRefusesUnknownQueryParameters sends each API route a
// parameter it does not take, and each parameter it takes twice: both are
// 400 naming the parameter, before the route does anything (no database here).
func TestEveryAPIRouteRefusesUnknownQueryParameters(t *testing.T) {
	cfg := DefaultConfig()
	cfg.WriteLimit, cfg.SignUpLimit = 0, 0 // the limits read the store's clock, and there is no store here
	srv := New((*store.DB)(nil), slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	send := func(method, url string) (int, errorDetail) {
		t.Helper()
		req, err := http.NewRequest(method, url, strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body errorBody
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body.Error
	}
	tested := 0
	for _, route := range srv.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		if !strings.HasPrefix(pattern, "/api/v1/") {
			continue
		}
		path := pattern
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "1" + path[j+1:]
		}
		if status, e := send(method, hs.URL+path+"?since=2026-01-01"); status != 400 || e.Code != errs.Invalid || e.Field != "since" {
			t.Errorf("%s ?since=: %d %+v, want 400 invalid on since (a parameter no route takes)", route, status, e)
		}
		for _, name := range srv.query[route] {
			if status, e := send(method, hs.URL+path+"?"+name+"=1&"+name+"=2"); status != 400 || e.Field != name {
				t.Errorf("%s ?%s twice: %d %+v, want 400 on %s", route, name, status, e, name)
			}
		}
		tested++
	}
	if tested < 50 {
		t.Fatalf("only %d API routes tested", tested)
	}
}

// TestQueryParameters checks, on a real database, that parameters a route
// takes still work, that a report refuses a date range it does not
// implement, that a refused write changes nothing, and that pages, which chat
// apps pass on with their own parameters, ignore those.
func TestQueryParameters(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op := ta.operator()
		ta.do("GET", "/api/v1/reports/sales-by-tier?from=2026-01-01", op, nil).wantErr(t, errs.Invalid, "from")
		ta.do("GET", "/api/v1/reports/sales-by-region?parent=CN.44&to=2026-02-01", op, nil).wantErr(t, errs.Invalid, "to")
		ta.do("GET", "/api/v1/orders?limit=1&after=0&status=paid", op, nil).must(t, 200)
		ta.do("GET", "/api/v1/orders?status=", op, nil).must(t, 200) // empty is absent
		ta.do("GET", "/api/v1/orders?status=shipped", op, nil).wantErr(t, errs.Invalid, "status")
		ta.do("GET", "/api/v1/orders?status=paid&status=unpaid", op, nil).wantErr(t, errs.Invalid, "status")
		ta.do("GET", "/api/v1/orders?limit=ten", op, nil).wantErr(t, errs.Invalid, "limit")
		ta.do("GET", "/api/v1/products?on_sale=true&limit=5", "", nil).must(t, 200)
		ta.do("GET", "/api/v1/products?on_sale=yes", "", nil).wantErr(t, errs.Invalid, "on_sale")
		ta.do("GET", "/api/v1/products?%zz", "", nil).wantErr(t, errs.Invalid, "query")
		ta.do("GET", "/api/v1/me?verbose=1", op, nil).wantErr(t, errs.Invalid, "verbose")

		ta.do("POST", "/api/v1/categories?dry_run=1", op, map[string]any{"name": "Tea", "slug": "tea"}).wantErr(t, errs.Invalid, "dry_run")
		if n := len(ta.do("GET", "/api/v1/categories", op, nil).must(t, 200).Body["items"].([]any)); n != 0 {
			t.Fatalf("a refused request created %d categories", n)
		}

	})
}
