package wxauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/wxauth"
	"sharemall/internal/wxauth/wxauthfake"
)

func newClient(t *testing.T, fake *wxauthfake.Server) *wxauth.Client {
	t.Helper()
	c, err := wxauth.New(fake.Config(t), &http.Client{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// authorize follows AuthorizeURL as WeChat's browser does and returns the
// code and state WeChat sent back.
func authorize(t *testing.T, c *wxauth.Client, back, state string) (code, gotState string) {
	t.Helper()
	u := c.AuthorizeURL(back, state)
	if !strings.HasSuffix(u, "#wechat_redirect") || !strings.Contains(u, "?appid=wx8888888888888888&redirect_uri=") ||
		!strings.Contains(u, "&response_type=code&scope=snsapi_base&state=") {
		t.Fatalf("authorize URL %s is not in WeChat's documented form", u)
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %s", res.Status)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), back) {
		t.Fatalf("sent back to %s", res.Header.Get("Location"))
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

// TestOpenIDThroughTheFake: a code from the authorize page gives the
// user's openid once; the same code again, a made-up code and no code are
// refused as bad input naming code; a wrong secret is not the user's fault.
func TestOpenIDThroughTheFake(t *testing.T) {
	fake := wxauthfake.New(t)
	fake.SetUser("oABCDEFG_user_1")
	c := newClient(t, fake)
	ctx := context.Background()
	state := c.State(7, 42)
	code, got := authorize(t, c, "https://shop.example.com/wx/oauth", state)
	if got != state || code == "" {
		t.Fatalf("state %q came back as %q, code %q", state, got, code)
	}
	openid, err := c.OpenID(ctx, code)
	if err != nil || openid != "oABCDEFG_user_1" {
		t.Fatalf("openid %q, %v", openid, err)
	}
	for _, bad := range []string{code, "not-a-code-wechat-gave", ""} {
		if _, err := c.OpenID(ctx, bad); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "code" {
			t.Fatalf("code %q: %v, want invalid code", bad, err)
		}
	}
	// A wrong secret is our configuration, not bad input.
	cfg := fake.Config(t)
	fake.SetSecret("another secret entirely 0123456")
	wrong, err := wxauth.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	code, _ = authorize(t, wrong, "https://shop.example.com/wx/oauth", "x")
	if _, err := wrong.OpenID(ctx, code); err == nil || errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "40125") {
		t.Fatalf("wrong secret: %v", err)
	}
}

// TestState: a state is good for its account until it expires; another
// account's, a changed one, a stale one and garbage are refused on field
// state.
func TestState(t *testing.T) {
	fake := wxauthfake.New(t)
	c := newClient(t, fake)
	now := time.Now()
	c.Now = func() time.Time { return now }
	st := c.State(7, 42)
	if len(st) > 128 || strings.Trim(st, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Fatalf("state %q: WeChat takes at most 128 of [a-zA-Z0-9]", st)
	}
	if order, err := c.CheckState(7, st); err != nil || order != 42 {
		t.Fatalf("own state: %d %v", order, err)
	}
	i := strings.IndexByte(st, 'z')
	forged := []string{
		"", "42", "42z1z1", st + "0",
		"43" + st[i:], // another order under the same MAC
	}
	for _, f := range forged {
		if _, err := c.CheckState(7, f); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "state" {
			t.Fatalf("forged %q: %v", f, err)
		}
	}
	if _, err := c.CheckState(8, st); !errs.Is(err, errs.Invalid) {
		t.Fatalf("another account's state: %v", err)
	}
	// Signed by another server (another secret).
	other, err := wxauth.New(wxauth.Config{AppID: "wx1", SecretFile: writeSecret(t, "another")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CheckState(7, other.State(7, 42)); !errs.Is(err, errs.Invalid) {
		t.Fatalf("another server's state: %v", err)
	}
	now = now.Add(wxauth.StateTTL + time.Second)
	if _, err := c.CheckState(7, st); !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("stale state: %v", err)
	}
}

// TestSealOpenID: the kept openid opens only for its account, unchanged.
func TestSealOpenID(t *testing.T) {
	c := newClient(t, wxauthfake.New(t))
	v := c.SealOpenID(7, "oUser_1")
	if got := c.OpenOpenID(7, v); got != "oUser_1" {
		t.Fatalf("own: %q", got)
	}
	for _, bad := range []string{c.SealOpenID(8, "oUser_1"), "oUser_2" + v[strings.IndexByte(v, '.'):], "oUser_1", ""} {
		if got := c.OpenOpenID(7, bad); got != "" {
			t.Fatalf("%q opened as %q", bad, got)
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, on, err := wxauth.ConfigFromEnv(env(map[string]string{"SHAREMALL_WECHATPAY_APPID": "wx1"})); on || err != nil {
		t.Fatalf("no secret: on %v %v", on, err)
	}
	if _, _, err := wxauth.ConfigFromEnv(env(map[string]string{"SHAREMALL_WECHAT_APP_SECRET_FILE": "/s"})); err == nil {
		t.Fatal("a secret without an app id is taken")
	}
	cfg, on, err := wxauth.ConfigFromEnv(env(map[string]string{"SHAREMALL_WECHAT_APP_SECRET_FILE": "/s", "SHAREMALL_WECHATPAY_APPID": "wx1"}))
	if !on || err != nil || cfg.AppID != "wx1" {
		t.Fatalf("%+v %v %v", cfg, on, err)
	}
	if _, err := wxauth.New(wxauth.Config{AppID: "wx1", SecretFile: writeSecret(t, "  \n")}, nil); err == nil {
		t.Fatal("an empty secret is taken")
	}
}
