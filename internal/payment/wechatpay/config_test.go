package wechatpay_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

func TestConfigFromEnv(t *testing.T) {
	f := wechatpayfake.New(t)
	env := f.Env()
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	_, on, err := wechatpay.ConfigFromEnv(get(nil))
	if on || err != nil {
		t.Fatalf("nothing set: %v %v", on, err)
	}
	cfg, on, err := wechatpay.ConfigFromEnv(get(env))
	if !on || err != nil || !reflect.DeepEqual(cfg, f.Config()) {
		t.Fatalf("%+v %v %v", cfg, on, err)
	}
	if _, err := wechatpay.New(cfg, nil); err != nil {
		t.Fatal(err)
	}
	part := map[string]string{"SHAREMALL_WECHATPAY_MCHID": "1900000109", "SHAREMALL_WECHATPAY_KEY_FILE": "/k.pem"}
	_, on, err = wechatpay.ConfigFromEnv(get(part))
	if !on || err == nil || !strings.Contains(err.Error(), "SHAREMALL_WECHATPAY_APPID") || !strings.Contains(err.Error(), "SHAREMALL_WECHATPAY_APIV3_KEY_FILE") || strings.Contains(err.Error(), "SHAREMALL_WECHATPAY_MCHID,") {
		t.Fatalf("%v %v", on, err)
	}
}

func TestNewNamesTheBadSetting(t *testing.T) {
	f := wechatpayfake.New(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	cases := []struct {
		want string
		edit func(*wechatpay.Config)
	}{
		{"SHAREMALL_WECHATPAY_SERIAL", func(c *wechatpay.Config) { c.Serial = "" }},
		{"SHAREMALL_WECHATPAY_KEY_FILE", func(c *wechatpay.Config) { c.KeyFile = filepath.Join(dir, "missing.pem") }},
		{"SHAREMALL_WECHATPAY_KEY_FILE", func(c *wechatpay.Config) { c.KeyFile = write("junk.pem", "not a key") }},
		{"SHAREMALL_WECHATPAY_APIV3_KEY_FILE", func(c *wechatpay.Config) { c.APIv3KeyFile = write("short.key", "too short") }},
		{"SHAREMALL_WECHATPAY_PLATFORM_CERT_FILE", func(c *wechatpay.Config) {
			c.PlatformCertFile = write("junk.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
		}},
		{"SHAREMALL_WECHATPAY_BASE_URL", func(c *wechatpay.Config) { c.BaseURL = "api.mch.weixin.qq.com" }},
		{"method", func(c *wechatpay.Config) { c.Methods = []string{"app"} }},
	}
	for _, tc := range cases {
		cfg := f.Config()
		tc.edit(&cfg)
		_, err := wechatpay.New(cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want an error naming %s, got %v", tc.want, err)
		}
	}
}
