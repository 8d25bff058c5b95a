package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"sharemall/internal/store"
)

// TestOpenAPIMatchesRoutes fails when a handler's route is missing from the
// document or the document names a route no handler serves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	if _, err := loadSpec(); err != nil {
		t.Fatalf("OpenAPI document does not load or validate: %v", err)
	}
	b, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "patch", "delete":
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	srv := New((*store.DB)(nil), slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultConfig())
	served := srv.Routes()
	slices.Sort(documented)
	slices.Sort(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is served but not in the OpenAPI document", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("the OpenAPI document names %s but no handler serves it", r)
		}
	}
	if len(served) < 3 {
		t.Fatalf("only %d routes registered", len(served))
	}
}

func TestHealthz(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		res := ta.do("GET", "/healthz", "", nil).must(t, 200)
		if res.Body["status"] != "ok" {
			t.Fatalf("healthz: %s", res.Raw)
		}
		ta.do("GET", "/metrics", "", nil).wantErr(t, "not_found", "") // not public unless configured
		ta.do("GET", "/api/openapi.json", "", nil).must(t, 200)
		ta.do("GET", "/api/v1/nothing-here", "", nil).wantErr(t, "not_found", "")
	})
}
