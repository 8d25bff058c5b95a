package api

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestOpenAPIOperationIDs: every operation has an operationId, and no two
// share one (client generators name their functions after them).
func TestOpenAPIOperationIDs(t *testing.T) {
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
	seen := map[string]string{}
	n := 0
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			switch method {
			case "get", "put", "post", "patch", "delete", "head", "options", "trace":
			default:
				continue // parameters, summary: not operations
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			n++
			where := method + " " + path
			switch prev, dup := seen[op.OperationID]; {
			case op.OperationID == "":
				t.Errorf("%s has no operationId", where)
			case dup:
				t.Errorf("%s and %s share the operationId %q", prev, where, op.OperationID)
			default:
				seen[op.OperationID] = where
			}
		}
	}
	if n < 3 {
		t.Fatalf("only %d operations", n)
	}
}

// TestOpenAPINullable: the document declares OpenAPI 3.0, where a value
// that may be null says so with nullable: true beside its type (nullable
// without a type has no effect, and type arrays are 3.1's way).
func TestOpenAPINullable(t *testing.T) {
	b, err := OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Fatalf("the document declares OpenAPI %q; this test knows 3.0", v)
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if n, _ := v["nullable"].(bool); n {
				if _, ok := v["type"].(string); !ok {
					t.Errorf("%s: nullable without a type beside it", at)
				}
			}
			if _, ok := v["type"].([]any); ok {
				t.Errorf("%s: a type array is OpenAPI 3.1; use nullable: true", at)
			}
			for k, c := range v {
				walk(at+"/"+k, c)
			}
		case []any:
			for i, c := range v {
				walk(at+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("#", doc)
}
