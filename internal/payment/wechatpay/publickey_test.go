package wechatpay_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

// Merchants opened since 2024 get a WeChat Pay public key, not platform
// certificates: answers and notifications name its PUB_KEY_ID, and
// /v3/certificates has nothing for them.
func TestPublicKeyModeNeedsNoCertificates(t *testing.T) {
	f := wechatpayfake.New(t)
	f.UsePublicKey(t)
	cfg, on, err := wechatpay.ConfigFromEnv(func(k string) string { return f.Env()[k] })
	if !on || err != nil || !reflect.DeepEqual(cfg, f.Config()) || cfg.PlatformCertFile != "" || !strings.HasPrefix(cfg.PublicKeyID, "PUB_KEY_ID_") {
		t.Fatalf("%+v %v %v", cfg, on, err)
	}
	c := newClient(t, f)
	rcv := newReceiver(t, c)
	start(t, c, "SMPUBKEY01", 990, rcv.URL)
	st, err := f.PayAndNotify("SMPUBKEY01", wechatpayfake.NoticeOptions{})
	if err != nil || len(st) != 1 || st[0] != http.StatusNoContent {
		t.Fatalf("%v %v", st, err)
	}
	got, bad := rcv.notifications()
	if len(bad) != 0 || len(got) != 1 || got[0].Payment.Status != payment.PaymentPaid {
		t.Fatalf("%v %v", got, bad)
	}
	// Anything else is refused without asking for certificates.
	for _, o := range []wechatpayfake.NoticeOptions{{UnknownSerial: true}, {BadSignature: true}} {
		h, body, _ := f.PaymentNotice("SMPUBKEY01", o)
		_, err := c.ParseNotification(context.Background(), h, body)
		wantCode(t, err, errs.Invalid)
	}
	if err := c.RefreshCertificates(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.CertificateFetches(); n != 0 {
		t.Fatalf("%d certificate fetches in public key mode", n)
	}

	half := f.Config()
	half.PublicKeyFile = ""
	if _, err := wechatpay.New(half, nil); err == nil || !strings.Contains(err.Error(), "SHAREMALL_WECHATPAY_PUBLIC_KEY_FILE") {
		t.Fatalf("%v", err)
	}
	wrongID := f.Config()
	wrongID.PublicKeyID = "0119000001092026120300000000"
	if _, err := wechatpay.New(wrongID, nil); err == nil || !strings.Contains(err.Error(), "SHAREMALL_WECHATPAY_PUBLIC_KEY_ID") {
		t.Fatalf("%v", err)
	}
	notPub := f.Config()
	notPub.PublicKeyFile = notPub.KeyFile
	if _, err := wechatpay.New(notPub, nil); err == nil || !strings.Contains(err.Error(), "PUBLIC KEY") {
		t.Fatalf("%v", err)
	}
}

// While a merchant switches from certificates to the public key, WeChat
// Pay signs with either: both configured, both verify.
func TestCertificateAndPublicKeyTogether(t *testing.T) {
	f := wechatpayfake.New(t)
	certCfg := f.Config()
	f.UsePublicKey(t)
	pubCfg := f.Config()
	cfg := certCfg
	cfg.PublicKeyID, cfg.PublicKeyFile = pubCfg.PublicKeyID, pubCfg.PublicKeyFile
	c, err := wechatpay.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, c, "SMBOTH0001", 100, "https://shop.example/n")
	if _, err := c.Query(context.Background(), "SMBOTH0001"); err != nil {
		t.Fatal(err)
	}
}
