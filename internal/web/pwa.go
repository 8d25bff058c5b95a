package web

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
)

// Brand colours: the theme colour and the icon's.
var (
	brand      = color.RGBA{0xc8, 0x1e, 0x3c, 0xff} // a deep red with white text: contrast 6:1
	brandLight = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// addIcons draws the app's icons (a white shopping bag on the brand
// colour) at the sizes home screens ask for, at start: no binary files in
// the repo, and always the same bytes, so the same hashed names.
func (s *Server) addIcons() error {
	for _, size := range []int{32, 180, 192, 512} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, drawIcon(size)); err != nil {
			return err
		}
		s.static.add("icon-"+itoa(size)+".png", buf.Bytes())
	}
	return nil
}

func itoa(n int) string {
	b := []byte{}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func drawIcon(size int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	f := float64(size)
	in := func(x, y, x0, y0, x1, y1 float64) bool { return x >= x0*f && x < x1*f && y >= y0*f && y < y1*f }
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			fx, fy := float64(x)+.5, float64(y)+.5
			c := brand
			// the bag's body, and its handle: a ring's upper half
			if in(fx, fy, .26, .38, .74, .78) {
				c = brandLight
			}
			dx, dy := fx-.5*f, fy-.38*f
			r2 := dx*dx + dy*dy
			if fy < .38*f && r2 < (.15*f)*(.15*f) && r2 > (.10*f)*(.10*f) {
				c = brandLight
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// manifest makes the app installable on a home screen.
func (s *Server) manifest(w http.ResponseWriter, r *http.Request) {
	l := s.locale(r)
	icons := []map[string]string{}
	for _, n := range []string{"192", "512"} {
		icons = append(icons, map[string]string{"src": s.static.URL("icon-" + n + ".png"), "sizes": n + "x" + n, "type": "image/png", "purpose": "any maskable"})
	}
	b, _ := json.Marshal(map[string]any{
		"name": l.T("app.name"), "short_name": l.T("app.short_name"), "lang": map[string]string{"zh": "zh-CN", "en": "en"}[l.Lang],
		"start_url": "/", "scope": "/", "display": "standalone", "background_color": "#ffffff", "theme_color": "#c81e3c", "icons": icons,
	})
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("Vary", "Accept-Language, Cookie")
	writeBody(w, r, "application/manifest+json", b, nil)
}

// serviceWorker is static/sw.js with the shell's hashed URLs put in, so a
// new build's worker caches the new shell and drops the old.
func (s *Server) serviceWorker() ([]byte, error) {
	b, err := staticFiles.ReadFile("static/sw.js")
	if err != nil {
		return nil, err
	}
	shell, _ := json.Marshal([]string{"/offline", s.static.URL("app.css"), s.static.URL("app.js"), s.static.URL("icon-192.png")})
	version := s.static.URL("app.css") + s.static.URL("app.js")
	out := strings.ReplaceAll(string(b), "__SHELL__", string(shell))
	return []byte(strings.ReplaceAll(out, "__VERSION__", version)), nil
}

// serveWorker serves the worker at the root, so its scope is the whole
// site; browsers check it for updates, so it is never cached long.
func (s *Server) serveWorker(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	writeBody(w, r, "text/javascript; charset=utf-8", s.sw, nil)
}

// offline is what the service worker shows when a page cannot be reached.
func (s *Server) offline(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	p.Title = p.T("offline.title")
	s.render(w, r, http.StatusOK, "offline", p)
	return nil
}

// favicon answers the browser's own request for /favicon.ico, made for a
// document without an icon link (the payment sandbox's page, an API
// answer opened in a tab): the app's icon, where it is cached for a year.
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, s.static.URL("icon-32.png"), http.StatusMovedPermanently)
}
