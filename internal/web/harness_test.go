package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/api"
	"sharemall/internal/media"
	"sharemall/internal/site"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// testSite is the whole server (API and pages, wired as the command wires
// them) on a real database, reached over HTTP by a browser-like client
// that keeps cookies and does not follow redirects.
type testSite struct {
	t     *testing.T
	db    *store.DB
	url   string
	clock *testutil.Clock
	jar   http.CookieJar
	lang  string // sent as Accept-Language
	ua    string // sent as User-Agent when set
}

func newTestSite(t *testing.T, db *store.DB, opts ...func(*api.Config)) *testSite {
	t.Helper()
	clock := testutil.NewClock()
	// Start at the real time: the browser's cookie jar drops a session
	// cookie whose expiry, on the server's clock, is in its past.
	clock.Advance(time.Since(clock.Now()).Truncate(time.Hour))
	db.Now = clock.Now
	cfg := api.DefaultConfig()
	cfg.HashParams = account.HashParams{Memory: 64, Time: 1, Threads: 1}
	cfg.PaymentSandbox = true
	cfg.CookieSecure = false // the test client keeps Secure cookies off plain http
	cfg.WriteLimit, cfg.SignUpLimit = 0, 0
	for _, o := range opts {
		o(&cfg)
	}
	var err error
	if cfg.Media, err = media.NewLocal(t.TempDir()); err != nil { // uploaded pictures
		t.Fatal(err)
	}
	srv, err := site.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	jar, _ := cookiejar.New(nil)
	return &testSite{t: t, db: db, url: hs.URL, clock: clock, jar: jar, lang: "en"}
}

// page is a response with its body read.
type page struct {
	Status int
	Header http.Header
	Body   string
}

func (s *testSite) do(req *http.Request) *page {
	s.t.Helper()
	req.Header.Set("Accept-Language", s.lang)
	if s.ua != "" {
		req.Header.Set("User-Agent", s.ua)
	}
	c := &http.Client{Jar: s.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return &page{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

func (s *testSite) get(path string) *page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.do(req)
}

// post submits a form as a browser on this site does (same origin).
func (s *testSite) post(path string, form url.Values) *page {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return s.do(req)
}

// signUp makes a customer account through the sign-up page and keeps its session.
func (s *testSite) signUp(name, phone string) {
	s.t.Helper()
	p := s.post("/signup", url.Values{"name": {name}, "phone": {phone}, "password": {"correct horse 1"}, "next": {"/me"}})
	if p.Status != http.StatusSeeOther {
		s.t.Fatalf("sign up: status %d, body %s", p.Status, p.Body)
	}
}

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}
