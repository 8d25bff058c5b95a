package api

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"sync"

	"go.yaml.in/yaml/v4"
)

// The OpenAPI document is written by hand, one YAML file per resource, and
// merged here: base.yaml holds info, security schemes and shared schemas;
// each other file adds paths and schemas. Two files defining the same path
// or schema is an error, so a merge never silently drops anything.
//
//go:embed openapi/*.yaml
var openapiFiles embed.FS

var openapiJSON = sync.OnceValues(func() ([]byte, error) {
	doc, err := mergeOpenAPI(openapiFiles)
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// OpenAPI returns the merged OpenAPI document as JSON.
func OpenAPI() ([]byte, error) { return openapiJSON() }

func mergeOpenAPI(fsys fs.FS) (map[string]any, error) {
	names, err := fs.Glob(fsys, "openapi/*.yaml")
	if err != nil {
		return nil, err
	}
	// base.yaml first, then the others in name order.
	sort.Slice(names, func(i, j int) bool {
		bi, bj := names[i] == "openapi/base.yaml", names[j] == "openapi/base.yaml"
		if bi != bj {
			return bi
		}
		return names[i] < names[j]
	})
	var doc map[string]any
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var part map[string]any
		if err := yaml.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if name == "openapi/base.yaml" {
			doc = part
			continue
		}
		if doc == nil {
			return nil, fmt.Errorf("no openapi/base.yaml")
		}
		if err := mergeSection(doc, part, name, "paths"); err != nil {
			return nil, err
		}
		if comps, ok := part["components"].(map[string]any); ok {
			dst, _ := doc["components"].(map[string]any)
			if dst == nil {
				dst = map[string]any{}
				doc["components"] = dst
			}
			for kind := range comps {
				if err := mergeSection(dst, comps, name, kind); err != nil {
					return nil, err
				}
			}
		}
		if tags, ok := part["tags"].([]any); ok {
			existing, _ := doc["tags"].([]any)
			doc["tags"] = append(existing, tags...)
		}
	}
	if doc == nil {
		return nil, fmt.Errorf("no openapi/base.yaml")
	}
	documentWriteLimits(doc)
	return doc, nil
}

// mergeSection copies part[key]'s entries into doc[key], refusing duplicates.
func mergeSection(doc, part map[string]any, file, key string) error {
	src, ok := part[key].(map[string]any)
	if !ok {
		return nil
	}
	dst, _ := doc[key].(map[string]any)
	if dst == nil {
		dst = map[string]any{}
		doc[key] = dst
	}
	for k, v := range src {
		if _, dup := dst[k]; dup {
			return fmt.Errorf("%s: %s %q is defined twice", file, key, k)
		}
		dst[k] = v
	}
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	b, err := openapiJSON()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
