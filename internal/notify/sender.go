package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"sharemall/internal/errs"
)

// CheckURL refuses an endpoint URL that is not http(s) with a host, and,
// unless allowPrivate, one whose host is a loopback, private, link-local or
// unspecified address or resolves only to such (the server would otherwise
// be made to post into its own network). The Sender checks again when it
// connects, so a name that later resolves inside is refused then too.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return errs.Invalidf("url", "%q is not an absolute URL with a host", raw)
	case u.Scheme != "https" && u.Scheme != "http":
		return errs.Invalidf("url", "the scheme must be https or http, not %q", u.Scheme)
	case u.User != nil:
		return errs.Invalidf("url", "the URL may not carry a user name or password")
	case len(raw) > 2000:
		return errs.Invalidf("url", "the URL is longer than 2000 characters")
	case allowPrivate:
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if Private(ip) {
			return errs.Invalidf("url", "%s is a private or loopback address; webhooks go to public addresses only", host)
		}
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return errs.Invalidf("url", "%s is a loopback name; webhooks go to public addresses only", host)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return errs.Invalidf("url", "the host %s does not resolve: %v", host, err)
	}
	for _, a := range addrs {
		if Private(a) {
			return errs.Invalidf("url", "%s resolves to %s, a private or loopback address; webhooks go to public addresses only", host, a)
		}
	}
	return nil
}

// Private reports whether ip is not a public unicast address.
func Private(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(ip) // carrier-grade NAT
}

// Sender posts webhook deliveries.
type Sender struct {
	Client *http.Client
}

// NewSender returns a sender whose connections time out after timeout and
// that refuses private addresses at connect time unless allowPrivate. It
// does not follow redirects: a 3xx is a failed attempt.
func NewSender(timeout time.Duration, allowPrivate bool) *Sender {
	d := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err == nil && Private(ap.Addr()) {
				return fmt.Errorf("notify: refused to connect to private address %s", ap.Addr())
			}
			return err
		}
	}
	tr := &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost: 2, IdleConnTimeout: 90 * time.Second}
	return &Sender{Client: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Post is one delivery to send.
type Post struct {
	URL     string
	Secret  string
	EventID string
	Body    []byte
}

// Result is what one attempt got.
type Result struct {
	Status   int           // the response's status code, 0 when none came
	Latency  time.Duration // from sending to the end of the response (or the error)
	Err      string        // what went wrong, "" on a 2xx
	Response string        // the first 512 bytes of the response body
}

// OK reports whether the receiver acknowledged the delivery (any 2xx).
func (r Result) OK() bool { return r.Err == "" && r.Status >= 200 && r.Status < 300 }

// Send posts p, signed at now, and reports what came back.
func (s *Sender) Send(ctx context.Context, p Post, now time.Time) Result {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(p.Body))
	if err != nil {
		return Result{Err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Sharemall-Webhooks/1")
	req.Header.Set(SignatureHeader, Sign(p.Secret, now, p.Body))
	req.Header.Set(EventIDHeader, p.EventID)
	resp, err := s.Client.Do(req)
	if err != nil {
		return Result{Latency: time.Since(start), Err: err.Error()}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	r := Result{Status: resp.StatusCode, Latency: time.Since(start), Response: strings.ToValidUTF8(string(snippet), "?")}
	if !r.OK() {
		r.Err = fmt.Sprintf("the receiver answered %s", resp.Status)
	}
	return r
}
