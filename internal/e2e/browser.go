// Package e2e drives the real server in a real browser: Debian's headless
// Chromium through the DevTools protocol (chromedp), at a phone's size.
// The journeys (tests in this package) and the screenshots command
// (cmd/screenshots) use it; docs/web.md says how to add a journey.
//
// A Browser is one Chromium process; each Tab is a person's phone: its
// own cookies (a browser context of its own), a 390×844 screen at device
// scale 2 with touch, a mobile user agent and the person's language. A
// Tab's actions find elements by label, text or data-test (Locator), wait
// for what they need, and fail the test (TB) with what the page showed.
// Every console error, uncaught exception and Content-Security-Policy
// violation the page reports fails the test too.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// ChromiumEnv names a variable that may give the browser's path.
const ChromiumEnv = "SHAREMALL_CHROMIUM"

// ErrNoChromium is returned by FindChromium on a machine without one.
var ErrNoChromium = errors.New("no Chromium found: install Debian's chromium (apt-get install chromium fonts-noto-cjk) or set " + ChromiumEnv)

// FindChromium finds the browser: $SHAREMALL_CHROMIUM, else chromium,
// chromium-browser, google-chrome or headless_shell on the PATH.
func FindChromium() (string, error) {
	if p := os.Getenv(ChromiumEnv); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", ChromiumEnv, p, err)
		}
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Browser is one headless Chromium process.
type Browser struct {
	ctx         context.Context // the browser's chromedp context
	cancel      context.CancelFunc
	allocCancel context.CancelFunc
	userAgent   string // a phone's, with this browser's version
}

// Phone is the screen every tab has: a 390×844 phone at device scale 2.
var Phone = struct {
	Width, Height int64
	Scale         float64
}{390, 844, 2}

// Laptop is the screen a console page may be seen on instead (Tab.Laptop):
// 1280×800 at device scale 1, no touch.
var Laptop = struct {
	Width, Height int64
	Scale         float64
}{1280, 800, 1}

// StartBrowser starts headless Chromium at path.
func StartBrowser(path string) (*Browser, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox, // root in CI; the pages are our own
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, cancel: cancel, allocCancel: allocCancel}
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }() // starts the browser, bound to ctx
	select {
	case err := <-started:
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("start %s: %w", path, err)
		}
	case <-time.After(60 * time.Second):
		b.Close()
		return nil, fmt.Errorf("start %s: no answer in a minute", path)
	}
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		b.Close()
		return nil, err
	}
	major := "0"
	if m := regexp.MustCompile(`/(\d+)\.`).FindStringSubmatch(v.Product); m != nil {
		major = m[1]
	}
	b.userAgent = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + major +
		".0.0.0 Mobile Safari/537.36"
	return b, nil
}

// Close ends the browser and every tab.
func (b *Browser) Close() {
	b.cancel()
	b.allocCancel()
}
