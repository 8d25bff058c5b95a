package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
)

//go:embed static
var staticFiles embed.FS

// asset is one static file, served under a name with its content hash
// (app.3f2a9c1d.css) so it can be cached for a year.
type asset struct {
	url         string // /static/app.3f2a9c1d.css
	contentType string
	body, gz    []byte // gz: nil when compressing does not pay
}

// assets reads every embedded static file once, at start.
type assets struct {
	byName map[string]*asset // "app.css"
	byURL  map[string]*asset
}

// The style sheet and the script are one file each for the browser (one
// request), made of the files under static/css and static/js in name
// order, so each group of pages keeps its own.
func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byURL: map[string]*asset{}}
	for name, dir := range map[string]string{"app.css": "static/css", "app.js": "static/js"} {
		parts, err := fs.Glob(staticFiles, dir+"/*"+path.Ext(name))
		if err != nil {
			return nil, err
		}
		var all bytes.Buffer
		for _, p := range parts { // Glob sorts
			b, err := staticFiles.ReadFile(p)
			if err != nil {
				return nil, err
			}
			all.Write(b)
			all.WriteByte('\n')
		}
		a.add(name, all.Bytes())
	}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".LICENSE") || strings.HasSuffix(p, ".txt") ||
			strings.HasPrefix(p, "static/css/") || strings.HasPrefix(p, "static/js/") || p == "static/sw.js" {
			return err
		}
		body, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		a.add(name, body)
		return nil
	})
	return a, err
}

// add registers a file made at start (icons) beside the embedded ones.
func (a *assets) add(name string, body []byte) *asset {
	sum := sha256.Sum256(body)
	ext := path.Ext(name)
	x := &asset{url: "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext, body: body,
		contentType: mime.TypeByExtension(ext)}
	if x.contentType == "" {
		x.contentType = "application/octet-stream"
	}
	if compressible(x.contentType) {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body)*9/10 {
			x.gz = buf.Bytes()
		}
	}
	a.byName[name], a.byURL[x.url] = x, x
	return x
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "json") || strings.Contains(ct, "svg")
}

// URL is the hashed URL of a static file; templates call it as {{static "app.css"}}.
// An unknown name panics at start, when the templates are first rendered in tests.
func (a *assets) URL(name string) string {
	x, ok := a.byName[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return x.url
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	x, ok := a.byURL[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	writeBody(w, r, x.contentType, x.body, x.gz)
}

// writeBody writes a body, gzipped when the client takes it and gz is given.
func writeBody(w http.ResponseWriter, r *http.Request, contentType string, body, gz []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Add("Vary", "Accept-Encoding")
	if gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if strings.TrimSpace(strings.SplitN(part, ";", 2)[0]) == "gzip" {
			return true
		}
	}
	return false
}
