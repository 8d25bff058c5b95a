package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TB is what a Tab reports to: a *testing.T, or the screenshots command's
// own. Fatalf must not return.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// Patience bounds every wait of a Tab: a page that has not shown what a
// step waits for in this long never will. It is a liveness bound, not a
// timing assertion, and generous for a loaded CI machine under -race.
var Patience = 30 * time.Second

// Tab is one person's phone showing the site at Base. Its methods fail
// tb when the page does not do what they ask, and report (Errorf) every
// console error, uncaught exception or Content-Security-Policy violation
// the page had meanwhile.
type Tab struct {
	tb     TB
	Base   string // the site's origin: http://127.0.0.1:port
	Lang   string // the language the phone's browser asks for (Accept-Language)
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	problems []string        // what the browser reported and no check has shown yet
	docs     map[string]bool // URLs loaded as documents: their error statuses are the page's own
}

// NewTab opens a new person's phone: a browser context of its own (no
// cookies, no service worker, no cache), a 390×844 touch screen at device
// scale 2, a mobile user agent and lang ("en", "zh") as its language.
func (b *Browser) NewTab(tb TB, base, lang string) *Tab {
	tb.Helper()
	t := &Tab{tb: tb, Base: strings.TrimSuffix(base, "/"), Lang: lang, docs: map[string]bool{}}
	t.ctx, t.cancel = chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(t.listen))
	accept := map[string]string{"zh": "zh-CN,zh;q=0.9"}[lang]
	if accept == "" {
		accept = lang // not "en;q=1": the browser takes the first entry, q and all, as navigator.language, which Intl refuses
	}
	// The first action opens the tab, which lives as long as the context
	// it ran with: t.ctx, not one of do's timeouts.
	if err := chromedp.Do(t.ctx); err != nil {
		tb.Fatalf("open a tab: %v", err)
	}
	t.do("set up the phone",
		chromedp.EmulateViewport(Phone.Width, Phone.Height, chromedp.EmulateScale(Phone.Scale), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, emulation.SetUserAgentOverride,
				emulation.SetUserAgentOverrideParams{UserAgent: b.userAgent, AcceptLanguage: accept, Platform: "Linux armv8l"})
			return err
		}))
	return t
}

// Laptop turns the tab's screen into a laptop's (1280×800, no touch) or,
// with false, back into the phone's; the user agent stays the phone's.
// The next page opened is laid out for it.
func (t *Tab) Laptop(on bool) {
	t.tb.Helper()
	if on {
		t.do("set up the laptop screen", chromedp.EmulateViewport(Laptop.Width, Laptop.Height, chromedp.EmulateScale(Laptop.Scale)))
		return
	}
	t.do("set up the phone screen",
		chromedp.EmulateViewport(Phone.Width, Phone.Height, chromedp.EmulateScale(Phone.Scale), chromedp.EmulateMobile, chromedp.EmulateTouch))
}

// Close closes the tab and forgets its cookies.
func (t *Tab) Close() { t.cancel() }

// listen sees every event of the tab, in order, in the tab's own loop: it
// must return fast and send no command.
func (t *Tab) listen(ev any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument {
			t.docs[ev.Response.URL] = true
		}
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, remoteText(a))
			}
			t.problems = append(t.problems, "console."+string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		t.problems = append(t.problems, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text))
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e.Level != cdplog.EntryLevelError {
			return
		}
		// A page's own status (404 for a missing page, 400 for a refused
		// form) is the page's answer, not a fault: the test checks it.
		if e.Source == cdplog.EntrySourceNetwork && t.docs[e.URL] {
			return
		}
		t.problems = append(t.problems, fmt.Sprintf("%s error: %s (%s)", e.Source, e.Text, e.URL))
	}
}

func remoteText(o *runtime.RemoteObject) string {
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Value)
}

// Check reports (Errorf) what the browser reported since the last check.
// Every action checks when it ends; a test calls it after waiting on its own.
func (t *Tab) Check() {
	t.tb.Helper()
	t.mu.Lock()
	problems := t.problems
	t.problems = nil
	t.mu.Unlock()
	for _, p := range problems {
		t.tb.Errorf("the browser reported on %s: %s", t.location(), p)
	}
}

