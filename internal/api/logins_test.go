package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"sharemall/internal/errs"
)

// behindProxy makes the test client a trusted proxy, so X-Forwarded-For
// says which address each request comes from.
func behindProxy(c *Config) {
	c.TrustedProxies, _ = ParseTrustedProxies("trusted_proxies", "127.0.0.0/8, ::1")
}

// from sends a request as the client at addr (through the trusted proxy)
// and validates the response as do does.
func (ta *testAPI) from(addr, method, path, token string, body any) *response {
	ta.t.Helper()
	res, err := ta.send(addr, method, path, token, body)
	if err != nil {
		ta.t.Fatal(err)
	}
	return res
}

// send is from without failing the test, so goroutines may use it.
func (ta *testAPI) send(addr, method, path, token string, body any) (*response, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(method, ta.http.URL+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := ta.http.Client().Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	json.Unmarshal(raw, &out.Body)
	ta.validate(req, out)
	return out, nil
}

// wantWait fails unless res is a 429 naming field whose Retry-After is seconds.
func (r *response) wantWait(t *testing.T, field string, seconds int) {
	t.Helper()
	r.wantErr(t, errs.TooMany, field)
	if got := r.Header.Get("Retry-After"); got != fmt.Sprint(seconds) {
		t.Fatalf("Retry-After %q, want %d: %s", got, seconds, r.Raw)
	}
}

// loginAll sends n logins at once (released together) and counts the
// answers by status; 401 means the password was checked and was wrong.
func loginAll(t *testing.T, ta *testAPI, n int, login, addr func(i int) string) map[int]int {
	t.Helper()
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		counted = map[int]int{}
		waits   = map[string]int{}
	)
	for i := range n {
		wg.Go(func() {
			<-start
			res, err := ta.send(addr(i), "POST", "/api/v1/sessions", "", map[string]any{"login": login(i), "password": fmt.Sprintf("guess number %d", i)})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			counted[res.Status]++
			if res.Status == http.StatusTooManyRequests {
				waits[res.Header.Get("Retry-After")]++
			}
		})
	}
	close(start)
	wg.Wait()
	if counted[http.StatusTooManyRequests] > 0 && waits[""] > 0 {
		t.Errorf("429 without Retry-After: %v", waits)
	}
	return counted
}

func sameAddr(s string) func(int) string { return func(int) string { return s } }

// TestLoginThrottleUnderConcurrency: 50 wrong passwords sent at once are
// not all checked. Counting and recording are one step, so exactly the
// policy's number get a 401 (checked) and the rest a 429.
func TestLoginThrottleUnderConcurrency(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ta.newAccount("cy@example.com")
		p := ta.srv.cfg.Login
		// One name from one address: its free failures, then slowed.
		got := loginAll(t, ta, 50, func(int) string { return "cy@example.com" }, sameAddr(""))
		if got[401] != p.NameFree || got[429] != 50-p.NameFree {
			t.Errorf("one name, one address: %v, want %d checked and the rest refused", got, p.NameFree)
		}
		// One address, 50 names: the address's hard limit.
		ta2 := newTestAPI(t, ta.db, behindProxy)
		got = loginAll(t, ta2, 50, func(i int) string { return fmt.Sprintf("user%d@example.com", i) }, sameAddr("203.0.113.2"))
		if got[401] != p.AddressLimit || got[429] != 50-p.AddressLimit {
			t.Errorf("one address, many names: %v, want %d checked and the rest refused", got, p.AddressLimit)
		}
	})
}

// TestNoOneLocksOutTheOperator: guesses at the operator's login from one
// address slow that name down and then stop that address, while the
// operator, from an address with no failures, signs in at once. Every
// refusal says the real time left.
func TestNoOneLocksOutTheOperator(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ta = newTestAPI(t, ta.db, behindProxy)
		ta.operator() // op@example.com, password "correct horse 1"
		const attacker, home = "203.0.113.9", "198.51.100.7"
		guess := func(login string) *response {
			return ta.from(attacker, "POST", "/api/v1/sessions", "", map[string]any{"login": login, "password": "guess guess 1"})
		}
		for range 5 {
			guess("op@example.com").wantErr(t, errs.Unauthorized, "password")
		}
		guess("op@example.com").wantWait(t, "login", 1)

		// The operator is not locked out: 201 from home, right away.
		res := ta.from(home, "POST", "/api/v1/sessions", "", map[string]any{"login": "op@example.com", "password": "correct horse 1"}).must(t, 201)
		if res.Body["token"] == "" {
			t.Fatalf("%s", res.Raw)
		}

		// The attacker is slowed on the name, 1 s then 2 s...
		ta.clock.Advance(time.Second)
		guess("op@example.com").wantErr(t, errs.Unauthorized, "password")
		guess("op@example.com").wantWait(t, "login", 2)
		// ...and stopped at its address's 10th failure, whatever the name,
		// until the first leaves the 15-minute window (1 s ago).
		for i := range 4 {
			guess(fmt.Sprintf("someone%d@example.com", i)).wantErr(t, errs.Unauthorized, "password")
		}
		guess("someone-else@example.com").wantWait(t, "", 15*60-1)
		ta.from(attacker, "POST", "/api/v1/sessions", "", map[string]any{"login": "op@example.com", "password": "correct horse 1"}).wantWait(t, "", 15*60-1)
		ta.clock.Advance(15*time.Minute - time.Second)
		guess("someone-else@example.com").wantErr(t, errs.Unauthorized, "password")

		// Another address's failures never slow the operator at home.
		ta.from(home, "POST", "/api/v1/sessions", "", map[string]any{"login": "op@example.com", "password": "correct horse 1"}).must(t, 201)
	})
}
