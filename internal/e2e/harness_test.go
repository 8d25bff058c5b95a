package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"sharemall/internal/media"
	"sharemall/internal/session"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// RequireEnv names the variable that turns a missing browser from a
// skip into a failure: .ci/run sets SHAREMALL_E2E=require.
const RequireEnv = "SHAREMALL_E2E"

// One browser for the whole test binary: starting Chromium costs about a
// second, a new tab (with its own cookies) a few milliseconds.
var (
	browserOnce sync.Once
	theBrowser  *Browser
	browserErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if theBrowser != nil {
		theBrowser.Close()
	}
	os.Exit(code)
}

// needBrowser is the test binary's browser, started on first use. Without
// Chromium the test is skipped, or fails when SHAREMALL_E2E=require.
func needBrowser(t *testing.T) *Browser {
	t.Helper()
	browserOnce.Do(func() {
		path, err := FindChromium()
		if err != nil {
			browserErr = err
			return
		}
		start := time.Now()
		theBrowser, browserErr = StartBrowser(path)
		if browserErr == nil {
			t.Logf("started %s in %s", path, time.Since(start).Round(time.Millisecond))
		}
	})
	switch {
	case browserErr == nil:
		return theBrowser
	case errors.Is(browserErr, ErrNoChromium) && os.Getenv(RequireEnv) != "require":
		t.Skipf("browser tests skipped: %v (set %s=require to fail instead)", browserErr, RequireEnv)
	default:
		t.Fatalf("browser tests: %v", browserErr)
	}
	return nil
}

// App is one journey's world: the real server on a fresh database (Site:
// its URL, DB, Clock, RunDue) and the browser, to open people's phones.
type App struct {
	*Site
	t       *testing.T
	browser *Browser
}

// Journey runs fn once per database engine (SQLite, and PostgreSQL when
// configured), each time on a fresh database served by a fresh site.
func Journey(t *testing.T, fn func(t *testing.T, app *App)) {
	t.Helper()
	b := needBrowser(t)
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		cfg := LocalConfig()
		var err error
		if cfg.Media, err = media.NewLocal(t.TempDir()); err != nil { // uploaded pictures
			t.Fatal(err)
		}
		s, err := StartSite(db, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		start := time.Now()
		t.Cleanup(func() { t.Logf("journey took %s", time.Since(start).Round(time.Millisecond)) })
		fn(t, &App{Site: s, t: t, browser: b})
	})
}

// Visitor opens a new person's phone on the site, its browser set to lang
// ("en" or "zh"): no cookies yet, as someone who just tapped a link. When
// the test fails, the tab's last screen is saved and its file named.
func (a *App) Visitor(lang string) *Tab {
	a.t.Helper()
	tab := a.browser.NewTab(a.t, a.URL, lang)
	a.t.Cleanup(func() {
		if a.t.Failed() {
			saveFailure(a.t, tab)
		}
		tab.Close()
	})
	return tab
}

// saveFailure keeps the screen of a failed test in
// $TMPDIR/sharemall-e2e/<test>.png, for a person to look at.
func saveFailure(t *testing.T, tab *Tab) {
	dir := filepath.Join(os.TempDir(), "sharemall-e2e")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	file := filepath.Join(dir, regexp.MustCompile(`[^A-Za-z0-9_.-]+`).ReplaceAllString(t.Name(), "_")+".png")
	quiet := &quietTB{}
	func() {
		defer func() { recover() }()
		tab.tb = quiet
		if png := tab.Screenshot(); png != nil {
			if os.WriteFile(file, png, 0o644) == nil {
				t.Logf("the screen at the failure: %s", file)
			}
		}
	}()
}

// quietTB ignores what a Tab reports: for the screenshot of a failure,
// taken as the test ends.
type quietTB struct{}

func (*quietTB) Helper()               {}
func (*quietTB) Errorf(string, ...any) {}
func (*quietTB) Logf(string, ...any)   {}
func (*quietTB) Fatalf(f string, a ...any) {
	panic(fmt.Sprintf(f, a...))
}

// SignedIn opens the phone of someone already signed in as login (a
// session made through the API, its cookie set): for journeys whose
// subject is not signing in.
func (a *App) SignedIn(lang, login, password string) *Tab {
	a.t.Helper()
	token, err := a.Session(login, password)
	if err != nil {
		a.t.Fatal(err)
	}
	u := a.Visitor(lang)
	u.SetCookie(session.Cookie, token)
	return u
}

// T is the message key in lang, as the pages show it: the catalogues of
// internal/web, read from its source, so a journey can be written once
// for both languages. A missing key fails the test binary.
func T(lang, key string, args ...any) string {
	m, ok := catalogues()[lang][key]
	if !ok {
		panic(fmt.Sprintf("no message %q in %s", key, lang))
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...)
	}
	return m
}

var catalogues = sync.OnceValue(func() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range []string{"en", "zh"} {
		out[lang] = map[string]string{}
		files, _ := filepath.Glob(filepath.Join("..", "web", "translations", lang, "*.json"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				panic(err)
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				panic(fmt.Sprintf("%s: %v", f, err))
			}
			for k, v := range m {
				out[lang][k] = v
			}
		}
	}
	return out
})
