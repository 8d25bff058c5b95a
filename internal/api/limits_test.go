package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
)

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("trusted_proxies", " 10.0.0.0/8 ,192.0.2.1,")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseTrustedProxies("trusted_proxies", "10.0.0.0/8, proxy.local"); errs.FieldOf(err) != "trusted_proxies" {
		t.Fatalf("bad entry: %v", err)
	}
	for _, tc := range []struct {
		name    string
		trusted bool
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: the connection", false, "203.0.113.5:4711", nil, "203.0.113.5"},
		{"no proxies: X-Forwarded-For is ignored", false, "203.0.113.5:4711", []string{"198.51.100.1"}, "203.0.113.5"},
		{"untrusted peer cannot plant an address", true, "203.0.113.5:4711", []string{"198.51.100.1"}, "203.0.113.5"},
		{"one trusted proxy", true, "10.1.2.3:80", []string{"198.51.100.1"}, "198.51.100.1"},
		{"the nearest untrusted hop, not what the client wrote", true, "10.1.2.3:80", []string{"6.6.6.6, 198.51.100.1, 192.0.2.1"}, "198.51.100.1"},
		{"several headers read as one list", true, "10.1.2.3:80", []string{"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},
		{"garbage stops at the last proxy", true, "10.1.2.3:80", []string{"not-an-ip"}, "10.1.2.3"},
		{"trusted proxy without the header", true, "10.1.2.3:80", nil, "10.1.2.3"},
		{"IPv6 keyed by its /64", false, "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64"},
		{"IPv4-mapped IPv6 is IPv4", false, "[::ffff:203.0.113.5]:443", nil, "203.0.113.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{}
			if tc.trusted {
				s.cfg.TrustedProxies = proxies
			}
			r, _ := http.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientAddr(r); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestWriteLimits: every write and, more strictly, every sign-up is limited
// per client address with a 429 in the error envelope and the real time
// left; reads, other addresses and payment callbacks are not held up, and a
// refused request spends nothing.
func TestWriteLimits(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ta = newTestAPI(t, ta.db, behindProxy, func(c *Config) { c.WriteLimit, c.SignUpLimit = 5, 2 })
		const a, b = "203.0.113.7", "198.51.100.8"
		signUp := func(addr string, i int) *response {
			return ta.from(addr, "POST", "/api/v1/accounts", "", map[string]any{"email": fmt.Sprintf("u%d@example.com", i), "password": "good password 1"})
		}
		signUp(a, 1).must(t, 201)
		tok := signUp(a, 2).must(t, 201).Body["token"].(string)
		res := signUp(a, 3)
		res.wantWait(t, "", 30*60) // 2 an hour: the next in 30 minutes
		if !strings.Contains(res.errMessage(), "sign-ups") {
			t.Fatalf("message: %s", res.Raw)
		}
		signUp(b, 4).must(t, 201)

		// Two writes spent by sign-ups (the refused one gave its back): three left.
		for range 3 {
			ta.from(a, "PUT", "/api/v1/me/password", tok, map[string]any{"current_password": "wrong", "new_password": "x"}).wantErr(t, errs.Invalid, "new_password")
		}
		res = ta.from(a, "PUT", "/api/v1/me/password", tok, map[string]any{"current_password": "wrong", "new_password": "x"})
		res.wantWait(t, "", 12) // 5 a minute: one every 12 s
		if !strings.Contains(res.errMessage(), "writes") {
			t.Fatalf("message: %s", res.Raw)
		}
		ta.from(a, "DELETE", "/api/v1/sessions/current", tok, nil).wantWait(t, "", 12)
		ta.from(a, "GET", "/api/v1/me", tok, nil).must(t, 200)
		ta.from(b, "POST", "/api/v1/sessions", "", map[string]any{"login": "u4@example.com", "password": "good password 1"}).must(t, 201)
		ta.from(a, "POST", "/api/v1/payments/sandbox/callback", "", map[string]any{"provider_ref": "x"}).wantErr(t, errs.Invalid, "X-Sandbox-Signature")

		ta.clock.Advance(11 * time.Second)
		ta.from(a, "POST", "/api/v1/sessions", "", map[string]any{"login": "u1@example.com", "password": "good password 1"}).wantWait(t, "", 1)
		ta.clock.Advance(time.Second)
		ta.from(a, "POST", "/api/v1/sessions", "", map[string]any{"login": "u1@example.com", "password": "good password 1"}).must(t, 201)
	})
}

// TestLimitsOnByDefault: the default configuration limits writes and
// sign-ups; the bench and the test harness turn them off on purpose.
func TestLimitsOnByDefault(t *testing.T) {
	c := DefaultConfig()
	if c.WriteLimit <= 0 || c.SignUpLimit <= 0 || c.Login.AddressLimit <= 0 {
		t.Fatalf("defaults without limits: %+v", c)
	}
	if c.MetricsToken != "" || c.MetricsSeparate {
		t.Fatalf("metrics configured by default: %+v", c)
	}
}
