package alipay_test

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/alipay/alipayfake"
)

func newCertEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t) // a public-key fake, replaced
	e.fake = alipayfake.New(alipayfake.Options{CertMode: true})
	t.Cleanup(e.fake.Close)
	var err error
	e.client, err = alipay.New(e.fake.Config(), &http.Client{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCertSN pins the serial's form to Java's X500Principal.getName():
// RFC 2253, most specific attribute first, then the decimal serial.
func TestCertSN(t *testing.T) {
	k := otherKey(t)
	issuer := pkix.Name{Country: []string{"CN"}, Organization: []string{"Ant Financial"}, OrganizationalUnit: []string{"Certification Authority"},
		CommonName: "Ant Financial Certification Authority Class 2 R1"}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(4025011020190912), Subject: issuer, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	sum := md5.Sum([]byte("CN=Ant Financial Certification Authority Class 2 R1,OU=Certification Authority,O=Ant Financial,C=CN4025011020190912"))
	got, err := alipay.CertSN(c)
	if err != nil || got != hex.EncodeToString(sum[:]) {
		t.Fatalf("CertSN %s %v, want %x", got, err, sum)
	}
}

func TestCertModeRoundTrip(t *testing.T) {
	e := newCertEnv(t)
	ctx := context.Background()
	st, err := e.client.Start(ctx, e.charge("SMcert001", 4200, payment.MethodRedirect))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(st.RedirectURL)
	cfg := e.fake.Config()
	appSN, _ := alipay.CertSN(cfg.AppCert)
	rootSN, _ := alipay.RootCertSN(cfg.AlipayRoots)
	if u.Query().Get("app_cert_sn") != appSN || u.Query().Get("alipay_root_cert_sn") != rootSN {
		t.Fatalf("cert serials in the URL: %s", u.RawQuery)
	}
	// The root file holds an ECDSA root and an RSA one: one serial.
	if len(cfg.AlipayRoots) != 2 || strings.Contains(rootSN, "_") {
		t.Fatalf("%d roots, root serial %q", len(cfg.AlipayRoots), rootSN)
	}
	if body, code := get(t, st.RedirectURL); code != 200 {
		t.Fatalf("page: %d %s", code, body)
	}
	if _, err := e.fake.Pay("SMcert001"); err != nil {
		t.Fatal(err)
	}
	got, bad := e.notifications()
	if len(got) != 1 || len(bad) != 0 || got[0].Payment.Status != payment.PaymentPaid {
		t.Fatalf("notifications %v, errors %v", got, bad)
	}
	if ps, err := e.client.Query(ctx, "SMcert001"); err != nil || ps.Status != payment.PaymentPaid {
		t.Fatalf("query: %+v %v", ps, err)
	}
	if rs, err := e.client.Refund(ctx, refund("SMcert001", "RFcert1", 1200)); err != nil || rs.Status != payment.RefundDone {
		t.Fatalf("refund: %+v %v", rs, err)
	}
	if n := e.fake.Calls(alipay.MethodCertDownload); n != 0 {
		t.Fatalf("downloaded Alipay's certificate %d times without a renewal", n)
	}
	// A client with another application certificate is refused by Alipay.
	other := cfg
	other.AppCert = e.fake.Config().AlipayCert // a certificate, but not the app's key's
	if _, err := alipay.New(other, nil); err == nil {
		t.Fatal("an application certificate of another key was accepted")
	}
}

func TestCertModeRenewal(t *testing.T) {
	e := newCertEnv(t)
	ctx := context.Background()
	e.startPaid(t, "SMrenew01", 1000)
	e.fake.RenewAlipayCert()
	// The answer names a certificate the client does not hold: it is
	// downloaded once, checked against the root, and used.
	for i := 0; i < 2; i++ {
		if ps, err := e.client.Query(ctx, "SMrenew01"); err != nil || ps.Status != payment.PaymentPaid {
			t.Fatalf("query after the renewal: %+v %v", ps, err)
		}
	}
	if n := e.fake.Calls(alipay.MethodCertDownload); n != 1 {
		t.Fatalf("downloaded %d times", n)
	}
	// Notifications signed with the new key verify.
	e.startPaid(t, "SMrenew02", 2000)
	got, bad := e.notifications()
	if len(got) != 2 || len(bad) != 0 {
		t.Fatalf("notifications %d, errors %v", len(got), bad)
	}
}

func TestCertModeForgedCertificateRefused(t *testing.T) {
	e := newCertEnv(t)
	ctx := context.Background()
	e.startPaid(t, "SMforge01", 1000)
	e.fake.RenewAlipayCert()
	e.fake.ForgeCertDownloads(true)
	_, err := e.client.Query(ctx, "SMforge01")
	if err == nil || errs.CodeOf(err) != errs.Internal || !strings.Contains(err.Error(), "not issued by Alipay's root") {
		t.Fatalf("a forged certificate: %v", err)
	}
	// A refund whose answer cannot be trusted is never called refused: it
	// stays temporary, and asked again.
	if _, err := e.client.Refund(ctx, refund("SMforge01", "RFforge1", 100)); err == nil || errs.CodeOf(err) != errs.Internal {
		t.Fatalf("a refund answered under a forged certificate: %v", err)
	}
	// Once the genuine certificate is served (and a minute has passed since
	// the last download), all is well, and the refund asked again is done
	// once.
	e.fake.ForgeCertDownloads(false)
	alipay.SetClock(e.client, func() time.Time { return time.Now().Add(time.Minute) })
	rs, err := e.client.Refund(ctx, refund("SMforge01", "RFforge1", 100))
	if err != nil || rs.Status != payment.RefundDone {
		t.Fatalf("the refund again: %+v %v", rs, err)
	}
	if tr, _ := e.fake.Trade("SMforge01"); tr.Refunded != 100 || tr.Refunds != 1 {
		t.Fatalf("at Alipay: %+v", tr)
	}
}

func TestCertModeConfigFromEnv(t *testing.T) {
	fake := alipayfake.New(alipayfake.Options{CertMode: true})
	defer fake.Close()
	priv := writeTemp(t, fake.AppPrivateKeyPEM())
	appCert, alipayCert, roots := writeTemp(t, fake.AppCertPEM()), writeTemp(t, fake.AlipayCertPEM()), writeTemp(t, fake.RootCertsPEM())
	base := map[string]string{alipay.EnvAppID: fake.AppID, alipay.EnvPrivateKeyFile: priv, alipay.EnvGatewayURL: fake.GatewayURL(),
		alipay.EnvAppCertFile: appCert, alipay.EnvAlipayCertFile: alipayCert, alipay.EnvRootCertFile: roots}
	with := func(k, v string) func(string) string {
		return func(x string) string {
			if x == k {
				return v
			}
			return base[x]
		}
	}
	cfg, ok, err := alipay.ConfigFromEnv(with("", ""))
	if err != nil || !ok || cfg.AppCert == nil || cfg.AlipayCert == nil || len(cfg.AlipayRoots) != 2 || cfg.AlipayKey != nil {
		t.Fatalf("%+v %v %v", cfg, ok, err)
	}
	c, err := alipay.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Start(context.Background(), payment.ChargeRequest{Reference: "SMcenv001", Amount: 100, Currency: "CNY", Method: payment.MethodQR,
		Subject: "x", NotifyURL: "https://shop.example.com/n"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, val, want string }{
		{alipay.EnvRootCertFile, "", alipay.EnvRootCertFile},
		{alipay.EnvAlipayCertFile, "", alipay.EnvAlipayCertFile},
		{alipay.EnvAppCertFile, priv, alipay.EnvAppCertFile}, // a key, not a certificate
		{alipay.EnvPublicKeyFile, writeTemp(t, fake.AlipayPublicKeyPEM()), alipay.EnvPublicKeyFile},
	} {
		if _, _, err := alipay.ConfigFromEnv(with(tc.key, tc.val)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s=%q: %v, want an error naming %s", tc.key, tc.val, err, tc.want)
		}
	}
}

// TestCertModeUnknownSerialFetchedAtMostOnceAMinute: forged notifications
// naming made-up certificate serials make the client ask Alipay at most
// once a minute.
func TestCertModeUnknownSerialFetchedAtMostOnceAMinute(t *testing.T) {
	e := newCertEnv(t)
	now := time.Now()
	alipay.SetClock(e.client, func() time.Time { return now })
	forged := func(sn string) error {
		form := url.Values{"notify_id": {"n1"}, "app_id": {e.fake.AppID}, "out_trade_no": {"SMforged1"}, "trade_status": {"TRADE_SUCCESS"},
			"total_amount": {"1.00"}, "alipay_cert_sn": {sn}, "sign_type": {"RSA2"}, "sign": {"AAAA"}}
		_, err := e.client.ParseNotification(context.Background(), nil, []byte(form.Encode()))
		return err
	}
	// The first asks Alipay, which has no such certificate; the next two
	// do not ask. All are refused.
	for _, sn := range []string{"00000000000000000000000000000001", "00000000000000000000000000000002", "00000000000000000000000000000003"} {
		if err := forged(sn); err == nil {
			t.Fatalf("a forged notification naming %s was taken", sn)
		}
	}
	if n := e.fake.Calls(alipay.MethodCertDownload); n != 1 {
		t.Fatalf("%d downloads for three forged serials within a minute", n)
	}
	now = now.Add(61 * time.Second)
	if err := forged("00000000000000000000000000000004"); err == nil {
		t.Fatal("a forged notification was taken")
	}
	if n := e.fake.Calls(alipay.MethodCertDownload); n != 2 {
		t.Fatalf("%d downloads after a minute", n)
	}
}