// do runs actions within Patience, failing the test with what.
func (t *Tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, Patience)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.fatal(what, err)
	}
	t.Check()
}

func (t *Tab) fatal(what string, err error) {
	t.tb.Helper()
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("nothing after %s", Patience)
	}
	t.Check()
	t.tb.Fatalf("%s, on %s: %v", what, t.location(), err)
}

// location is the page's address, for messages; it never waits long.
func (t *Tab) location() string {
	ctx, cancel := context.WithTimeout(t.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown page)"
	}
	return strings.TrimPrefix(loc, t.Base)
}

// navigated runs actions that load a page (a link, a form) and waits until
// it has loaded; it returns the page's HTTP status.
func (t *Tab) navigated(what string, actions ...chromedp.Action[chromedp.Void]) int {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, Patience)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, actions...)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no new page loaded in %s (ClickInPlace is for what does not open a page)", Patience)
	}
	if err != nil {
		t.fatal(what, err)
	}
	t.Check()
	if res == nil {
		return 0
	}
	return int(res.Status)
}

// Open goes to path on the site (or a full URL), waits until the page has
// loaded and returns its HTTP status.
func (t *Tab) Open(path string) int {
	t.tb.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = t.Base + path
	}
	return t.navigated("open "+path, chromedp.Navigate(u))
}

// Navigates runs fn, which makes the page go elsewhere (a key that submits
// a form, a script's redirect), waits until the next page has loaded and
// returns its HTTP status.
func (t *Tab) Navigates(fn func()) int {
	t.tb.Helper()
	return t.navigated("wait for the next page", chromedp.Func(func(context.Context, *chromedp.Target) error {
		fn()
		return nil
	}))
}

// Click clicks what l finds, as a finger would (in the middle of it, after
// scrolling it to the middle of the screen), and waits until the page it
// opens has loaded; it returns that page's HTTP status. It fails when
// something else (a fixed bar) covers the element.
func (t *Tab) Click(l Locator) int {
	t.tb.Helper()
	x, y := t.aim(l)
	return t.navigated("click "+l.desc, chromedp.MouseClickXY(x, y))
}

// ClickInPlace clicks what l finds and does not wait for a new page: for
// controls a script handles (a copy button, a sheet that slides up).
func (t *Tab) ClickInPlace(l Locator) {
	t.tb.Helper()
	x, y := t.aim(l)
	t.do("click "+l.desc, chromedp.MouseClickXY(x, y))
}

// aim waits for l's element (and for it to stop moving: a transition or
// animation of it or a parent), scrolls it to the middle of the screen and
// returns its centre, checking that the element itself is there.
func (t *Tab) aim(l Locator) (x, y float64) {
	t.tb.Helper()
	var at struct {
		X, Y    float64
		Covered string
	}
	t.waitJS("find "+l.desc, `(() => {
		const e = `+l.first()+`;
		if (!e) return null;
		// Wait while it moves (a sheet sliding up): a finger aims at where it stops.
		const finite = a => a.effect && a.effect.getTiming().iterations !== Infinity;
		if (document.getAnimations().some(a => a.playState === "running" && finite(a) && a.effect.target && a.effect.target.contains(e))) return null;
		e.scrollIntoView({block: "center", inline: "center"});
		const r = e.getBoundingClientRect();
		if (r.width === 0 || r.height === 0) return null;
		const x = r.left + r.width / 2, y = r.top + r.height / 2, hit = document.elementFromPoint(x, y);
		const covered = hit && hit !== e && !e.contains(hit) ? (hit.outerHTML || "").slice(0, 120) : "";
		return {X: x, Y: y, Covered: covered};
	})()`, &at)
	if at.Covered != "" {
		t.tb.Fatalf("%s is covered by %s, on %s", l.desc, at.Covered, t.location())
	}
	return at.X, at.Y
}

