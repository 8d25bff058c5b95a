package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func TestSignUpInOut(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		s := newTestSite(t, db)
		if p := s.get("/me"); p.Status != http.StatusOK || !strings.Contains(p.Body, `href="/signin?next=/me"`) {
			t.Fatalf("anonymous /me: %d", p.Status)
		}
		// A refused form keeps what was typed and says why by the field.
		p := s.post("/signup", url.Values{"name": {"Lin"}, "phone": {"13800138000"}, "password": {"short"}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("weak password: status %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-password"`, `value="13800138000"`, `value="Lin"`, `aria-invalid="true"`)
		s.signUp("Lin", "13800138000")
		p = s.get("/me")
		mustContain(t, p.Body, `data-test="me-name">Lin<`, "138 0013 8000")
		if t.Failed() {
			t.Log(p.Body)
		}

		if p := s.post("/signout", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("sign out: %d", p.Status)
		}
		if p := s.get("/me"); strings.Contains(p.Body, "me-name") {
			t.Fatal("still signed in after signing out")
		}
		// Sign in by the phone as dialled at home, and go where next says.
		p = s.post("/signin", url.Values{"login": {"13800138000"}, "password": {"wrong password 1"}})
		if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, `data-test="error-password"`) || !strings.Contains(p.Body, `value="13800138000"`) {
			t.Fatalf("wrong password: %d", p.Status)
		}
		p = s.post("/signin", url.Values{"login": {"13800138000"}, "password": {"correct horse 1"}, "next": {"https://evil.example/x"}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/" {
			t.Fatalf("sign in: %d to %q (an outside next must not be followed)", p.Status, p.Header.Get("Location"))
		}
	})
}

func TestLanguageAndHeaders(t *testing.T) {
	s := newTestSite(t, testutil.OpenSQLite(t))
	s.lang = "zh-CN,zh;q=0.9"
	p := s.get("/signin")
	mustContain(t, p.Body, `<html lang="zh-CN">`, "登录")
	csp := p.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	// The switch is remembered over Accept-Language.
	if p := s.get("/lang/en?next=/signin"); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin" {
		t.Fatalf("switch: %d %q", p.Status, p.Header.Get("Location"))
	}
	mustContain(t, s.get("/signin").Body, `<html lang="en">`, "Phone or email")
	if p := s.get("/lang/fr"); p.Status != http.StatusBadRequest {
		t.Errorf("unknown language: %d", p.Status)
	}
	// A form posted from another site is refused before it runs.
	req, _ := http.NewRequest(http.MethodPost, s.url+"/signin", strings.NewReader("login=a&password=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if p := s.do(req); p.Status != http.StatusForbidden {
		t.Errorf("cross-site form: %d", p.Status)
	}
}

func TestStaticFilesAndShell(t *testing.T) {
	s := newTestSite(t, testutil.OpenSQLite(t))
	body := s.get("/signin").Body
	i := strings.Index(body, `href="/static/app.`)
	if i < 0 {
		t.Fatal("no hashed stylesheet link")
	}
	css := body[i+6 : i+6+strings.Index(body[i+6:], `"`)]
	p := s.get(css)
	if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Cache-Control"), "immutable") || p.Header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("%s: %d %v", css, p.Status, p.Header)
	}
	if p := s.get("/static/app.00000000.css"); p.Status != http.StatusNotFound {
		t.Errorf("unknown hash: %d", p.Status)
	}
	sw := s.get("/sw.js")
	if sw.Status != http.StatusOK || !strings.Contains(sw.Body, css) || strings.Contains(sw.Body, "__SHELL__") {
		t.Errorf("service worker does not cache the shell: %d", sw.Status)
	}
	m := s.get("/manifest.webmanifest")
	mustContain(t, m.Body, `"display":"standalone"`, `"sizes":"512x512"`)
	if p := s.get("/offline"); p.Status != http.StatusOK {
		t.Errorf("offline page: %d", p.Status)
	}
	if p := s.get("/no/such/page"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, `data-test="error-page"`) {
		t.Errorf("unknown page: %d", p.Status)
	}
}

// TestMeLinksToConsoles: an operator's Me page leads to the operator
// console, and nobody else's does.
func TestMeLinksToConsoles(t *testing.T) {
	db := testutil.OpenSQLite(t)
	s := newTestSite(t, db)
	hash, err := account.HashPassword(account.HashParams{Memory: 64, Time: 1, Threads: 1}, "correct horse 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAccount(context.Background(), account.SignUp{Name: "Op", Email: "op@example.com"}, hash, account.Operator); err != nil {
		t.Fatal(err)
	}
	if p := s.post("/signin", url.Values{"login": {"op@example.com"}, "password": {"correct horse 1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", p.Status)
	}
	mustContain(t, s.get("/me").Body, `data-test="ops-link"`)
	c := newTestSite(t, testutil.OpenSQLite(t))
	c.signUp("Lin", "13800138000")
	if body := c.get("/me").Body; strings.Contains(body, "ops-link") || strings.Contains(body, "sup-link") {
		t.Error("a customer's Me page links to a console")
	}
}
