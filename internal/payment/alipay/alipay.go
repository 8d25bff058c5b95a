// Package alipay is a client of Alipay's open API (openapi.alipay.com,
// RSA2, public-key or certificate mode) that implements payment.Gateway: mobile web
// payment (alipay.trade.wap.pay) and QR payment (alipay.trade.precreate),
// queries, idempotent refunds, verified notifications and the daily trade
// statement. It is written against the published protocol with the
// standard library's crypto; docs/alipay.md says what was chosen and why.
package alipay

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"sharemall/internal/payment"
)

// DefaultGateway is Alipay's production gateway.
const DefaultGateway = "https://openapi.alipay.com/gateway.do"

// Name is the provider's name as stored on payments.
const Name = "alipay"

// Config is an Alipay application: in public-key mode AlipayKey is set;
// in certificate mode the three certificates are.
type Config struct {
	AppID      string
	PrivateKey *rsa.PrivateKey // the application's private key: signs requests
	AlipayKey  *rsa.PublicKey  // Alipay's public key: verifies responses and notifications
	GatewayURL string          // "" is DefaultGateway
	// Certificate mode (公钥证书模式), instead of AlipayKey: the
	// application's public key certificate (appCertPublicKey_<appid>.crt),
	// Alipay's public key certificate (alipayCertPublicKey_RSA2.crt) and
	// Alipay's root certificates (alipayRootCert.crt).
	AppCert     *x509.Certificate
	AlipayCert  *x509.Certificate
	AlipayRoots []*x509.Certificate
	// SellerID is the merchant's Alipay user id (PID, 2088…), optional:
	// when set, a notification for another seller is refused, as Alipay
	// asks merchants to check.
	SellerID string
	// Methods are the products the merchant has signed with Alipay:
	// MethodRedirect (手机网站支付) and MethodQR (当面付). Nil is both.
	Methods []payment.Method
}

// Environment variables ConfigFromEnv reads.
const (
	EnvAppID          = "SHAREMALL_ALIPAY_APP_ID"
	EnvPrivateKeyFile = "SHAREMALL_ALIPAY_PRIVATE_KEY_FILE"
	EnvPublicKeyFile  = "SHAREMALL_ALIPAY_PUBLIC_KEY_FILE"
	EnvGatewayURL     = "SHAREMALL_ALIPAY_GATEWAY_URL"
	EnvMethods        = "SHAREMALL_ALIPAY_METHODS"   // optional: "redirect,qr" (the default), "redirect" or "qr"
	EnvSellerID       = "SHAREMALL_ALIPAY_SELLER_ID" // optional: the merchant's PID; notifications for another are refused
	// Certificate mode: the three files instead of EnvPublicKeyFile.
	EnvAppCertFile    = "SHAREMALL_ALIPAY_APP_CERT_FILE"
	EnvAlipayCertFile = "SHAREMALL_ALIPAY_CERT_FILE"
	EnvRootCertFile   = "SHAREMALL_ALIPAY_ROOT_CERT_FILE"
)

// ConfigFromEnv reads the configuration from the environment. ok is false
// when Alipay is not configured at all (no app id and no key or
// certificate files); a configuration given in part, or with a key that
// does not parse, is an error naming the variable. Public-key mode takes
// EnvPublicKeyFile; certificate mode takes the three certificate files
// instead.
func ConfigFromEnv(getenv func(string) string) (cfg Config, ok bool, err error) {
	appID := strings.TrimSpace(getenv(EnvAppID))
	privFile := strings.TrimSpace(getenv(EnvPrivateKeyFile))
	pubFile := strings.TrimSpace(getenv(EnvPublicKeyFile))
	appCertFile := strings.TrimSpace(getenv(EnvAppCertFile))
	alipayCertFile := strings.TrimSpace(getenv(EnvAlipayCertFile))
	rootFile := strings.TrimSpace(getenv(EnvRootCertFile))
	certMode := appCertFile != "" || alipayCertFile != "" || rootFile != ""
	if appID == "" && privFile == "" && pubFile == "" && !certMode {
		return Config{}, false, nil
	}
	required := []struct{ name, val string }{{EnvAppID, appID}, {EnvPrivateKeyFile, privFile}}
	if certMode {
		if pubFile != "" {
			return Config{}, false, fmt.Errorf("%s is for the public-key mode; the certificate mode (%s) reads Alipay's key from %s", EnvPublicKeyFile, EnvAppCertFile, EnvAlipayCertFile)
		}
		required = append(required, struct{ name, val string }{EnvAppCertFile, appCertFile},
			struct{ name, val string }{EnvAlipayCertFile, alipayCertFile}, struct{ name, val string }{EnvRootCertFile, rootFile})
	} else {
		required = append(required, struct{ name, val string }{EnvPublicKeyFile, pubFile})
	}
	for _, v := range required {
		if v.val == "" {
			return Config{}, false, fmt.Errorf("%s is required when Alipay is configured", v.name)
		}
	}
	cfg.AppID = appID
	cfg.GatewayURL = strings.TrimSpace(getenv(EnvGatewayURL))
	cfg.SellerID = strings.TrimSpace(getenv(EnvSellerID))
	if m := strings.TrimSpace(getenv(EnvMethods)); m != "" {
		for _, x := range strings.Split(m, ",") {
			cfg.Methods = append(cfg.Methods, payment.Method(strings.TrimSpace(x)))
		}
		if err := checkMethods(cfg.Methods); err != nil {
			return Config{}, false, fmt.Errorf("%s: %w", EnvMethods, err)
		}
	}
	b, err := os.ReadFile(privFile)
	if err != nil {
		return Config{}, false, fmt.Errorf("%s: %w", EnvPrivateKeyFile, err)
	}
	if cfg.PrivateKey, err = ParsePrivateKey(b); err != nil {
		return Config{}, false, fmt.Errorf("%s: %w", EnvPrivateKeyFile, err)
	}
	if !certMode {
		b, err = os.ReadFile(pubFile)
		if err != nil {
			return Config{}, false, fmt.Errorf("%s: %w", EnvPublicKeyFile, err)
		}
		if cfg.AlipayKey, err = ParsePublicKey(b); err != nil {
			return Config{}, false, fmt.Errorf("%s: %w", EnvPublicKeyFile, err)
		}
		return cfg, true, nil
	}
	for _, f := range []struct {
		name, file string
		into       func([]*x509.Certificate)
	}{
		{EnvAppCertFile, appCertFile, func(cs []*x509.Certificate) { cfg.AppCert = cs[0] }},
		{EnvAlipayCertFile, alipayCertFile, func(cs []*x509.Certificate) { cfg.AlipayCert = cs[0] }},
		{EnvRootCertFile, rootFile, func(cs []*x509.Certificate) { cfg.AlipayRoots = cs }},
	} {
		b, err := os.ReadFile(f.file)
		if err != nil {
			return Config{}, false, fmt.Errorf("%s: %w", f.name, err)
		}
		cs, err := ParseCertificates(b)
		if err != nil {
			return Config{}, false, fmt.Errorf("%s: %w", f.name, err)
		}
		f.into(cs)
	}
	return cfg, true, nil
}

