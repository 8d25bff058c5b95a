package alipay_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
)

// signAsAlipay signs a notification's form with the fake's Alipay key, the
// way Alipay documents: all but sign and sign_type (empty ones kept),
// sorted, joined.
func signAsAlipay(t *testing.T, e *env, form url.Values) string {
	t.Helper()
	var parts []string
	for k := range form {
		if k == "sign" || k == "sign_type" {
			continue
		}
		parts = append(parts, k+"="+form.Get(k))
	}
	sort.Strings(parts)
	h := sha256.Sum256([]byte(strings.Join(parts, "&")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, e.fake.AlipayKey, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

var (
	otherOnce sync.Once
	other     *rsa.PrivateKey
)

// otherKey is an RSA-2048 key that is neither the app's nor Alipay's.
func otherKey(t *testing.T) *rsa.PrivateKey {
	otherOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		other = k
	})
	return other
}
