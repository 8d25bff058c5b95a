// Package wechatpayfake is a WeChat Pay API v3 server for tests: it checks
// the merchant's signature on every request (401 SIGN_ERROR otherwise),
// signs every answer and notification with a platform certificate it made,
// seals notifications and certificates with AEAD_AES_256_GCM under the
// APIv3 key, and keeps orders and refunds as WeChat Pay does. Tests drive
// the payer's side (Pay, the notifications) and the failures a real
// provider has (refunds that take a while or fail, timeouts, replays,
// forged or stale notifications, certificate rotation).
//
// It is imported only by tests.
package wechatpayfake

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sharemall/internal/payment/wechatpay"
)

// Keys are slow to make; a process makes each once.
var (
	keysMu sync.Mutex
	keys   []*rsa.PrivateKey
)

func key(i int) *rsa.PrivateKey {
	keysMu.Lock()
	defer keysMu.Unlock()
	for len(keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys = append(keys, k)
	}
	return keys[i]
}

// PlatformCert is one of the platform's certificates and its key.
type PlatformCert struct {
	Key    *rsa.PrivateKey
	Cert   *x509.Certificate
	Serial string
	PEM    []byte
}

func newPlatformCert(k *rsa.PrivateKey, now time.Time) *PlatformCert {
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 159))
	serial.SetBit(serial, 156, 1) // 40 hex digits, as WeChat Pay's are
	tpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Tenpay.com Root CA (fake)", Organization: []string{"Tenpay.com"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		panic(err)
	}
	c, _ := x509.ParseCertificate(der)
	return &PlatformCert{Key: k, Cert: c, Serial: wechatpay.SerialOf(c), PEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// Server is the fake. Its exported fields are fixed at New.
type Server struct {
	URL            string
	MchID, AppID   string
	MerchantKey    *rsa.PrivateKey
	MerchantSerial string
	APIv3Key       []byte

	dir string
	srv *httptest.Server

	mu            sync.Mutex
	now           func() time.Time
	platform      []*PlatformCert // the last signs; all are listed
	orders        map[string]*order
	refunds       map[string]*refund
	bills         map[string][]byte
	seq           int
	processing    int // new refunds: SUCCESS from their nth query on; 0: at once
	repeatExists  bool
	timeouts      int
	corruptBill   bool
	pubKeyID      string // set by UsePublicKey: signs with key(2+n) under this id, no certificates
	pubKey        *rsa.PrivateKey
	failNext      []answer
	forge         int
	certFetches   int
	requests      []string
	noticeVersion int
}

// New starts a fake merchant account and closes it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		MchID: "1900000109", AppID: "wxd678efh567hg6787",
		MerchantKey: key(0), APIv3Key: []byte("s3cretAPIv3KeyOfTheFakeMerchant0"),
		dir:    t.TempDir(),
		now:    time.Now,
		orders: map[string]*order{}, refunds: map[string]*refund{}, bills: map[string][]byte{},
	}
	s.MerchantSerial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
	s.platform = []*PlatformCert{newPlatformCert(key(1), time.Now())}
	key(2) // made now, not while a client waits for a forged answer
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	der, err := x509.MarshalPKCS8PrivateKey(s.MerchantKey)
	if err != nil {
		t.Fatal(err)
	}
	s.write(t, "apiclient_key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	s.write(t, "apiv3.key", append(bytes.Clone(s.APIv3Key), '\n'))
	s.write(t, "platform_cert.pem", s.platform[0].PEM)
	return s
}

