package alipay_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/alipay/alipayfake"
)

func TestConfigFromEnv(t *testing.T) {
	fake := alipayfake.New(alipayfake.Options{})
	defer fake.Close()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	priv8 := write("app8.pem", fake.AppPrivateKeyPEM())
	priv1 := write("app1.pem", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(fake.AppKey)}))
	pub := write("alipay.pem", fake.AlipayPublicKeyPEM())
	// Alipay's console shows the public key as one bare base64 line.
	der, _ := x509.MarshalPKIXPublicKey(&fake.AlipayKey.PublicKey)
	pubBare := write("alipay.txt", []byte(base64.StdEncoding.EncodeToString(der)+"\n"))
	junk := write("junk.pem", []byte("not a key"))
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	if _, ok, err := alipay.ConfigFromEnv(env(nil)); ok || err != nil {
		t.Fatalf("unconfigured: ok %v err %v", ok, err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string // the variable the error names
	}{
		{map[string]string{alipay.EnvAppID: "2021"}, alipay.EnvPrivateKeyFile},
		{map[string]string{alipay.EnvAppID: "2021", alipay.EnvPrivateKeyFile: priv8}, alipay.EnvPublicKeyFile},
		{map[string]string{alipay.EnvPrivateKeyFile: priv8, alipay.EnvPublicKeyFile: pub}, alipay.EnvAppID},
		{map[string]string{alipay.EnvAppID: "2021", alipay.EnvPrivateKeyFile: junk, alipay.EnvPublicKeyFile: pub}, alipay.EnvPrivateKeyFile},
		{map[string]string{alipay.EnvAppID: "2021", alipay.EnvPrivateKeyFile: priv8, alipay.EnvPublicKeyFile: junk}, alipay.EnvPublicKeyFile},
		{map[string]string{alipay.EnvAppID: "2021", alipay.EnvPrivateKeyFile: filepath.Join(dir, "missing"), alipay.EnvPublicKeyFile: pub}, alipay.EnvPrivateKeyFile},
		{map[string]string{alipay.EnvAppID: "2021", alipay.EnvPrivateKeyFile: priv8, alipay.EnvPublicKeyFile: pub, alipay.EnvMethods: "qr,card"}, alipay.EnvMethods},
		// The public key where the private one goes, a common mix-up.
		{map[string]string{alipay.EnvAppID: "2021", alipay.EnvPrivateKeyFile: pub, alipay.EnvPublicKeyFile: pub}, alipay.EnvPrivateKeyFile},
	} {
		_, _, err := alipay.ConfigFromEnv(env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
	for _, privFile := range []string{priv8, priv1} {
		for _, pubFile := range []string{pub, pubBare} {
			cfg, ok, err := alipay.ConfigFromEnv(env(map[string]string{alipay.EnvAppID: fake.AppID, alipay.EnvPrivateKeyFile: privFile,
				alipay.EnvPublicKeyFile: pubFile, alipay.EnvGatewayURL: fake.GatewayURL()}))
			if err != nil || !ok {
				t.Fatalf("%s, %s: %v", privFile, pubFile, err)
			}
			// The keys read are the right ones: a round trip works.
			c, err := alipay.New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			st, err := c.Start(context.Background(), payment.ChargeRequest{Reference: "SMcfg0001", Amount: 100, Currency: "CNY", Method: payment.MethodQR,
				Subject: "x", NotifyURL: "https://shop.example.com/n"})
			if err != nil || st.QRCode == "" {
				t.Fatalf("%s, %s: %+v %v", privFile, pubFile, st, err)
			}
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	fake := alipayfake.New(alipayfake.Options{})
	defer fake.Close()
	ok := fake.Config()
	for name, edit := range map[string]func(*alipay.Config){
		"no app id":      func(c *alipay.Config) { c.AppID = "" },
		"no private key": func(c *alipay.Config) { c.PrivateKey = nil },
		"no alipay key":  func(c *alipay.Config) { c.AlipayKey = nil },
		"a relative URL": func(c *alipay.Config) { c.GatewayURL = "gateway.do" },
		"another scheme": func(c *alipay.Config) { c.GatewayURL = "ftp://openapi.alipay.com/gateway.do" },
	} {
		c := ok
		edit(&c)
		if _, err := alipay.New(c, nil); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := ok
	c.GatewayURL = ""
	if _, err := alipay.New(c, nil); err != nil {
		t.Fatalf("the default gateway: %v", err)
	}
	c = ok
	c.Methods = []payment.Method{payment.MethodJSAPI}
	if _, err := alipay.New(c, nil); err == nil {
		t.Fatal("JSAPI accepted")
	}
}

// TestOnlyTheSignedProducts: a merchant that signed only 当面付 offers QR
// payment alone, and a redirect is refused before any call.
func TestOnlyTheSignedProducts(t *testing.T) {
	fake := alipayfake.New(alipayfake.Options{})
	defer fake.Close()
	cfg, ok, err := alipay.ConfigFromEnv(func(k string) string {
		return map[string]string{alipay.EnvAppID: fake.AppID, alipay.EnvPrivateKeyFile: writeTemp(t, fake.AppPrivateKeyPEM()),
			alipay.EnvPublicKeyFile: writeTemp(t, fake.AlipayPublicKeyPEM()), alipay.EnvGatewayURL: fake.GatewayURL(), alipay.EnvMethods: " qr "}[k]
	})
	if err != nil || !ok {
		t.Fatal(err)
	}
	c, err := alipay.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ms := c.Methods(); len(ms) != 1 || ms[0] != payment.MethodQR {
		t.Fatalf("methods %v", ms)
	}
	_, err = c.Start(context.Background(), payment.ChargeRequest{Reference: "SMonly001", Amount: 100, Currency: "CNY", Method: payment.MethodRedirect,
		Subject: "x", NotifyURL: "https://shop.example.com/n", ReturnURL: "https://shop.example.com/r"})
	if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "method" {
		t.Fatalf("a redirect: %v", err)
	}
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "key*.pem")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

// gatewayAnswering is a gateway that answers every call with status and
// body, as Alipay does when it is down or busy.
func gatewayAnswering(t *testing.T, status int, body string) *alipay.Client {
	t.Helper()
	fake := alipayfake.New(alipayfake.Options{})
	t.Cleanup(fake.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status == 0 {
			time.Sleep(500 * time.Millisecond)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	cfg := fake.Config()
	cfg.GatewayURL = srv.URL + "/gateway.do"
	c, err := alipay.New(cfg, &http.Client{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTemporaryAndPermanentErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		status int
		body   string
		code   errs.Code // Internal: temporary, the outbox asks again
	}{
		{"timeout", 0, "", errs.Internal},
		{"5xx", 502, "<html>Bad Gateway</html>", errs.Internal},
		{"20000", 200, `{"alipay_trade_query_response":{"code":"20000","msg":"Service Currently Unavailable","sub_code":"isp.unknow-error","sub_msg":"系统繁忙"}}`, errs.Internal},
		{"system error", 200, `{"alipay_trade_query_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.SYSTEM_ERROR","sub_msg":"系统错误"}}`, errs.Internal},
		{"not JSON", 200, `<html>`, errs.Internal},
		{"a forged success", 200, `{"alipay_trade_query_response":{"code":"10000","msg":"Success","out_trade_no":"SMerr0001","trade_status":"TRADE_SUCCESS","total_amount":"1.00"},"sign":"AAAA"}`, errs.Internal},
		{"an unsigned success", 200, `{"alipay_trade_query_response":{"code":"10000","msg":"Success","out_trade_no":"SMerr0001","trade_status":"TRADE_SUCCESS","total_amount":"1.00"}}`, errs.Internal},
		{"not exist", 200, `{"alipay_trade_query_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.TRADE_NOT_EXIST","sub_msg":"交易不存在"}}`, errs.NotFound},
		{"invalid parameter", 200, `{"alipay_trade_query_response":{"code":"40004","msg":"Business Failed","sub_code":"ACQ.INVALID_PARAMETER","sub_msg":"参数无效"}}`, errs.Invalid},
		{"error_response", 200, `{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}`, errs.Invalid},
	} {
		c := gatewayAnswering(t, tc.status, tc.body)
		_, err := c.Query(ctx, "SMerr0001")
		if err == nil || errs.CodeOf(err) != tc.code {
			t.Errorf("%s: %v (code %s), want %s", tc.name, err, errs.CodeOf(err), tc.code)
		}
	}
	// A refund whose answer never comes, and whose query fails too, is
	// temporary: asked again later under the same key.
	c := gatewayAnswering(t, 0, "")
	if _, err := c.Refund(ctx, refund("SMerr0001", "RFerr1", 100)); err == nil || errs.CodeOf(err) != errs.Internal {
		t.Fatalf("refund timeout: %v", err)
	}
}

func TestAcknowledge(t *testing.T) {
	fake := alipayfake.New(alipayfake.Options{})
	defer fake.Close()
	c, _ := alipay.New(fake.Config(), nil)
	for _, tc := range []struct {
		err  error
		want string
	}{{nil, "success"}, {errs.Invalidf("sign", "bad"), "failure"}} {
		w := httptest.NewRecorder()
		c.Acknowledge(w, tc.err)
		if w.Body.String() != tc.want || w.Code != 200 {
			t.Errorf("%v: %d %q", tc.err, w.Code, w.Body.String())
		}
	}
	if c.Name() != "alipay" || len(c.Methods()) != 2 {
		t.Fatalf("%s %v", c.Name(), c.Methods())
	}
}