// ParsePrivateKey reads an RSA private key: PEM, PKCS#1 ("RSA PRIVATE KEY")
// or PKCS#8 ("PRIVATE KEY"), or the bare base64 body Alipay's key tool
// writes.
func ParsePrivateKey(b []byte) (*rsa.PrivateKey, error) {
	der, err := pemOrBase64(b)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("not an RSA private key in PKCS#1 or PKCS#8")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the private key is not RSA (RSA2 needs RSA)")
	}
	return rk, nil
}

// ParsePublicKey reads an RSA public key: PEM or bare base64 of the
// PKIX ("PUBLIC KEY") form Alipay publishes, or PKCS#1.
func ParsePublicKey(b []byte) (*rsa.PublicKey, error) {
	der, err := pemOrBase64(b)
	if err != nil {
		return nil, err
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("the public key is not RSA")
		}
		return rk, nil
	}
	k, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("not an RSA public key in PKIX or PKCS#1")
	}
	return k, nil
}

func pemOrBase64(b []byte) ([]byte, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		return blk.Bytes, nil
	}
	der, err := decodeBase64(strings.Join(strings.Fields(string(b)), ""))
	if err != nil || len(der) == 0 {
		return nil, fmt.Errorf("neither PEM nor base64")
	}
	return der, nil
}

// Client talks to Alipay for one application. It is safe for concurrent use.
type Client struct {
	cfg     Config
	gateway string
	hc      *http.Client
	now     func() time.Time

	certs      *certMode // nil in public-key mode
	mu         sync.Mutex
	alipayKeys map[string]*rsa.PublicKey // certificate mode: Alipay's keys by certificate serial
	fetchedAt  time.Time                 // certificate mode: the last download of an unknown certificate
}

// New checks cfg and builds a client. hc nil is a client with a 15 s timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	if strings.TrimSpace(cfg.AppID) == "" {
		return nil, fmt.Errorf("alipay: the app id is required")
	}
	if cfg.PrivateKey == nil {
		return nil, fmt.Errorf("alipay: the application's private key is required")
	}
	if cfg.AlipayKey == nil && cfg.AlipayCert == nil {
		return nil, fmt.Errorf("alipay: Alipay's public key (public-key mode) or certificates (certificate mode) are required")
	}
	if cfg.PrivateKey.N.BitLen() < 2048 {
		return nil, fmt.Errorf("alipay: the private key has %d bits; RSA2 needs 2048", cfg.PrivateKey.N.BitLen())
	}
	gw := cfg.GatewayURL
	if gw == "" {
		gw = DefaultGateway
	}
	u, err := url.Parse(gw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("alipay: the gateway URL %q is not an http(s) URL", gw)
	}
	if len(cfg.Methods) == 0 {
		cfg.Methods = []payment.Method{payment.MethodRedirect, payment.MethodQR}
	}
	if err := checkMethods(cfg.Methods); err != nil {
		return nil, fmt.Errorf("alipay: %w", err)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	c := &Client{cfg: cfg, gateway: gw, hc: hc, now: time.Now}
	if err := c.setupCerts(); err != nil {
		return nil, fmt.Errorf("alipay: %w", err)
	}
	return c, nil
}

func checkMethods(ms []payment.Method) error {
	for _, m := range ms {
		if m != payment.MethodRedirect && m != payment.MethodQR {
			return fmt.Errorf("Alipay pays by %q or %q, not %q", payment.MethodRedirect, payment.MethodQR, m)
		}
	}
	return nil
}

// Name is "alipay".
func (c *Client) Name() string { return Name }

// Methods are the configured ones of mobile web payment and QR payment.
func (c *Client) Methods() []payment.Method {
	return append([]payment.Method(nil), c.cfg.Methods...)
}

func (c *Client) offers(m payment.Method) bool {
	for _, x := range c.cfg.Methods {
		if x == m {
			return true
		}
	}
	return false
}

var _ payment.Gateway = (*Client)(nil)

// shanghai is the time zone of every time Alipay writes or reads.
var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600) // no tzdata: China has had no DST since 1991
}()

const timeLayout = "2006-01-02 15:04:05"

func parseTime(s string) time.Time {
	t, err := time.ParseInLocation(timeLayout, strings.TrimSpace(s), shanghai)
	if err != nil {
		return time.Time{}
	}
	return t
}