// Fill types value into the field l finds, replacing what it held, key by
// key as a person types.
func (t *Tab) Fill(l Locator, value string) {
	t.tb.Helper()
	var ok bool
	t.waitJS("find "+l.desc, `(() => {
		const e = `+l.first()+`;
		if (!e) return null;
		e.scrollIntoView({block: "center"});
		e.focus();
		if (e.select) e.select();
		return document.activeElement === e || null;
	})()`, &ok)
	keys := value
	if keys == "" {
		keys = kb.Delete
	}
	t.do("type into "+l.desc, chromedp.KeyEvent(keys))
	if got := t.Value(l); got != value {
		t.tb.Fatalf("%s holds %q after typing %q, on %s", l.desc, got, value, t.location())
	}
}

// Choose picks the option whose text is option in the <select> l finds.
func (t *Tab) Choose(l Locator, option string) {
	t.tb.Helper()
	var ok bool
	t.waitJS("find "+l.desc+" with the option "+option, `(() => {
		const e = `+l.first()+`, n = `+norm+`;
		if (!e || !e.options) return null;
		const o = [...e.options].find(o => n(o.text) === `+jsString(option)+`);
		if (!o) return null;
		e.focus();
		e.value = o.value;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, &ok)
	t.Check()
}

// SetCookie gives the tab a cookie for the site, as if the site had set
// it: a session made through the API (Site.Session, session.Cookie).
func (t *Tab) SetCookie(name, value string) {
	t.tb.Helper()
	t.do("set the cookie "+name, chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
		_, err := cdp.Call(ctx, target, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: t.Base + "/",
			Path: "/", HTTPOnly: new(true), SameSite: network.CookieSameSiteLax})
		return err
	}))
}

// Press sends keys to whatever has the focus (kb.Tab, kb.Enter, or text);
// it does not wait for a new page (see Navigates).
func (t *Tab) Press(keys string) {
	t.tb.Helper()
	t.do("press "+fmt.Sprintf("%q", keys), chromedp.KeyEvent(keys))
}

// TabTo presses Tab until what l finds has the focus, at most max times,
// and returns how many presses it took; it fails naming what got the
// focus on the way.
func (t *Tab) TabTo(l Locator, max int) int {
	t.tb.Helper()
	var seen []string
	for i := 1; i <= max; i++ {
		t.Press(kb.Tab)
		var got struct {
			Here bool
			What string
		}
		t.eval(`(() => {
			const a = document.activeElement, e = `+l.first()+`;
			const what = a ? a.tagName.toLowerCase() + (a.id ? "#" + a.id : "") + " " + `+norm+`(a.innerText || a.value || a.getAttribute("aria-label") || "").slice(0, 40) : "nothing";
			return {Here: !!e && a === e, What: what};
		})()`, &got)
		if got.Here {
			return i
		}
		seen = append(seen, got.What)
	}
	t.tb.Fatalf("%d presses of Tab did not reach %s; the focus went to %v, on %s", max, l.desc, seen, t.location())
	return 0
}

// Focused reports whether what l finds has the keyboard focus.
func (t *Tab) Focused(l Locator) bool {
	t.tb.Helper()
	var ok bool
	t.eval(`(`+l.first()+` === document.activeElement)`, &ok)
	return ok
}

// Text is the text shown in what l finds (white space squeezed), once it
// is there.
func (t *Tab) Text(l Locator) string {
	t.tb.Helper()
	var s string
	t.waitJS("find "+l.desc, `(() => { const e = `+l.first()+`; return e ? `+norm+`(e.innerText) : null })()`, &s)
	return s
}

// Texts are the texts of everything l finds now (no wait), in page order.
func (t *Tab) Texts(l Locator) []string {
	t.tb.Helper()
	var s []string
	t.eval(l.all()+`.map(e => `+norm+`(e.innerText))`, &s)
	return s
}

// Value is the value of the field l finds, once it is there.
func (t *Tab) Value(l Locator) string {
	t.tb.Helper()
	var s string
	t.waitJS("find "+l.desc, `(() => { const e = `+l.first()+`; return e ? e.value : null })()`, &s)
	return s
}

// Attr is an attribute of what l finds, once it is there ("" if it has none).
func (t *Tab) Attr(l Locator, name string) string {
	t.tb.Helper()
	var s string
	t.waitJS("find "+l.desc, `(() => { const e = `+l.first()+`; return e ? (e.getAttribute(`+jsString(name)+`) || "") : null })()`, &s)
	return s
}

// Count is how many elements l finds now (no wait).
func (t *Tab) Count(l Locator) int {
	t.tb.Helper()
	var n int
	t.eval(l.all()+`.length`, &n)
	return n
}

// Has reports whether l finds anything now (no wait).
func (t *Tab) Has(l Locator) bool {
	t.tb.Helper()
	return t.Count(l) > 0
}

// WaitFor waits until l finds something (after a script changed the page).
func (t *Tab) WaitFor(l Locator) {
	t.tb.Helper()
	var ok bool
	t.waitJS("find "+l.desc, `(`+l.first()+` ? true : null)`, &ok)
}

// See waits until the page shows every one of texts, and fails showing
// the page's text when it does not.
func (t *Tab) See(texts ...string) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, Patience)
	defer cancel()
	var body string
	for {
		t.eval(norm+`(document.body ? document.body.innerText : "")`, &body)
		missing := ""
		for _, s := range texts {
			if !strings.Contains(body, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			t.Check()
			return
		}
		select {
		case <-ctx.Done():
			t.Check()
			t.tb.Fatalf("the page %s does not show %q; it shows: %s", t.location(), missing, body)
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Path is the page's path and query.
func (t *Tab) Path() string {
	t.tb.Helper()
	var p string
	t.eval(`location.pathname + location.search`, &p)
	return p
}

// PageLang is the language the page says it is in (<html lang>).
func (t *Tab) PageLang() string {
	t.tb.Helper()
	var s string
	t.eval(`document.documentElement.lang`, &s)
	return s
}

// Screenshot is a PNG of what the screen shows now.
func (t *Tab) Screenshot() []byte {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, Patience)
	defer cancel()
	// Fonts first: a screenshot taken before a web font or a CJK fallback
	// font is ready shows boxes.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.fonts.ready.then(() => undefined)`, chromedp.EvalAwaitPromise)); err != nil {
		t.fatal("wait for fonts", err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.fatal("take a screenshot", err)
	}
	return png
}