func (s *Server) write(t testing.TB, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(s.dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Config is the client's configuration for this account: key files in a
// temporary directory, the first platform certificate included (clear
// PlatformCertFile to make the client fetch it), or after UsePublicKey the
// public key and its id instead.
func (s *Server) Config() wechatpay.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pubKeyID != "" {
		return wechatpay.Config{
			MchID: s.MchID, AppID: s.AppID, Serial: s.MerchantSerial,
			KeyFile:       filepath.Join(s.dir, "apiclient_key.pem"),
			APIv3KeyFile:  filepath.Join(s.dir, "apiv3.key"),
			PublicKeyID:   s.pubKeyID,
			PublicKeyFile: filepath.Join(s.dir, "pub_key.pem"),
			BaseURL:       s.URL,
		}
	}
	return wechatpay.Config{
		MchID: s.MchID, AppID: s.AppID, Serial: s.MerchantSerial,
		KeyFile:          filepath.Join(s.dir, "apiclient_key.pem"),
		APIv3KeyFile:     filepath.Join(s.dir, "apiv3.key"),
		PlatformCertFile: filepath.Join(s.dir, "platform_cert.pem"),
		BaseURL:          s.URL,
	}
}

// Env is Config as SHAREMALL_WECHATPAY_* variables, for tests that start
// the whole server.
func (s *Server) Env() map[string]string {
	c := s.Config()
	return map[string]string{
		"SHAREMALL_WECHATPAY_PUBLIC_KEY_ID":      c.PublicKeyID,
		"SHAREMALL_WECHATPAY_PUBLIC_KEY_FILE":    c.PublicKeyFile,
		"SHAREMALL_WECHATPAY_MCHID":              c.MchID,
		"SHAREMALL_WECHATPAY_APPID":              c.AppID,
		"SHAREMALL_WECHATPAY_SERIAL":             c.Serial,
		"SHAREMALL_WECHATPAY_KEY_FILE":           c.KeyFile,
		"SHAREMALL_WECHATPAY_APIV3_KEY_FILE":     c.APIv3KeyFile,
		"SHAREMALL_WECHATPAY_PLATFORM_CERT_FILE": c.PlatformCertFile,
		"SHAREMALL_WECHATPAY_BASE_URL":           c.BaseURL,
	}
}

// SetNow sets the fake's clock (the freshness of requests, the times it
// reports); share it with the client's Config.Now.
func (s *Server) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// RotatePlatformCert makes a new platform certificate, lists it beside the
// old ones and signs with it from now on. It returns the new one.
func (s *Server) RotatePlatformCert() *PlatformCert {
	s.mu.Lock()
	defer s.mu.Unlock()
	// key(2) is the forger's; new platform keys come after it.
	pc := newPlatformCert(key(2+len(s.platform)), s.now())
	s.platform = append(s.platform, pc)
	return pc
}

// Platform is the certificate the fake signs with now.
func (s *Server) Platform() *PlatformCert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.platform[len(s.platform)-1]
}

// CertificateFetches counts GET /v3/certificates.
func (s *Server) CertificateFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.certFetches
}

// Requests lists the requests that passed the signature check, as
// "METHOD path?query".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// RefundsSucceedAtOnce: new refunds answer SUCCESS (the default).
func (s *Server) RefundsSucceedAtOnce() { s.RefundsProcessing(0) }

// RefundsProcessing: new refunds answer PROCESSING to the create call and
// turn SUCCESS at their nth query (a GET, or the create asked again).
func (s *Server) RefundsProcessing(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.processing = n
}

// RepeatAnswersExists: a create call repeating an existing out_refund_no
// answers 400 RESOURCE_ALREADY_EXISTS instead of the refund itself.
func (s *Server) RepeatAnswersExists(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repeatExists = on
}

// TimeOutNext makes the next k API calls hang until the client gives up
// (at most a minute): each call takes effect, only its answer is lost,
// which is the case a retry with the same key must survive.
func (s *Server) TimeOutNext(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timeouts = k
}

// CorruptNextBill makes the next bill file differ from the hash announced.
func (s *Server) CorruptNextBill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corruptBill = true
}

// FailNext makes the next k API calls answer status with WeChat Pay's
// error code (500 SYSTEM_ERROR, 429 FREQUENCY_LIMITED, …) without taking
// effect.
func (s *Server) FailNext(k, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range k {
		s.failNext = append(s.failNext, fail(status, code, "fake failure %s", code))
	}
}

// ForgeNextAnswers signs the next k answers with a key that is not the
// platform's, as a man in the middle would.
func (s *Server) ForgeNextAnswers(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forge = k
}

// UsePublicKey switches the account to the WeChat Pay public key mode of
// merchants opened since 2024: answers and notifications are signed with
// a public key whose id (PUB_KEY_ID_…) is the Wechatpay-Serial, and
// GET /v3/certificates answers that no certificate exists. It writes
// pub_key.pem beside the other files; Config and Env name it.
func (s *Server) UsePublicKey(t testing.TB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pubKey = key(2 + len(s.platform))
	s.pubKeyID = "PUB_KEY_ID_0119000001092026120300000000"
	der, err := x509.MarshalPKIXPublicKey(&s.pubKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	s.write(t, "pub_key.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// signer is the key answers and notifications are signed with and the
// serial naming it; s.mu is held.
func (s *Server) signer() (*rsa.PrivateKey, string) {
	if s.pubKeyID != "" {
		return s.pubKey, s.pubKeyID
	}
	pc := s.platform[len(s.platform)-1]
	return pc.Key, pc.Serial
}
