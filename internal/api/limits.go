package api

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 127.0.0.1") of the proxies whose X-Forwarded-For
// is believed.
func ParseTrustedProxies(field, s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, errs.Invalidf(field, "%q is neither an address nor a CIDR prefix", part)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// clientAddr is the key limits count a caller under: the connection's
// address, or, when that is a trusted proxy, the nearest address in
// X-Forwarded-For that is not one (read right to left, so a client cannot
// plant an address of its choosing). IPv6 callers are keyed by their /64,
// the block one subscriber usually holds.
func (s *Server) clientAddr(r *http.Request) string {
	addr, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	a := addr.Addr().Unmap()
	if len(s.cfg.TrustedProxies) > 0 {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0 && trusted(s.cfg.TrustedProxies, a); i-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			a = hop.Unmap()
		}
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func trusted(proxies []netip.Prefix, a netip.Addr) bool {
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// addressLimiter is a token bucket per client address, in this server's
// memory: per is how often one token comes back, burst how many a bucket holds.
type addressLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*addressBucket
	pruneAt int
}

type addressBucket struct {
	*rate.Limiter
	seen time.Time
}

// newAddressLimiter allows n requests per period per address, in bursts of
// up to n; nil (no limit) when n is 0.
func newAddressLimiter(n int, period time.Duration, now func() time.Time) *addressLimiter {
	if n <= 0 {
		return nil
	}
	return &addressLimiter{limit: rate.Limit(float64(n) / period.Seconds()), burst: n, now: now,
		buckets: map[string]*addressBucket{}, pruneAt: 1024}
}

// take spends a token of addr's bucket and returns how to give it back,
// or says how long until there is one.
func (l *addressLimiter) take(addr string) (wait time.Duration, giveBack func()) {
	if l == nil {
		return 0, func() {}
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		b = &addressBucket{Limiter: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[addr] = b
		if len(l.buckets) >= l.pruneAt {
			l.prune(now)
		}
	}
	b.seen = now
	res := b.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, nil
	}
	return 0, func() { res.CancelAt(now) }
}

// prune forgets buckets idle long enough to be full again: a new one is the same.
func (l *addressLimiter) prune(now time.Time) {
	refill := time.Duration(float64(l.burst) / float64(l.limit) * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.seen) > refill {
			delete(l.buckets, k)
		}
	}
	l.pruneAt = max(1024, 2*len(l.buckets))
}

// isWrite reports whether a method changes something.
func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// limitWrites refuses writes past the per-address limits with 429 and the
// real time left: every write, and sign-ups on their own stricter limit.
// Payment providers' callbacks are exempt: they come from the provider's
// few addresses, carry a signature, and refusing one delays a customer's
// payment.
func (s *Server) limitWrites(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWrite(r.Method) || (strings.HasPrefix(r.URL.Path, "/api/v1/payments/") && strings.HasSuffix(r.URL.Path, "/callback")) {
			next.ServeHTTP(w, r)
			return
		}
		addr := s.clientAddr(r)
		wait, giveBack := s.writes.take(addr)
		if wait > 0 {
			s.writeError(w, r, errs.TooManyFor(wait, "", "too many writes from your network address (at most %d a minute); try again in %s",
				s.cfg.WriteLimit, account.Seconds(wait)))
			return
		}
		if r.Method == http.MethodPost && r.URL.Path == "/api/v1/accounts" {
			if wait, _ := s.signUps.take(addr); wait > 0 {
				giveBack() // a refused request spends nothing
				s.writeError(w, r, errs.TooManyFor(wait, "", "too many sign-ups from your network address (at most %d an hour); try again in %s",
					s.cfg.SignUpLimit, account.Seconds(wait)))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// retryAfter is the Retry-After value for a wait: whole seconds, rounded up.
func retryAfter(d time.Duration) string {
	return fmt.Sprint(int64(account.Seconds(d) / time.Second))
}

// documentWriteLimits gives every write operation of the OpenAPI document
// its 429, once here rather than in every file, since limitWrites stands
// in front of them all (payment callbacks excepted).
func documentWriteLimits(doc map[string]any) {
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			o, _ := op.(map[string]any)
			res, _ := o["responses"].(map[string]any)
			if res == nil || !isWrite(strings.ToUpper(method)) || strings.HasSuffix(path, "/callback") {
				continue
			}
			if _, ok := res["429"]; !ok {
				res["429"] = map[string]any{"$ref": "#/components/responses/TooMany"}
			}
		}
	}
}
