package wechatpay

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// DefaultBaseURL is WeChat Pay's API host.
const DefaultBaseURL = "https://api.mch.weixin.qq.com"

// Config is a merchant's WeChat Pay settings. Secrets are files, never
// values in the environment: the merchant key as downloaded
// (apiclient_key.pem) and the APIv3 key as the 32 characters set on the
// merchant platform.
type Config struct {
	MchID            string // SHAREMALL_WECHATPAY_MCHID: the merchant id (商户号)
	AppID            string // SHAREMALL_WECHATPAY_APPID: the official account / mini program / app bound to it
	Serial           string // SHAREMALL_WECHATPAY_SERIAL: the serial of the merchant's API certificate
	KeyFile          string // SHAREMALL_WECHATPAY_KEY_FILE: the merchant's private key, PEM (PKCS#8 or PKCS#1)
	APIv3KeyFile     string // SHAREMALL_WECHATPAY_APIV3_KEY_FILE: the 32-byte APIv3 key
	PlatformCertFile string // SHAREMALL_WECHATPAY_PLATFORM_CERT_FILE: optional first platform certificate, PEM
	BaseURL          string // SHAREMALL_WECHATPAY_BASE_URL: default DefaultBaseURL
	// The WeChat Pay public key (微信支付公钥), which merchants opened since
	// 2024 get instead of platform certificates: its id (PUB_KEY_ID_…, what
	// Wechatpay-Serial then names) and the PEM file (pub_key.pem).
	PublicKeyID   string // SHAREMALL_WECHATPAY_PUBLIC_KEY_ID
	PublicKeyFile string // SHAREMALL_WECHATPAY_PUBLIC_KEY_FILE

	// Methods are the products the merchant has opened; nil: JSAPI, H5
	// and Native.
	Methods []string
	// Now is the clock (tests move it); nil: time.Now.
	Now func() time.Time
}

// ConfigFromEnv reads the SHAREMALL_WECHATPAY_* settings. configured is
// false when none of the required ones is set (WeChat Pay is off); setting
// some but not all is an error naming those missing.
func ConfigFromEnv(getenv func(string) string) (cfg Config, configured bool, err error) {
	cfg = Config{
		MchID:            strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_MCHID")),
		AppID:            strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_APPID")),
		Serial:           strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_SERIAL")),
		KeyFile:          strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_KEY_FILE")),
		APIv3KeyFile:     strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_APIV3_KEY_FILE")),
		PlatformCertFile: strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_PLATFORM_CERT_FILE")),
		BaseURL:          strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_BASE_URL")),
		PublicKeyID:      strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_PUBLIC_KEY_ID")),
		PublicKeyFile:    strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_PUBLIC_KEY_FILE")),
	}
	required := []struct{ name, val string }{
		{"SHAREMALL_WECHATPAY_MCHID", cfg.MchID},
		{"SHAREMALL_WECHATPAY_APPID", cfg.AppID},
		{"SHAREMALL_WECHATPAY_SERIAL", cfg.Serial},
		{"SHAREMALL_WECHATPAY_KEY_FILE", cfg.KeyFile},
		{"SHAREMALL_WECHATPAY_APIV3_KEY_FILE", cfg.APIv3KeyFile},
	}
	var missing []string
	for _, r := range required {
		if r.val == "" {
			missing = append(missing, r.name)
		}
	}
	if len(missing) == len(required) && cfg.PlatformCertFile == "" && cfg.BaseURL == "" && cfg.PublicKeyID == "" && cfg.PublicKeyFile == "" {
		return Config{}, false, nil
	}
	if len(missing) > 0 {
		return cfg, true, fmt.Errorf("wechatpay: %s not set (WeChat Pay needs all of MCHID, APPID, SERIAL, KEY_FILE, APIV3_KEY_FILE)", strings.Join(missing, ", "))
	}
	return cfg, true, nil
}

// secrets is what New loads from the configured files.
type secrets struct {
	key      *rsa.PrivateKey
	apiV3Key []byte
	platform *x509.Certificate // nil when no file is configured
	pubKey   *rsa.PublicKey    // nil when no public key is configured
	baseURL  string
}

func (cfg Config) load() (*secrets, error) {
	s := &secrets{}
	for _, r := range []struct{ name, val string }{
		{"SHAREMALL_WECHATPAY_MCHID", cfg.MchID},
		{"SHAREMALL_WECHATPAY_APPID", cfg.AppID},
		{"SHAREMALL_WECHATPAY_SERIAL", cfg.Serial},
		{"SHAREMALL_WECHATPAY_KEY_FILE", cfg.KeyFile},
		{"SHAREMALL_WECHATPAY_APIV3_KEY_FILE", cfg.APIv3KeyFile},
	} {
		if r.val == "" {
			return nil, fmt.Errorf("wechatpay: %s is not set", r.name)
		}
	}
	b, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_KEY_FILE: %w", err)
	}
	if s.key, err = ParsePrivateKey(b); err != nil {
		return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_KEY_FILE %s: %w", cfg.KeyFile, err)
	}
	if s.key.N.BitLen() < 2048 {
		return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_KEY_FILE %s: the RSA key has %d bits, WeChat Pay issues 2048", cfg.KeyFile, s.key.N.BitLen())
	}
	b, err = os.ReadFile(cfg.APIv3KeyFile)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_APIV3_KEY_FILE: %w", err)
	}
	s.apiV3Key = bytes.TrimSpace(b)
	if len(s.apiV3Key) != 32 {
		return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_APIV3_KEY_FILE %s: the APIv3 key is %d bytes, want the 32 characters set on the merchant platform", cfg.APIv3KeyFile, len(s.apiV3Key))
	}
	if cfg.PlatformCertFile != "" {
		b, err = os.ReadFile(cfg.PlatformCertFile)
		if err != nil {
			return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_PLATFORM_CERT_FILE: %w", err)
		}
		if s.platform, err = ParseCertificate(b); err != nil {
			return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_PLATFORM_CERT_FILE %s: %w", cfg.PlatformCertFile, err)
		}
	}
	if (cfg.PublicKeyID == "") != (cfg.PublicKeyFile == "") {
		return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_PUBLIC_KEY_ID and SHAREMALL_WECHATPAY_PUBLIC_KEY_FILE go together: set both or neither")
	}
	if cfg.PublicKeyFile != "" {
		if !strings.HasPrefix(cfg.PublicKeyID, "PUB_KEY_ID_") {
			return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_PUBLIC_KEY_ID %q does not start with PUB_KEY_ID_", cfg.PublicKeyID)
		}
		b, err = os.ReadFile(cfg.PublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_PUBLIC_KEY_FILE: %w", err)
		}
		if s.pubKey, err = ParsePublicKey(b); err != nil {
			return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_PUBLIC_KEY_FILE %s: %w", cfg.PublicKeyFile, err)
		}
	}
	s.baseURL = strings.TrimRight(cfg.BaseURL, "/")
	if s.baseURL == "" {
		s.baseURL = DefaultBaseURL
	}
	u, err := url.Parse(s.baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("wechatpay: SHAREMALL_WECHATPAY_BASE_URL %q is not a scheme://host URL", cfg.BaseURL)
	}
	for _, m := range cfg.Methods {
		switch m {
		case "jsapi", "redirect", "qr":
		default:
			return nil, fmt.Errorf("wechatpay: method %q is not one of jsapi, redirect (H5), qr (Native)", m)
		}
	}
	return s, nil
}
