// Package wechatpay is a WeChat Pay API v3 client for a direct merchant
// (普通商户): JSAPI, H5 and Native payments, refunds, payment and refund
// notifications, platform certificates and the daily trade bill. It
// implements payment.Gateway with the standard library's crypto, written
// against the published protocol (no SDK).
package wechatpay

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
)

// Client is a configured merchant. Safe for concurrent use.
type Client struct {
	cfg      Config
	key      *rsa.PrivateKey
	apiV3Key []byte
	baseURL  string
	hc       *http.Client
	methods  []payment.Method
	platform platformCerts
	// pubKey is the WeChat Pay public key named pubKeyID; certs is whether
	// platform certificates are used too (a certificate file is configured,
	// or no public key is: a merchant switching from one to the other
	// configures both while WeChat Pay signs with either).
	pubKeyID string
	pubKey   *rsa.PublicKey
	certs    bool
}

var _ payment.Gateway = (*Client)(nil)

// New loads the configured files and returns the client. hc carries the
// timeout of every call (nil: a client with a 10 s timeout). It does not
// call WeChat Pay: the platform certificates are fetched on first need.
func New(cfg Config, hc *http.Client) (*Client, error) {
	s, err := cfg.load()
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	c := &Client{cfg: cfg, key: s.key, apiV3Key: s.apiV3Key, baseURL: s.baseURL, hc: hc}
	if s.platform != nil {
		c.platform.add(s.platform)
	}
	c.pubKeyID, c.pubKey = cfg.PublicKeyID, s.pubKey
	c.certs = s.platform != nil || s.pubKey == nil
	methods := cfg.Methods
	if methods == nil {
		methods = []string{string(payment.MethodJSAPI), string(payment.MethodRedirect), string(payment.MethodQR)}
	}
	for _, m := range methods {
		c.methods = append(c.methods, payment.Method(m))
	}
	return c, nil
}

// Name is the provider's name as stored on payments.
func (c *Client) Name() string { return "wechatpay" }

// Methods are JSAPI (inside WeChat), H5 (redirect, in other mobile
// browsers) and Native (QR, on desktops), or those configured.
func (c *Client) Methods() []payment.Method { return append([]payment.Method(nil), c.methods...) }

func (c *Client) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// response is an answer read whole, its signature not yet checked.
type response struct {
	status int
	header http.Header
	body   []byte
}

// apiError is WeChat Pay's error body.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Business codes that mean "try again later" whatever the HTTP status.
var temporaryCodes = map[string]bool{
	"SYSTEM_ERROR":      true,
	"FREQUENCY_LIMITED": true,
	"BANK_ERROR":        true,
}

// err maps a non-2xx answer: 5xx, 429 and the temporary codes are plain
// errors (the outbox retries); 404 and the not-found codes are
// errs.NotFound; any other 4xx is errs.Invalid naming WeChat Pay's code.
func (r *response) err() error {
	var e apiError
	_ = json.Unmarshal(r.body, &e)
	if e.Code == "" {
		e.Code = http.StatusText(r.status)
	}
	switch {
	case r.status >= 500 || r.status == http.StatusTooManyRequests || temporaryCodes[e.Code]:
		return fmt.Errorf("wechatpay: temporary failure: HTTP %d %s: %s", r.status, e.Code, e.Message)
	case r.status == http.StatusNotFound || e.Code == "ORDER_NOT_EXIST" || e.Code == "RESOURCE_NOT_EXISTS":
		return errs.E(errs.NotFound, "", "WeChat Pay has no such payment or refund: %s: %s", e.Code, e.Message)
	default:
		return errs.E(errs.Invalid, "", "WeChat Pay refused the request: %s: %s", e.Code, e.Message)
	}
}

// code is the business code of an error answer.
func (r *response) code() string {
	var e apiError
	_ = json.Unmarshal(r.body, &e)
	return e.Code
}

// send signs and sends one request and reads the answer; a network error
// or timeout is a plain (temporary) error.
func (c *Client) send(ctx context.Context, method, pathQuery string, body any) (*response, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	return c.sendURL(ctx, method, c.baseURL+pathQuery, pathQuery, raw)
}

func (c *Client) sendURL(ctx context.Context, method, fullURL, pathQuery string, raw []byte) (*response, error) {
	auth, err := Authorization(c.cfg.MchID, c.cfg.Serial, c.key, method, pathQuery, raw, c.now())
	if err != nil {
		return nil, fmt.Errorf("wechatpay: signing: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, method, fullURL, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "sharemall-wechatpay/1")
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s %s: %w", method, pathQuery, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("wechatpay: %s %s: reading the answer: %w", method, pathQuery, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// call sends a request and, on a 2xx answer, checks its signature and
// decodes it into out (when not nil). Non-2xx answers are mapped by err.
func (c *Client) call(ctx context.Context, method, pathQuery string, body, out any) (*response, error) {
	resp, err := c.send(ctx, method, pathQuery, body)
	if err != nil {
		return nil, err
	}
	if resp.status < 200 || resp.status > 299 {
		return resp, resp.err()
	}
	if err := c.verifyHeaders(ctx, resp.header, resp.body); err != nil {
		// A 2xx we cannot trust: treat as not answered, so the outbox asks again.
		return nil, fmt.Errorf("wechatpay: %s %s: answer refused: %v", method, pathQuery, err)
	}
	if out != nil && len(resp.body) > 0 {
		if err := json.Unmarshal(resp.body, out); err != nil {
			return nil, fmt.Errorf("wechatpay: %s %s: decoding the answer: %w", method, pathQuery, err)
		}
	}
	return resp, nil
}

// verifyHeaders checks the Wechatpay-* headers of an answer or a
// notification: freshness, then the signature with the certificate the
// serial names.
func (c *Client) verifyHeaders(ctx context.Context, h http.Header, body []byte) error {
	for _, k := range []string{HeaderTimestamp, HeaderNonce, HeaderSignature, HeaderSerial} {
		if h.Get(k) == "" {
			return errs.Invalidf(k, "header is missing")
		}
	}
	if err := Fresh(h.Get(HeaderTimestamp), c.now()); err != nil {
		return errs.Invalidf(HeaderTimestamp, "%v", err)
	}
	pub, err := c.publicKey(ctx, h.Get(HeaderSerial))
	if err != nil {
		return err
	}
	return c.verifySigned(h, body, pub)
}

func (c *Client) verifySigned(h http.Header, body []byte, pub *rsa.PublicKey) error {
	if err := Fresh(h.Get(HeaderTimestamp), c.now()); err != nil {
		return errs.Invalidf(HeaderTimestamp, "%v", err)
	}
	if err := Verify(pub, ResponseMessage(h.Get(HeaderTimestamp), h.Get(HeaderNonce), body), h.Get(HeaderSignature)); err != nil {
		return errs.Invalidf(HeaderSignature, "%v", err)
	}
	return nil
}
