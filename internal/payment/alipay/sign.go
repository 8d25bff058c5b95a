package alipay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// signingString is what Alipay signs and verifies: every parameter but
// those in skip, sorted by key, as key=value (values not URL-encoded)
// joined by "&". A request's parameters with an empty value are left out
// (the SDKs' getSignContent); a notification's are kept as "key=" (the
// SDKs' getSignCheckContentV1, which is how Alipay signs them).
func signingString(v url.Values, keepEmpty bool, skip ...string) string {
	keys := make([]string, 0, len(v))
outer:
	for k := range v {
		for _, s := range skip {
			if k == s {
				continue outer
			}
		}
		if v.Get(k) == "" && !keepEmpty {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v.Get(k))
	}
	return b.String()
}

// signRSA2 is base64(RSA PKCS#1 v1.5 over SHA-256 of content).
func signRSA2(key *rsa.PrivateKey, content []byte) (string, error) {
	h := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// verifyRSA2 reports whether sig (base64) is key's RSA2 signature of content.
func verifyRSA2(key *rsa.PublicKey, content []byte, sig string) bool {
	raw, err := decodeBase64(sig)
	if err != nil {
		return false
	}
	h := sha256.Sum256(content)
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, h[:], raw) == nil
}

// decodeBase64 reads standard base64; a "+" turned into a space by a
// careless form decoder upstream is put back.
func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.ReplaceAll(s, " ", "+"))
}