// SaveScreenshot writes a PNG of the screen to file.
func (t *Tab) SaveScreenshot(file string) {
	t.tb.Helper()
	if err := os.WriteFile(file, t.Screenshot(), 0o644); err != nil {
		t.tb.Fatalf("save screenshot: %v", err)
	}
}

// Eval evaluates a JavaScript expression in the page (a promise is
// awaited) and decodes its JSON value into out (nil: ignore it). For what
// no other method reads: the service worker, caches, fetch.
func (t *Tab) Eval(expr string, out any) {
	t.tb.Helper()
	t.eval(expr, out)
	t.Check()
}

func (t *Tab) eval(expr string, out any) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, Patience)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`(async () => { const v = await (`+expr+`); return v === undefined ? null : v })()`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.fatal("evaluate", err)
	}
	if len(raw) == 0 {
		raw = []byte("null")
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.tb.Fatalf("evaluate: %v in %s", err, raw)
		}
	}
}

// waitJS evaluates expr until it gives something other than null (a page
// still loading, an element not there yet), then decodes it into out.
func (t *Tab) waitJS(what, expr string, out any) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, Patience)
	defer cancel()
	var last error
	for {
		ectx, ecancel := context.WithTimeout(ctx, 5*time.Second)
		raw, err := chromedp.Run(ectx, chromedp.Evaluate[[]byte](expr))
		ecancel()
		if err == nil && len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, out); err != nil {
				t.tb.Fatalf("%s: %v in %s", what, err, raw)
			}
			return
		}
		if err != nil {
			last = err // the page may be between two documents: try again
		}
		select {
		case <-ctx.Done():
			if last == nil {
				last = fmt.Errorf("not found in %s", Patience)
			}
			t.fatal(what, last)
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}
