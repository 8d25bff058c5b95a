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
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>t</title><link rel="icon" href="/ok.png"></head><body>%s</body></html>`, body)
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
	// A page without a <link rel="icon"> (the plain 404 above) makes the
	// browser ask for /favicon.ico, sometimes before the tab closes: that
	// 404 would be the test site's fault, not the page's.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
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

// Locators find fields by label (a bracketed explanation may follow, a
// longer label is another field), select options, and narrow lists by
// parent and text; a click on a covered button fails.
func TestLocators(t *testing.T) {
	b := needBrowser(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>form</title><link rel="icon" href="data:,"></head><body>
<form method="get" action="/done">
<label for="a">Password (10 or more)</label><input id="a" name="a">
<label for="b">Password again</label><input id="b" name="b">
<select aria-label="Province" name="p"><option value="">-</option><option value="33">Zhejiang 浙江</option></select>
<ul><li data-test="line">Tea <span data-test="price">¥1.00</span></li><li data-test="line">Cup <span data-test="price">¥2.00</span></li></ul>
<button type="submit">Go</button>
</form></body></html>`)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>done</title><link rel="icon" href="data:,"></head><body><p data-test="got">%s %s %s</p></body></html>`,
			r.FormValue("a"), r.FormValue("b"), r.FormValue("p"))
	})
	hs := httptest.NewServer(mux)
	defer hs.Close()

	u := b.NewTab(t, hs.URL, "en")
	defer u.Close()
	u.Open("/form")
	u.Fill(Label("Password"), "secret one")
	u.Fill(Label("Password again"), "secret two")
	u.Choose(Label("Province"), "Zhejiang 浙江")
	if got := u.Value(Label("Province")); got != "33" {
		t.Errorf("the province holds %q", got)
	}
	if got := u.Texts(Test("price").In(Test("line"))); strings.Join(got, ",") != "¥1.00,¥2.00" {
		t.Errorf("prices in lines: %q", got)
	}
	if got := u.Text(Test("price").In(Test("line").With("Cup"))); got != "¥2.00" {
		t.Errorf("the cup's price: %q", got)
	}
	if n := u.Count(Button("Stop")); n != 0 {
		t.Errorf("a button that is not there: %d", n)
	}
	if status := u.Click(Button("Go")); status != http.StatusOK {
		t.Errorf("submit: %d", status)
	}
	if got := u.Text(Test("got")); got != "secret one secret two 33" {
		t.Errorf("the form sent %q", got)
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

// A click waits for its target to stop moving: a button in a panel that
// slides up is pressed where the panel stops, not where it was.
func TestClickWaitsForMotion(t *testing.T) {
	b := needBrowser(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sheet", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>sheet</title><meta name="viewport" content="width=device-width"><link rel="icon" href="data:,"><style>
#sheet{position:fixed;left:0;right:0;bottom:0;height:300px;transform:translateY(100%);transition:transform .4s}
.open #sheet{transform:none}</style></head><body>
<button type="button" id="opener">Open</button><p data-test="got">none</p>
<div id="sheet"><button type="button" id="pick" style="height:60px">Pick</button></div>
<script>
document.getElementById("opener").onclick = () => document.body.classList.add("open");
document.getElementById("pick").onclick = () => document.querySelector("[data-test=got]").textContent = "picked";
document.onclick = e => { if (!e.target.closest("#sheet, #opener")) document.body.classList.remove("open") };
</script></body></html>`)
	})
	hs := httptest.NewServer(mux)
	defer hs.Close()

	u := b.NewTab(t, hs.URL, "en")
	defer u.Close()
	u.Open("/sheet")
	u.ClickInPlace(Button("Open"))
	u.ClickInPlace(Button("Pick"))
	if got := u.Text(Test("got")); got != "picked" {
		t.Errorf("the button in the sliding panel was not pressed: %q", got)
	}
}
