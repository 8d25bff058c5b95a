// Package wxauth learns a WeChat user's openid under the merchant's
// official account through web authorization with scope snsapi_base
// (网页授权, silent: the user sees no consent page): the browser goes to
// WeChat's authorize page, comes back with a code, and the server trades
// the code for the openid. WeChat Pay JSAPI needs that openid as the payer.
//
// The state sent along is signed with a key derived from the app secret
// and binds the round trip to one signed-in account, one order and a short
// time, so a code fetched for someone else (login CSRF) is refused.
package wxauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
)

// Default hosts, as WeChat documents them.
const (
	DefaultAuthorizeURL = "https://open.weixin.qq.com/connect/oauth2/authorize"
	DefaultAPIBase      = "https://api.weixin.qq.com"
)

// StateTTL is how long a state is good for: the round trip through WeChat
// takes seconds.
const StateTTL = 10 * time.Minute

// Config is the official account's settings. The secret is a file, never a
// value in the environment.
type Config struct {
	AppID        string // SHAREMALL_WECHAT_APPID, else SHAREMALL_WECHATPAY_APPID: the official account
	SecretFile   string // SHAREMALL_WECHAT_APP_SECRET_FILE: the AppSecret (开发者密码)
	AuthorizeURL string // SHAREMALL_WECHAT_OAUTH_AUTHORIZE_URL: default DefaultAuthorizeURL
	APIBase      string // SHAREMALL_WECHAT_OAUTH_API_BASE: default DefaultAPIBase
}

// ConfigFromEnv reads the settings; configured is false when no secret file
// is set (the pages then offer no JSAPI). A secret without an app id is an
// error.
func ConfigFromEnv(getenv func(string) string) (cfg Config, configured bool, err error) {
	cfg = Config{
		AppID:        strings.TrimSpace(getenv("SHAREMALL_WECHAT_APPID")),
		SecretFile:   strings.TrimSpace(getenv("SHAREMALL_WECHAT_APP_SECRET_FILE")),
		AuthorizeURL: strings.TrimSpace(getenv("SHAREMALL_WECHAT_OAUTH_AUTHORIZE_URL")),
		APIBase:      strings.TrimSpace(getenv("SHAREMALL_WECHAT_OAUTH_API_BASE")),
	}
	if cfg.AppID == "" {
		cfg.AppID = strings.TrimSpace(getenv("SHAREMALL_WECHATPAY_APPID"))
	}
	if cfg.SecretFile == "" {
		return Config{}, false, nil
	}
	if cfg.AppID == "" {
		return cfg, true, fmt.Errorf("wxauth: SHAREMALL_WECHAT_APP_SECRET_FILE is set but no app id (SHAREMALL_WECHAT_APPID or SHAREMALL_WECHATPAY_APPID)")
	}
	return cfg, true, nil
}

// Client runs the flow for one official account.
type Client struct {
	appID, secret         string
	authorizeURL, apiBase string
	key                   []byte // signs states and openid cookies
	http                  *http.Client
	Now                   func() time.Time
}

// New reads the secret file. hc nil: a client with a 10 s timeout.
func New(cfg Config, hc *http.Client) (*Client, error) {
	b, err := os.ReadFile(cfg.SecretFile)
	if err != nil {
		return nil, fmt.Errorf("wxauth: reading the app secret: %w", err)
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" || cfg.AppID == "" {
		return nil, fmt.Errorf("wxauth: the app id and the app secret must not be empty")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	c := &Client{appID: cfg.AppID, secret: secret, authorizeURL: cfg.AuthorizeURL, apiBase: strings.TrimRight(cfg.APIBase, "/"), http: hc, Now: time.Now}
	if c.authorizeURL == "" {
		c.authorizeURL = DefaultAuthorizeURL
	}
	if c.apiBase == "" {
		c.apiBase = DefaultAPIBase
	}
	// A key of its own, so a leaked state never says anything about the secret.
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("sharemall wxauth v1"))
	c.key = m.Sum(nil)
	return c, nil
}

