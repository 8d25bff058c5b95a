package demo

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sharemall/internal/catalog"
)

// TestMediaPictures: every demo product's three views and every demo
// shop's avatar are well-formed SVG, cached for a year, with the product's
// names escaped; anything else under the prefix is 404.
func TestMediaPictures(t *testing.T) {
	h := Media()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	check := func(path string, want ...string) {
		t.Helper()
		rec := get(path)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" ||
			!strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Fatalf("%s: %d %v", path, rec.Code, rec.Header())
		}
		if err := catalog.CheckImages("images", []string{path}); err != nil {
			t.Fatalf("%s is not a valid product image: %v", path, err)
		}
		d := xml.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed: %v\n%s", path, err, rec.Body)
			}
		}
		for _, w := range want {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
	}
	for si, s := range demoSuppliers {
		for i, p := range s.products {
			zh, ok := zhNames[p.title]
			if !ok {
				t.Errorf("%q has no Chinese name for its pictures", p.title)
			}
			check(productImage(si, i, 1), zh)
			check(productImage(si, i, 2), zh)
			check(productImage(si, i, 3), strings.ReplaceAll(s.name, "&", "&amp;"))
		}
	}
	check(productImage(2, 0, 3), "Chengdu Home &amp; Living") // escaped, not raw
	for n := 1; n <= len(demoShops); n++ {
		check(shopAvatar(n), "好物")
	}
	for _, bad := range []string{MediaPrefix + "p-9-0-1.svg", MediaPrefix + "p-0-99-1.svg", MediaPrefix + "p-0-0-4.svg",
		MediaPrefix + "shop-0.svg", MediaPrefix + "shop-99.svg", MediaPrefix, "/media/demo/v0/p-0-0-1.svg", MediaPrefix + "p-0-0-1.svg.png"} {
		if rec := get(bad); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, rec.Code)
		}
	}
}
