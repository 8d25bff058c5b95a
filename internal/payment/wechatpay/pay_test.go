package wechatpay_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

func TestStartJSAPIH5Native(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	base := payment.ChargeRequest{OrderID: 7, Amount: 12800, Currency: "CNY", Subject: "Sharemall 订单 7", NotifyURL: "https://shop.example/wechatpay/notify"}

	j := base
	j.Reference, j.Method, j.PayerID = "SM7JSAPI01", payment.MethodJSAPI, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	j.ExpiresAt = time.Now().Add(30 * time.Minute)
	st, err := c.Start(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	b := st.Bridge
	if b["appId"] != f.AppID || b["signType"] != "RSA" || !strings.HasPrefix(b["package"], "prepay_id=wx") || b["nonceStr"] == "" || b["timeStamp"] == "" {
		t.Fatalf("bridge %v", b)
	}
	// paySign is the merchant's RSA-SHA256 over appId, timeStamp, nonceStr, package.
	sig, _ := base64.StdEncoding.DecodeString(b["paySign"])
	sum := sha256.Sum256([]byte(b["appId"] + "\n" + b["timeStamp"] + "\n" + b["nonceStr"] + "\n" + b["package"] + "\n"))
	if err := rsa.VerifyPKCS1v15(&f.MerchantKey.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("paySign does not verify: %v", err)
	}
	req, tx, ok := f.Order("SM7JSAPI01")
	if !ok || req.Payer == nil || req.Payer.OpenID != j.PayerID || req.Amount.Total != 12800 || tx.TradeState != "NOTPAY" || req.TimeExpire == "" || !strings.HasSuffix(req.TimeExpire, "+08:00") {
		t.Fatalf("order at the fake: %+v %+v", req, tx)
	}

	h := base
	h.Reference, h.Method, h.ClientIP, h.ReturnURL = "SM7H5000001", payment.MethodRedirect, "203.0.113.9", "https://shop.example/orders/7?paid=1"
	st, err = c.Start(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.RedirectURL, "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=") || !strings.HasSuffix(st.RedirectURL, "&redirect_url=https%3A%2F%2Fshop.example%2Forders%2F7%3Fpaid%3D1") {
		t.Fatalf("H5 redirect %q", st.RedirectURL)
	}
	req, _, _ = f.Order("SM7H5000001")
	if req.SceneInfo == nil || req.SceneInfo.PayerClientIP != "203.0.113.9" || req.SceneInfo.H5Info.Type != "Wap" {
		t.Fatalf("H5 scene %+v", req.SceneInfo)
	}

	n := base
	n.Reference, n.Method = "SM7NATIVE01", payment.MethodQR
	st, err = c.Start(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.QRCode, "weixin://wxpay/bizpayurl?pr=") {
		t.Fatalf("code_url %q", st.QRCode)
	}
	// Started again (the customer reloads): the same order, not a clash.
	if st2, err := c.Start(ctx, n); err != nil || st2.QRCode != st.QRCode {
		t.Fatalf("again: %v %v", st2, err)
	}
	// The same reference with another amount is refused by WeChat Pay.
	n.Amount = 1
	_, err = c.Start(ctx, n)
	wantCode(t, err, errs.Invalid)

	ps, err := c.Query(ctx, "SM7NATIVE01")
	if err != nil || ps.Status != payment.PaymentOpen || ps.Amount != 12800 {
		t.Fatalf("query: %+v %v", ps, err)
	}
}

func TestStartRefusesBadInputBeforeCalling(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f, func(cfg *wechatpay.Config) { cfg.Methods = []string{"jsapi", "qr"} })
	ok := payment.ChargeRequest{Reference: "SM0000001", Amount: 100, Currency: "CNY", Method: payment.MethodQR, Subject: "x", NotifyURL: "https://shop.example/n"}
	cases := []struct {
		field string
		edit  func(*payment.ChargeRequest)
	}{
		{"currency", func(r *payment.ChargeRequest) { r.Currency = "USD" }},
		{"amount", func(r *payment.ChargeRequest) { r.Amount = 0 }},
		{"reference", func(r *payment.ChargeRequest) { r.Reference = "abc" }},
		{"reference", func(r *payment.ChargeRequest) { r.Reference = "SM 000 0001" }},
		{"subject", func(r *payment.ChargeRequest) { r.Subject = "" }},
		{"notify_url", func(r *payment.ChargeRequest) { r.NotifyURL = "" }},
		{"payer_id", func(r *payment.ChargeRequest) { r.Method = payment.MethodJSAPI }},
		{"method", func(r *payment.ChargeRequest) { r.Method = payment.MethodRedirect; r.ClientIP = "203.0.113.9" }},
		{"expires_at", func(r *payment.ChargeRequest) { r.ExpiresAt = time.Now().Add(-time.Minute) }},
	}
	for _, tc := range cases {
		r := ok
		tc.edit(&r)
		_, err := c.Start(context.Background(), r)
		wantCode(t, err, errs.Invalid)
		if errs.FieldOf(err) != tc.field {
			t.Errorf("%+v: field %q, want %q (%v)", r, errs.FieldOf(err), tc.field, err)
		}
	}
	if got := f.Requests(); len(got) != 0 {
		t.Fatalf("bad requests reached WeChat Pay: %v", got)
	}
	// H5 without the payer's IP, on a client that offers H5.
	c = newClient(t, f)
	r := ok
	r.Method = payment.MethodRedirect
	_, err := c.Start(context.Background(), r)
	wantCode(t, err, errs.Invalid)
	if errs.FieldOf(err) != "client_ip" {
		t.Fatalf("field %q", errs.FieldOf(err))
	}
}

