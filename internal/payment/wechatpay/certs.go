package wechatpay

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"sharemall/internal/errs"
)

// Certificate refresh: the platform rotates its certificate and signs
// with the new one some time after publishing it, so we fetch the list
// every RefreshEvery, and at once when a message names a serial we do not
// know, but no more than once per UnknownSerialWait so a flood of forged
// serials cannot make us hammer the API.
const (
	RefreshEvery      = 12 * time.Hour
	UnknownSerialWait = time.Minute
)

// platformCerts holds the platform certificates by serial. Safe for
// concurrent use: readers take mu for reading; a refresh is serialised by
// fetchMu and swaps the map under mu, so verification never waits on the
// network unless it needs the answer.
type platformCerts struct {
	mu          sync.RWMutex
	certs       map[string]*x509.Certificate
	fetchedAt   time.Time // last successful fetch
	attemptedAt time.Time // last fetch tried, for the unknown-serial limit
	fetchMu     sync.Mutex
	fetches     int
}

func normSerial(s string) string {
	return strings.TrimLeft(strings.ToUpper(strings.TrimSpace(s)), "0")
}

func (p *platformCerts) lookup(serial string) *x509.Certificate {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.certs[normSerial(serial)]
}

func (p *platformCerts) add(c *x509.Certificate) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.certs == nil {
		p.certs = map[string]*x509.Certificate{}
	}
	p.certs[normSerial(SerialOf(c))] = c
}

// publicKey returns the key of serial, refreshing the list when it is
// stale (RefreshEvery) or the serial is unknown (at most once per
// UnknownSerialWait). An unknown serial after that is errs.Invalid.
func (c *Client) publicKey(ctx context.Context, serial string) (*rsa.PublicKey, error) {
	if c.pubKey != nil && serial == c.pubKeyID {
		return c.pubKey, nil
	}
	if !c.certs {
		return nil, errs.Invalidf(HeaderSerial, "%q is not the configured WeChat Pay public key %s", serial, c.pubKeyID)
	}
	now := c.now()
	p := &c.platform
	p.mu.RLock()
	stale := now.Sub(p.fetchedAt) >= RefreshEvery
	p.mu.RUnlock()
	cert := p.lookup(serial)
	if stale || cert == nil {
		err := c.refreshCerts(ctx, func() bool {
			p.mu.RLock()
			defer p.mu.RUnlock()
			if now.Sub(p.attemptedAt) < UnknownSerialWait {
				return false
			}
			return now.Sub(p.fetchedAt) >= RefreshEvery || p.certs[normSerial(serial)] == nil
		})
		cert = p.lookup(serial)
		if err != nil && cert == nil {
			return nil, err
		}
	}
	if cert == nil {
		return nil, errs.Invalidf(HeaderSerial, "platform certificate %s is not one of WeChat Pay's", serial)
	}
	if now.After(cert.NotAfter) {
		return nil, errs.Invalidf(HeaderSerial, "platform certificate %s expired on %s", serial, cert.NotAfter.Format(time.DateOnly))
	}
	return cert.PublicKey.(*rsa.PublicKey), nil
}

// refreshCerts fetches the list when need (checked again under fetchMu, so
// concurrent callers fetch once) says so.
func (c *Client) refreshCerts(ctx context.Context, need func() bool) error {
	p := &c.platform
	p.fetchMu.Lock()
	defer p.fetchMu.Unlock()
	if !need() {
		return nil
	}
	p.mu.Lock()
	p.attemptedAt = c.now()
	p.fetches++
	p.mu.Unlock()
	certs, err := c.fetchCerts(ctx)
	if err != nil {
		return fmt.Errorf("wechatpay: fetching platform certificates: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	next := map[string]*x509.Certificate{}
	now := c.now()
	for s, old := range p.certs {
		if now.Before(old.NotAfter) {
			next[s] = old // kept until it expires: messages signed just before a rotation still verify
		}
	}
	for _, cert := range certs {
		next[normSerial(SerialOf(cert))] = cert
	}
	p.certs = next
	p.fetchedAt = now
	return nil
}

// RefreshCertificates fetches the platform certificates now (at start, or
// from a periodic job).
// With only a WeChat Pay public key configured there is nothing to fetch.
func (c *Client) RefreshCertificates(ctx context.Context) error {
	if !c.certs {
		return nil
	}
	return c.refreshCerts(ctx, func() bool { return true })
}

// CertificateFetches counts the fetches of the certificate list (for
// metrics and tests).
func (c *Client) CertificateFetches() int {
	c.platform.mu.RLock()
	defer c.platform.mu.RUnlock()
	return c.platform.fetches
}

type encryptedResource struct {
	Algorithm      string `json:"algorithm"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	Ciphertext     string `json:"ciphertext"`
	OriginalType   string `json:"original_type,omitempty"`
}

// CertificateList is the answer of GET /v3/certificates.
type CertificateList struct {
	Data []CertificateEntry `json:"data"`
}

// CertificateEntry is one platform certificate, sealed with the APIv3 key.
type CertificateEntry struct {
	SerialNo           string            `json:"serial_no"`
	EffectiveTime      string            `json:"effective_time"`
	ExpireTime         string            `json:"expire_time"`
	EncryptCertificate encryptedResource `json:"encrypt_certificate"`
}

// fetchCerts asks for the list. The answer is signed by one of the
// certificates it carries, so it is checked with those (after decryption,
// which only WeChat Pay, holding our APIv3 key, could have sealed) and the
// ones we knew.
func (c *Client) fetchCerts(ctx context.Context) ([]*x509.Certificate, error) {
	resp, err := c.send(ctx, http.MethodGet, "/v3/certificates", nil)
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		return nil, resp.err()
	}
	var list CertificateList
	if err := json.Unmarshal(resp.body, &list); err != nil {
		return nil, fmt.Errorf("certificate list: %w", err)
	}
	var out []*x509.Certificate
	byserial := map[string]*x509.Certificate{}
	for _, e := range list.Data {
		if e.EncryptCertificate.Algorithm != "AEAD_AES_256_GCM" {
			return nil, fmt.Errorf("certificate %s: algorithm %q", e.SerialNo, e.EncryptCertificate.Algorithm)
		}
		pemBytes, err := Decrypt(c.apiV3Key, e.EncryptCertificate.Nonce, e.EncryptCertificate.AssociatedData, e.EncryptCertificate.Ciphertext)
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", e.SerialNo, err)
		}
		cert, err := ParseCertificate(pemBytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %s: %w", e.SerialNo, err)
		}
		if normSerial(SerialOf(cert)) != normSerial(e.SerialNo) {
			return nil, fmt.Errorf("certificate %s: the certificate's serial is %s", e.SerialNo, SerialOf(cert))
		}
		out = append(out, cert)
		byserial[normSerial(e.SerialNo)] = cert
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the certificate list is empty")
	}
	serial := resp.header.Get(HeaderSerial)
	cert := byserial[normSerial(serial)]
	if cert == nil {
		cert = c.platform.lookup(serial)
	}
	if cert == nil {
		return nil, fmt.Errorf("certificate list signed with unknown certificate %q", serial)
	}
	if err := c.verifySigned(resp.header, resp.body, cert.PublicKey.(*rsa.PublicKey)); err != nil {
		return nil, fmt.Errorf("certificate list: %w", err)
	}
	return out, nil
}
