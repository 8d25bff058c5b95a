package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/api"
	"sharemall/internal/jobs"
	"sharemall/internal/payment"
	"sharemall/internal/site"
	"sharemall/internal/store"
)

// Site is the whole server (API and pages, wired as the command wires
// them) on a real database, listening on 127.0.0.1 at a free port.
type Site struct {
	URL   string // http://127.0.0.1:port
	DB    *store.DB
	Clock *Clock // the store's clock (db.Now): a journey moves it
	srv   *httptest.Server
}

// LocalConfig is the server's configuration for a site that a browser on
// this machine drives (the browser tests, the screenshots): cheap
// password hashes, the sandbox payment provider, cookies without Secure
// (the site is plain http), no rate limits, and webhooks to loopback.
func LocalConfig() api.Config {
	cfg := api.DefaultConfig()
	cfg.HashParams = account.HashParams{Memory: 64, Time: 1, Threads: 1}
	cfg.PaymentSandbox = true
	cfg.CookieSecure = false
	cfg.WriteLimit, cfg.SignUpLimit = 0, 0
	cfg.WebhooksAllowPrivate = true // webhooks to a receiver on this machine, as the demo allows
	return cfg
}

// StartSite serves db with cfg on 127.0.0.1 at a free port. The store's
// clock becomes the site's Clock, which starts at the real time: the
// browser judges a cookie's expiry by its own clock. Close stops it.
func StartSite(db *store.DB, cfg api.Config, log *slog.Logger) (*Site, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	clock := &Clock{}
	db.Now = clock.Now
	srv, err := site.New(db, log, cfg)
	if err != nil {
		return nil, err
	}
	hs := httptest.NewServer(srv.Handler()) // listens on 127.0.0.1:0
	return &Site{URL: hs.URL, DB: db, Clock: clock, srv: hs}, nil
}

// Close stops serving; connections still open are closed.
func (s *Site) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Session signs in through the API (POST /api/v1/sessions) and returns
// the session's token: the value of the session cookie (session.Cookie),
// for a Tab that should start signed in without going through the form.
func (s *Site) Session(login, password string) (string, error) {
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	res, err := http.Post(s.URL+"/api/v1/sessions", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sign in as %s: status %d", login, res.StatusCode)
	}
	return out.Token, nil
}

// RunDue runs the background work that is due at the site's clock, once,
// as `sharemall jobs run-due` does (cancel unpaid orders, confirm receipt,
// settle commissions, …).
func (s *Site) RunDue(ctx context.Context) (jobs.Result, error) {
	r := jobs.NewRunner(s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)), &payment.Sandbox{})
	return r.RunDue(ctx)
}

// Clock is the store's clock: the real time plus how far the test moved
// it, so a journey's steps are seconds apart as a person's are, and the
// test can jump past a deadline. Safe to read from the server's goroutines
// while a test moves it.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the real time moved by every Advance so far.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
