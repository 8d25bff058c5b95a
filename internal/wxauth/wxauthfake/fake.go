// Package wxauthfake is a local stand-in for WeChat's two web
// authorization endpoints, behaving as WeChat documents them
// (developers.weixin.qq.com, 网页授权): the authorize page, which sends the
// browser back to redirect_uri with a code and the state unchanged, and
// sns/oauth2/access_token, which trades a code (good once, for five
// minutes) for the openid, or answers errcode 40029 (invalid code), 40163
// (code been used), 40125 (invalid appsecret) or 40013 (invalid appid).
package wxauthfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"sharemall/internal/wxauth"
)

// Server is the fake, for one official account.
type Server struct {
	AppID, Secret string
	URL           string

	mu    sync.Mutex
	user  string // the openid of who is using WeChat's browser
	codes map[string]issued
	Asked int // access_token calls
}

type issued struct {
	openid string
	at     time.Time
	used   bool
}

// New starts the fake; it stops when t ends.
func New(t testing.TB) *Server {
	s := &Server{AppID: "wx8888888888888888", Secret: "0123456789abcdef0123456789abcdef", codes: map[string]issued{},
		user: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /connect/oauth2/authorize", s.authorize)
	mux.HandleFunc("GET /sns/oauth2/access_token", s.accessToken)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	s.URL = hs.URL
	return s
}

// SetUser sets who is signed in to WeChat in the browser.
func (s *Server) SetUser(openid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = openid
}

// SetSecret changes the app secret (as resetting it on the platform does).
func (s *Server) SetSecret(secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Secret = secret
}

// Config is a wxauth configuration for the fake, its secret in a file
// under t's temporary directory.
func (s *Server) Config(t testing.TB) wxauth.Config {
	f := filepath.Join(t.TempDir(), "app_secret")
	if err := os.WriteFile(f, []byte(s.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return wxauth.Config{AppID: s.AppID, SecretFile: f, AuthorizeURL: s.URL + "/connect/oauth2/authorize", APIBase: s.URL}
}

// authorize is the page WeChat's browser opens: for snsapi_base it asks
// nothing and sends the browser to redirect_uri?code=CODE&state=STATE.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("appid") != s.AppID:
		http.Error(w, "appid 参数错误", http.StatusBadRequest)
		return
	case err != nil || back.Scheme == "" || back.Host == "":
		http.Error(w, "redirect_uri 参数错误", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || (q.Get("scope") != "snsapi_base" && q.Get("scope") != "snsapi_userinfo"):
		http.Error(w, "scope 参数错误或没有 scope 权限", http.StatusBadRequest)
		return
	}
	b := make([]byte, 16)
	rand.Read(b)
	code := hex.EncodeToString(b)
	s.mu.Lock()
	s.codes[code] = issued{openid: s.user, at: time.Now()}
	s.mu.Unlock()
	bq := back.Query()
	bq.Set("code", code)
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Asked++
	answer := func(v any) {
		w.Header().Set("Content-Type", "application/json; encoding=utf-8")
		json.NewEncoder(w).Encode(v)
	}
	fail := func(code int, msg string) { answer(map[string]any{"errcode": code, "errmsg": msg}) }
	c, ok := s.codes[q.Get("code")]
	switch {
	case q.Get("appid") != s.AppID:
		fail(40013, "invalid appid")
	case q.Get("secret") != s.Secret:
		fail(40125, "invalid appsecret")
	case q.Get("grant_type") != "authorization_code":
		fail(40002, "invalid grant_type")
	case !ok || time.Since(c.at) > 5*time.Minute:
		fail(40029, "invalid code")
	case c.used:
		fail(40163, "code been used")
	default:
		c.used = true
		s.codes[q.Get("code")] = c
		answer(map[string]any{"access_token": "ACCESS_TOKEN_" + q.Get("code"), "expires_in": 7200, "refresh_token": "REFRESH",
			"openid": c.openid, "scope": "snsapi_base", "is_snapshotuser": 0})
	}
}
