package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The harness fails a journey on what the browser reports: a test of the
// tests, on small pages made for it under the site's Content-Security-Policy.
func TestTabReportsBrowserProblems(t *testing.T) {
	b := needBrowser(t)
	pages := map[string]string{
		"/fine":          `<p>fine</p><script src="/ok.js"></script>`,
		"/inline-script": `<script>document.title = "inline"</script>`,
		"/inline-style":  `<p style="color: red">styled</p>`,
		"/handler":       `<img src="/ok.png" alt="" onload="document.title='x'">`,
		"/throws":        `<script src="/throw.js"></script>`,
		"/console":       `<script src="/console.js"></script>`,
		"/missing":       `<img src="/missing.png" alt="">`,
	}
	mux := http.NewServeMux()
	for path, body := range pages {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>t</title></head><body>%s</body></html>`, body)
		})
	}
	scripts := map[string]string{"/ok.js": `document.title = "ok"`, "/throw.js": `throw new Error("boom")`, "/console.js": `console.error("something broke")`}
	for path, body := range scripts {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, body)
		})
	}
	mux.HandleFunc("GET /ok.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/gif")
		w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	})
	mux.HandleFunc("GET /gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no such page", http.StatusNotFound) })
	hs := httptest.NewServer(mux)
	defer hs.Close()

	for _, c := range []struct{ path, want string }{
		{"/fine", ""},
		{"/gone", ""}, // a page's own 404 is its answer, not a fault
		{"/inline-script", "Content Security Policy"},
		{"/inline-style", "Content Security Policy"},
		{"/handler", "Content Security Policy"},
		{"/throws", "boom"},
		{"/console", "something broke"},
		{"/missing", "404"},
	} {
		rec := &recordTB{T: t}
		tab := b.NewTab(rec, hs.URL, "en")
		tab.Open(c.path)
		tab.Eval("1", nil) // one more round trip: every report of the load has arrived
		tab.Close()
		got := strings.Join(rec.errors, "\n")
		switch {
		case c.want == "" && got != "":
			t.Errorf("%s: reported %s", c.path, got)
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s: want a report of %q, got %q", c.path, c.want, got)
		}
	}
}

// recordTB keeps what a Tab reports with Errorf; anything fatal fails the test.
type recordTB struct {
	*testing.T
	mu     sync.Mutex
	errors []string
}

func (r *recordTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
