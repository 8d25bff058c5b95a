package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// The app is installable (a manifest with its icons) and its service
// worker keeps the shell: with the server gone, a page shows the offline
// page instead of the browser's error.
func TestInstallableAndOffline(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		u := app.Visitor("en")
		u.Open("/signin")

		var m struct {
			Name, Display, Scope string
			StartURL             string `json:"start_url"`
			Icons                []struct{ Src, Sizes, Type string }
		}
		u.Eval(`fetch(document.querySelector("link[rel=manifest]").href).then(r => r.json())`, &m)
		if m.Name != "Sharemall" || m.StartURL != "/" || m.Display != "standalone" || len(m.Icons) < 2 {
			t.Errorf("manifest: %+v", m)
		}
		for _, icon := range m.Icons {
			var width int
			u.Eval(`new Promise(done => { const i = new Image(); i.onload = () => done(i.naturalWidth); i.onerror = () => done(0); i.src = `+
				jsString(icon.Src)+` })`, &width)
			if icon.Sizes != strconv.Itoa(width)+"x"+strconv.Itoa(width) {
				t.Errorf("icon %s is %d px wide, the manifest says %s", icon.Src, width, icon.Sizes)
			}
		}

		var worker string
		u.Eval(`navigator.serviceWorker.ready.then(r => r.active.scriptURL)`, &worker)
		if !strings.HasSuffix(worker, "/sw.js") {
			t.Fatalf("service worker: %q", worker)
		}
		var controlled bool
		u.Eval(`navigator.serviceWorker.controller ? true : new Promise(done =>
			navigator.serviceWorker.addEventListener("controllerchange", () => done(true)))`, &controlled)
		var cached []string
		u.Eval(`caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.keys()))))
			.then(lists => lists.flat().map(r => new URL(r.url).pathname))`, &cached)
		shell := strings.Join(cached, " ")
		for _, want := range []string{"/offline", "/static/app.", ".css", ".js", "/static/icon-192."} {
			if !strings.Contains(shell, want) {
				t.Errorf("the service worker's cache lacks %s: %v", want, cached)
			}
		}

		app.Close() // the server is gone, as on a phone without a network
		if status := u.Open("/me"); status != http.StatusOK {
			t.Errorf("offline: status %d", status)
		}
		u.See(T("en", "offline.body"))
		if u.Attr(Link(T("en", "offline.retry")), "href") == "" {
			t.Error("the offline page has no way to try again")
		}
	})
}