// AuthorizeURL is WeChat's page the browser is sent to; WeChat sends it
// back to redirectURI with code and state. The parameters go in the order
// WeChat's documentation gives, which its page checks, and the fragment
// #wechat_redirect is required.
func (c *Client) AuthorizeURL(redirectURI, state string) string {
	return c.authorizeURL + "?appid=" + url.QueryEscape(c.appID) + "&redirect_uri=" + url.QueryEscape(redirectURI) +
		"&response_type=code&scope=snsapi_base&state=" + url.QueryEscape(state) + "#wechat_redirect"
}

// State signs a round trip for account to pay order. WeChat takes a state
// of at most 128 of [a-zA-Z0-9], so it is "<order>z<expiry>z<mac>" in
// digits and hex.
func (c *Client) State(account, order int64) string {
	exp := c.Now().Add(StateTTL).Unix()
	head := strconv.FormatInt(order, 10) + "z" + strconv.FormatInt(exp, 10)
	return head + "z" + c.mac("state", strconv.FormatInt(account, 10), head)
}

// CheckState verifies a state came from State for account and has not
// expired, and returns its order. A forged, foreign or stale one is an
// errs.Invalid error on field state.
func (c *Client) CheckState(account int64, state string) (order int64, err error) {
	parts := strings.Split(state, "z")
	if len(parts) != 3 {
		return 0, errs.Invalidf("state", "WeChat's state is not one this server gave")
	}
	head := parts[0] + "z" + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(c.mac("state", strconv.FormatInt(account, 10), head))) {
		return 0, errs.Invalidf("state", "WeChat's state is not one this server gave to this account")
	}
	order, err1 := strconv.ParseInt(parts[0], 10, 64)
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errs.Invalidf("state", "WeChat's state is malformed")
	}
	if c.Now().Unix() > exp {
		return 0, errs.Invalidf("state", "WeChat's state has expired: start paying again")
	}
	return order, nil
}

// SealOpenID is the value of a cookie keeping account's openid: the openid
// and a MAC binding it to the account, so another account signed in on the
// same browser does not pay as this one.
func (c *Client) SealOpenID(account int64, openid string) string {
	return openid + "." + c.mac("openid", strconv.FormatInt(account, 10), openid)
}

// OpenOpenID reads a SealOpenID value for account; "" when it is not
// account's or was changed.
func (c *Client) OpenOpenID(account int64, sealed string) string {
	i := strings.LastIndexByte(sealed, '.')
	if i <= 0 {
		return ""
	}
	openid := sealed[:i]
	if !hmac.Equal([]byte(sealed[i+1:]), []byte(c.mac("openid", strconv.FormatInt(account, 10), openid))) {
		return ""
	}
	return openid
}

func (c *Client) mac(purpose string, parts ...string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// tokenAnswer is sns/oauth2/access_token's answer: the token, or errcode.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	OpenID      string `json:"openid"`
	Scope       string `json:"scope"`
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
}

// OpenID trades a code from the authorize page for the user's openid. A
// code WeChat refuses (wrong, used, expired: errcode 40029, 40163, 42003)
// is an errs.Invalid error on field code; a failure to reach WeChat, or
// another errcode (a wrong secret, 40125), is temporary or ours.
func (c *Client) OpenID(ctx context.Context, code string) (string, error) {
	if code == "" || len(code) > 128 {
		return "", errs.Invalidf("code", "WeChat sent no code: it did not authorize")
	}
	q := url.Values{"appid": {c.appID}, "secret": {c.secret}, "code": {code}, "grant_type": {"authorization_code"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.apiBase+"/sns/oauth2/access_token?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("wxauth: asking for the openid: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("wxauth: reading the openid: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("wxauth: WeChat answered %s", res.Status)
	}
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return "", fmt.Errorf("wxauth: WeChat's answer is not JSON: %w", err)
	}
	switch {
	case a.ErrCode == 40029 || a.ErrCode == 40163 || a.ErrCode == 42003:
		return "", errs.Invalidf("code", "WeChat refused its code (%d %s): start paying again", a.ErrCode, a.ErrMsg)
	case a.ErrCode != 0:
		return "", fmt.Errorf("wxauth: WeChat refused the exchange: %d %s", a.ErrCode, a.ErrMsg)
	case a.OpenID == "":
		return "", fmt.Errorf("wxauth: WeChat's answer has no openid")
	}
	return a.OpenID, nil
}
