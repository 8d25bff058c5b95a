package alipay_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/alipay/alipayfake"
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

// fakeNotification is the body of a payment notification the fake posted,
// for benchmarks: a receiver that takes it is started and stopped here.
func fakeNotification(tb testing.TB, fake *alipayfake.Server) string {
	tb.Helper()
	c, err := alipay.New(fake.Config(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { c.Acknowledge(w, nil) }))
	defer recv.Close()
	st, err := c.Start(context.Background(), payment.ChargeRequest{Reference: "SMbench01", Amount: money.Amount(19900), Currency: "CNY",
		Method: payment.MethodRedirect, Subject: "bench", NotifyURL: recv.URL, ReturnURL: recv.URL})
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.Get(st.RedirectURL)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	ds, err := fake.Pay("SMbench01")
	if err != nil || len(ds) != 1 {
		tb.Fatal(ds, err)
	}
	return ds[0].Form.Encode()
}

// verifiesAsAlipay checks a signed set of parameters (notification or
// return) with the fake's Alipay key: all but sign and sign_type, sorted.
func verifiesAsAlipay(e *env, form url.Values) bool {
	var parts []string
	for k := range form {
		if k != "sign" && k != "sign_type" {
			parts = append(parts, k+"="+form.Get(k))
		}
	}
	sort.Strings(parts)
	h := sha256.Sum256([]byte(strings.Join(parts, "&")))
	sig, err := base64.StdEncoding.DecodeString(form.Get("sign"))
	return err == nil && rsa.VerifyPKCS1v15(&e.fake.AlipayKey.PublicKey, crypto.SHA256, h[:], sig) == nil
}
