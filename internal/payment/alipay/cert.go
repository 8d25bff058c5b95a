package alipay

import (
	"context"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"time"
)

// Certificate mode (公钥证书模式): every request names the application's
// certificate (app_cert_sn) and Alipay's root certificates
// (alipay_root_cert_sn); every response names the Alipay certificate whose
// key signed it (alipay_cert_sn). When Alipay renews its certificate, a
// response names one we do not hold: it is fetched with
// alipay.open.app.alipaycert.download and trusted only if it is issued by
// one of the configured root certificates and valid now.

// MethodCertDownload fetches an Alipay certificate by its serial.
const MethodCertDownload = "alipay.open.app.alipaycert.download"

// ParseCertificates reads the PEM certificates in b. Alipay's root file
// holds several, some of them SM2, which Go does not parse and Alipay's
// serials leave out anyway: they are skipped. No certificate at all is an
// error.
func ParseCertificates(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no PEM certificate Go can read")
	}
	return out, nil
}

// CertSN is Alipay's serial of a certificate: the hex MD5 of its issuer's
// distinguished name in RFC 2253 form (as Java's
// X500Principal.getName() writes it, most specific attribute first) and
// its serial number in decimal. The name is read from the certificate's
// raw issuer, so that its attributes keep their order.
func CertSN(c *x509.Certificate) (string, error) {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(c.RawIssuer, &rdn); err != nil || len(rest) > 0 {
		return "", fmt.Errorf("the certificate's issuer does not parse")
	}
	sum := md5.Sum([]byte(rdn.String() + c.SerialNumber.String()))
	return hex.EncodeToString(sum[:]), nil
}

// rsaSigned: the root serial counts the certificates whose signature
// algorithm is one of RSA's (OID 1.2.840.113549.1.1.*), as Alipay's SDKs do.
func rsaSigned(c *x509.Certificate) bool {
	switch c.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA,
		x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return true
	}
	return false
}

// RootCertSN is alipay_root_cert_sn: the serials of the RSA-signed root
// certificates, in the file's order, joined by "_".
func RootCertSN(roots []*x509.Certificate) (string, error) {
	var sns []string
	for _, r := range roots {
		if !rsaSigned(r) {
			continue
		}
		sn, err := CertSN(r)
		if err != nil {
			return "", err
		}
		sns = append(sns, sn)
	}
	if len(sns) == 0 {
		return "", fmt.Errorf("no RSA-signed root certificate")
	}
	return strings.Join(sns, "_"), nil
}

// trusted checks that c was issued by one of roots (its issuer is the
// root's subject, and the root's key verifies its signature) and is valid
// at now: how Alipay's SDKs accept a downloaded certificate.
func trusted(c *x509.Certificate, roots []*x509.Certificate, now time.Time) error {
	if now.Before(c.NotBefore) || now.After(c.NotAfter) {
		return fmt.Errorf("the certificate is not valid now (%s to %s)", c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly))
	}
	for _, r := range roots {
		if string(r.RawSubject) == string(c.RawIssuer) && c.CheckSignatureFrom(r) == nil {
			return nil
		}
	}
	return fmt.Errorf("the certificate is not issued by Alipay's root certificates")
}

// certMode is the certificate mode's state of a client.
type certMode struct {
	appSN, rootSN string
	defaultSN     string // the serial of the configured Alipay certificate
}

// setupCerts checks the certificate mode's configuration.
func (c *Client) setupCerts() error {
	cfg := c.cfg
	if cfg.AppCert == nil && cfg.AlipayCert == nil && len(cfg.AlipayRoots) == 0 {
		return nil
	}
	if cfg.AppCert == nil || cfg.AlipayCert == nil || len(cfg.AlipayRoots) == 0 {
		return fmt.Errorf("the certificate mode needs the application's certificate, Alipay's certificate and Alipay's root certificates")
	}
	pub, ok := cfg.AppCert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&cfg.PrivateKey.PublicKey) {
		return fmt.Errorf("the application's certificate is not of the application's private key")
	}
	akey, ok := cfg.AlipayCert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("Alipay's certificate has no RSA key")
	}
	if cfg.AlipayKey != nil && !cfg.AlipayKey.Equal(akey) {
		return fmt.Errorf("Alipay's public key and Alipay's certificate differ: give one")
	}
	c.cfg.AlipayKey = akey
	var err error
	cm := &certMode{}
	if cm.appSN, err = CertSN(cfg.AppCert); err != nil {
		return err
	}
	if cm.rootSN, err = RootCertSN(cfg.AlipayRoots); err != nil {
		return err
	}
	if cm.defaultSN, err = CertSN(cfg.AlipayCert); err != nil {
		return err
	}
	c.certs = cm
	c.alipayKeys = map[string]*rsa.PublicKey{cm.defaultSN: akey}
	return nil
}

// alipayKey is the key of the Alipay certificate sn ("" is the configured
// one), fetched and checked once when Alipay has renewed it.
func (c *Client) alipayKey(ctx context.Context, sn string) (*rsa.PublicKey, error) {
	if c.certs == nil || sn == "" {
		return c.cfg.AlipayKey, nil
	}
	// Anyone can post a notification naming a serial: unknown serials are
	// fetched at most once a minute, so that forged ones cannot make us
	// call Alipay at their pace.
	c.mu.Lock()
	k := c.alipayKeys[sn]
	if k == nil {
		if !c.fetchedAt.IsZero() && c.now().Sub(c.fetchedAt) < time.Minute {
			c.mu.Unlock()
			return nil, fmt.Errorf("alipay: certificate %s is unknown, and one was fetched less than a minute ago", sn)
		}
		c.fetchedAt = c.now()
	}
	c.mu.Unlock()
	if k != nil {
		return k, nil
	}
	var out struct {
		Content string `json:"alipay_cert_content"`
	}
	if err := c.call(ctx, MethodCertDownload, map[string]any{"alipay_cert_sn": sn}, nil, &out); err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(out.Content)
	if err != nil {
		return nil, fmt.Errorf("alipay: the certificate %s is not base64", sn)
	}
	// The content is base64 of the certificate's PEM text; DER is taken too.
	var cert *x509.Certificate
	if certs, err := ParseCertificates(raw); err == nil {
		cert = certs[0]
	} else if cert, err = x509.ParseCertificate(raw); err != nil {
		return nil, fmt.Errorf("alipay: the certificate %s is neither PEM nor DER", sn)
	}
	// A certificate we cannot trust leaves the answer unverified, like a
	// bad signature: a plain (temporary) error, never a refusal, since what
	// was asked may have been done.
	if got, _ := CertSN(cert); got != sn {
		return nil, fmt.Errorf("alipay: Alipay served certificate %s for %s", got, sn)
	}
	if err := trusted(cert, c.cfg.AlipayRoots, c.now()); err != nil {
		return nil, fmt.Errorf("alipay: certificate %s: %w", sn, err)
	}
	k, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("alipay: certificate %s has no RSA key", sn)
	}
	c.mu.Lock()
	c.alipayKeys[sn] = k
	c.mu.Unlock()
	return k, nil
}