func TestQueryStates(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	_, err := c.Query(ctx, "SMNOSUCH01")
	wantCode(t, err, errs.NotFound)

	start(t, c, "SMCLOSED01", 500, "https://shop.example/n")
	if err := f.Close("SMCLOSED01"); err != nil {
		t.Fatal(err)
	}
	ps, err := c.Query(ctx, "SMCLOSED01")
	if err != nil || ps.Status != payment.PaymentClosed {
		t.Fatalf("%+v %v", ps, err)
	}

	start(t, c, "SMPAID0001", 500, "https://shop.example/n")
	if err := f.Pay("SMPAID0001"); err != nil {
		t.Fatal(err)
	}
	ps, err = c.Query(ctx, "SMPAID0001")
	_, tx, _ := f.Order("SMPAID0001")
	if err != nil || ps.Status != payment.PaymentPaid || ps.ProviderRef != tx.TransactionID || ps.Amount != 500 || ps.PaidAt.IsZero() || ps.Payer == "" {
		t.Fatalf("%+v %v", ps, err)
	}
	// Refunded in part: trade_state REFUND, still paid.
	if _, err := c.Refund(ctx, payment.RefundRequest{Reference: "SMPAID0001", RefundKey: "RF-P-1", Amount: 100, Total: 500, Currency: "CNY"}); err != nil {
		t.Fatal(err)
	}
	ps, err = c.Query(ctx, "SMPAID0001")
	if err != nil || ps.Status != payment.PaymentPaid {
		t.Fatalf("%+v %v", ps, err)
	}
}

func TestRequestsSignedWithAnotherKeyAreRefused(t *testing.T) {
	f := wechatpayfake.New(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// PKCS#1 this time: both PEM forms load.
	path := t.TempDir() + "/other_key.pem"
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)}), 0o600); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, f, func(cfg *wechatpay.Config) { cfg.KeyFile = path })
	_, err = c.Query(context.Background(), "SM0000001")
	wantCode(t, err, errs.Invalid)
	if !strings.Contains(err.Error(), "SIGN_ERROR") {
		t.Fatalf("%v", err)
	}
}

func TestTemporaryFailuresAndForgedAnswers(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	start(t, c, "SMTEMP0001", 100, "https://shop.example/n")
	for _, tc := range []struct {
		status int
		code   string
	}{{500, "SYSTEM_ERROR"}, {429, "FREQUENCY_LIMITED"}, {403, "FREQUENCY_LIMITED"}, {503, "SYSTEM_ERROR"}} {
		f.FailNext(1, tc.status, tc.code)
		_, err := c.Query(ctx, "SMTEMP0001")
		wantTemporary(t, err)
	}
	f.ForgeNextAnswers(1)
	_, err := c.Query(ctx, "SMTEMP0001")
	wantTemporary(t, err)
	if !strings.Contains(err.Error(), "signature") {
		t.Fatalf("%v", err)
	}
	if _, err := c.Query(ctx, "SMTEMP0001"); err != nil {
		t.Fatal(err)
	}
	f.FailNext(1, http.StatusBadRequest, "PARAM_ERROR")
	_, err = c.Query(ctx, "SMTEMP0001")
	wantCode(t, err, errs.Invalid)
}

func TestCloseUnpaidPayment(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	start(t, c, "SMCLOSE001", 100, "https://shop.example/n")
	if err := c.Close(ctx, "SMCLOSE001"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx, "SMCLOSE001"); err != nil {
		t.Fatalf("closing twice: %v", err)
	}
	if ps, err := c.Query(ctx, "SMCLOSE001"); err != nil || ps.Status != payment.PaymentClosed {
		t.Fatalf("%+v %v", ps, err)
	}
	if err := f.Pay("SMCLOSE001"); err == nil {
		t.Fatal("a closed payment was paid")
	}
	paid(t, f, c, "SMCLOSE002", 100)
	wantCode(t, c.Close(ctx, "SMCLOSE002"), errs.Invalid)
	wantCode(t, c.Close(ctx, "SMCLOSE003"), errs.NotFound)
	wantCode(t, c.Close(ctx, "x"), errs.Invalid)
}
