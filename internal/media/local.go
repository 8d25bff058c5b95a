package media

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LocalPrefix is the path under which Local's objects are served.
const LocalPrefix = "/media/"

// Local keeps objects as files under a folder (<data>/media), served by
// this server at LocalPrefix. It suits one server; several servers behind
// a load balancer need a shared bucket (S3).
type Local struct {
	root string
}

// NewLocal keeps objects under dir, creating it when needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	return &Local{root: dir}, nil
}

// Put writes the file through a temporary one renamed into place, so a
// reader never sees half a picture.
func (l *Local) Put(_ context.Context, name, _ string, b []byte) error {
	if err := checkName("Put", name); err != nil {
		return err
	}
	path := filepath.Join(l.root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("media.Put: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return fmt.Errorf("media.Put: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone already when the rename succeeded
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("media.Put: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media.Put: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("media.Put: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("media.Put: %w", err)
	}
	return nil
}

// Delete removes the file; one already gone is fine.
func (l *Local) Delete(_ context.Context, name string) error {
	if err := checkName("Delete", name); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(l.root, filepath.FromSlash(name)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media.Delete: %w", err)
	}
	return nil
}

// List calls fn with each file of folder (temporary files of a Put aside).
func (l *Local) List(_ context.Context, folder string, fn func(Object) error) error {
	entries, err := os.ReadDir(filepath.Join(l.root, filepath.FromSlash(folder)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("media.List: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if err := fn(Object{Name: folder + "/" + e.Name(), Modified: info.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}

// URL is the path this server serves name at.
func (l *Local) URL(name string) string { return LocalPrefix + name }

// Handler serves the files at LocalPrefix (GET and HEAD) with a year's
// immutable cache; anything that is not a valid name is a 404.
func (l *Local) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, LocalPrefix)
		if !ok || !ValidName(name) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(filepath.Join(l.root, filepath.FromSlash(name)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil || !st.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", contentTypeOf(name))
		h.Set("Cache-Control", CacheControl)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'")
		http.ServeContent(w, r, "", time.Time{}, f)
	})
}

// contentTypeOf names the type of what this package stores, by extension.
func contentTypeOf(name string) string {
	switch filepath.Ext(name) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".webp":
		return "image/webp"
	}
	return "application/octet-stream"
}
