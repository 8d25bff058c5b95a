package alipayfake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"sync"
	"time"
)

// The certificate mode (Options.CertMode): the fake is a small CA. Its
// root file holds an ECDSA root (left out of alipay_root_cert_sn, as
// Alipay's SM2 root is) and an RSA root, which issues the application's
// certificate and Alipay's. RenewAlipayCert makes a new Alipay
// certificate and key, as Alipay's yearly renewal does: responses then
// name a serial the client does not hold, and the download API serves it.

var (
	certKeysOnce                   sync.Once
	rootKey, renewedKey, forgerKey *rsa.PrivateKey
	ecRootKey                      *ecdsa.PrivateKey
	serials                        = big.NewInt(1000)
	serialsMu                      sync.Mutex
	rootName                       = pkix.Name{Country: []string{"CN"}, Organization: []string{"Alipay Fake"}, OrganizationalUnit: []string{"Certification Authority"}, CommonName: "Alipay Fake Root CA R1"}
)

func certKeys() {
	certKeysOnce.Do(func() {
		gen := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		rootKey, renewedKey, forgerKey = gen(), gen(), gen()
		var err error
		if ecRootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

func nextSerial() *big.Int {
	serialsMu.Lock()
	defer serialsMu.Unlock()
	serials.Add(serials, big.NewInt(7919))
	return new(big.Int).Set(serials)
}

type ca struct {
	root                *x509.Certificate
	rootsPEM            []byte
	appCert, alipayCert *x509.Certificate
	appSN, rootSN       string
	alipaySN            string
	bySN                map[string][]byte // serial → PEM of every Alipay certificate the fake has had
	forgeDownloads      bool
}

func issue(tmpl *x509.Certificate, parent *x509.Certificate, pub any, key any) *x509.Certificate {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return c
}

func pemOf(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func newCA(appID string, appKey, alipayKey *rsa.PrivateKey) *ca {
	certKeys()
	now := time.Now()
	rootTmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: rootName, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, SignatureAlgorithm: x509.SHA256WithRSA}
	root := issue(rootTmpl, rootTmpl, &rootKey.PublicKey, rootKey)
	ecTmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{Country: []string{"CN"}, Organization: []string{"Alipay Fake"}, CommonName: "Alipay Fake Root CA E1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	ecRoot := issue(ecTmpl, ecTmpl, &ecRootKey.PublicKey, ecRootKey)
	c := &ca{root: root, rootsPEM: append(pemOf(ecRoot), pemOf(root)...), bySN: map[string][]byte{}}
	c.appCert = c.leaf(appID, &appKey.PublicKey)
	c.alipayCert = c.leaf("支付宝(中国)网络技术有限公司-Fake", &alipayKey.PublicKey)
	c.appSN, c.alipaySN = certSN(c.appCert), certSN(c.alipayCert)
	c.rootSN = certSN(root) // the ECDSA root is not RSA-signed: left out
	c.bySN[c.alipaySN] = pemOf(c.alipayCert)
	return c
}

func (c *ca) leaf(cn string, pub *rsa.PublicKey) *x509.Certificate {
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{Country: []string{"CN"}, Organization: []string{"Alipay Fake"}, CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature, SignatureAlgorithm: x509.SHA256WithRSA}
	return issue(tmpl, c.root, pub, rootKey)
}

// certSN is Alipay's serial: hex MD5 of the issuer's RFC 2253 name (from
// the raw issuer, in its order) and the decimal serial. Written again
// here, not imported from the client.
func certSN(c *x509.Certificate) string {
	var rdn pkix.RDNSequence
	if _, err := asn1.Unmarshal(c.RawIssuer, &rdn); err != nil {
		panic(err)
	}
	sum := md5.Sum([]byte(rdn.String() + c.SerialNumber.String()))
	return hex.EncodeToString(sum[:])
}

// RenewAlipayCert replaces the fake's Alipay certificate and key by new
// ones issued by its root; later responses and notifications are signed
// with the new key and name the new serial.
func (s *Server) RenewAlipayCert() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ca == nil {
		panic("alipayfake: RenewAlipayCert needs Options.CertMode")
	}
	s.AlipayKey = renewedKey
	s.ca.alipayCert = s.ca.leaf("支付宝(中国)网络技术有限公司-Fake", &renewedKey.PublicKey)
	s.ca.alipaySN = certSN(s.ca.alipayCert)
	s.ca.bySN[s.ca.alipaySN] = pemOf(s.ca.alipayCert)
}

// ForgeCertDownloads makes the certificate download answer, for the serial
// asked, a certificate with the same issuer name and serial that another
// key signed: one the client must not trust.
func (s *Server) ForgeCertDownloads(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ca.forgeDownloads = on
}

func (s *Server) certDownload(sn string) (map[string]any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ca == nil {
		return nil, invalidArgs("isv.invalid-method", "公钥模式不支持该接口")
	}
	p, ok := s.ca.bySN[sn]
	if !ok {
		return nil, business("ALIPAY_CERT_NOT_EXIST", "支付宝公钥证书不存在")
	}
	if s.ca.forgeDownloads {
		blk, _ := pem.Decode(p)
		real, _ := x509.ParseCertificate(blk.Bytes)
		// A self-made "root" with the real root's name signs a copy.
		fakeRoot := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: s.ca.root.Subject, NotBefore: real.NotBefore, NotAfter: real.NotAfter,
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		fakeRoot = issue(fakeRoot, fakeRoot, &forgerKey.PublicKey, forgerKey)
		tmpl := &x509.Certificate{SerialNumber: real.SerialNumber, Subject: real.Subject, NotBefore: real.NotBefore, NotAfter: real.NotAfter,
			KeyUsage: x509.KeyUsageDigitalSignature, SignatureAlgorithm: x509.SHA256WithRSA}
		p = pemOf(issue(tmpl, fakeRoot, &forgerKey.PublicKey, forgerKey))
	}
	return map[string]any{"alipay_cert_content": base64.StdEncoding.EncodeToString(p)}, nil
}

// AppCertPEM is the application's public key certificate
// (appCertPublicKey_<appid>.crt).
func (s *Server) AppCertPEM() []byte { return pemOf(s.ca.appCert) }

// AlipayCertPEM is Alipay's public key certificate as first configured
// (alipayCertPublicKey_RSA2.crt).
func (s *Server) AlipayCertPEM() []byte { return s.firstAlipayPEM }

// RootCertsPEM is Alipay's root certificate file (alipayRootCert.crt).
func (s *Server) RootCertsPEM() []byte { return s.ca.rootsPEM }
