package web_test

import (
	"net/http"
	"strings"
	"testing"

	"sharemall/internal/testutil"
)

// /favicon.ico, which a browser asks for on a document without an icon
// link (the payment sandbox's page), leads to the app's icon.
func TestFavicon(t *testing.T) {
	s := newTestSite(t, testutil.OpenSQLite(t))
	p := s.get("/favicon.ico")
	to := p.Header.Get("Location")
	if p.Status != http.StatusMovedPermanently || !strings.HasPrefix(to, "/static/icon-32.") {
		t.Fatalf("/favicon.ico: %d to %q", p.Status, to)
	}
	if icon := s.get(to); icon.Status != http.StatusOK || icon.Header.Get("Content-Type") != "image/png" {
		t.Errorf("%s: %d %s", to, icon.Status, icon.Header.Get("Content-Type"))
	}
}
