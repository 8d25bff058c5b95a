package media

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func TestLocalPutServeDelete(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "media")
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	name := "p/7-0123456789abcdef0123456789abcdef.jpg"
	body := []byte("\xff\xd8\xff not really a jpeg")
	if err := l.Put(ctx, name, "image/jpeg", body); err != nil {
		t.Fatal(err)
	}
	if got := l.URL(name); got != "/media/"+name {
		t.Fatalf("URL = %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "p", "7-0123456789abcdef0123456789abcdef.jpg")); err != nil || string(b) != string(body) {
		t.Fatalf("file = %q, %v", b, err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "p", ".put-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}

	h := l.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, l.URL(name), nil))
	if rec.Code != http.StatusOK || rec.Body.String() != string(body) {
		t.Fatalf("GET: %d %q", rec.Code, rec.Body.String())
	}
	for k, want := range map[string]string{"Content-Type": "image/jpeg", "Cache-Control": CacheControl, "X-Content-Type-Options": "nosniff"} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	for _, path := range []string{"/media/p/missing.jpg", "/media/p/../../etc/passwd", "/media/p/", "/media/p/.put-1", "/media/x", "/other/p/a.jpg"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, rec.Code)
		}
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, l.URL(name), nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("POST = %d, want 404", rec.Code)
	}

	if err := l.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if err := l.Delete(ctx, name); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, l.URL(name), nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("GET after delete = %d", rec.Code)
	}
}

func TestLocalRefusesBadNames(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "a.jpg", "p/../x.jpg", "p/a/b.jpg", "../p/a.jpg", "p/.hidden", "P/a.jpg", "p/a\\b.jpg", "/p/a.jpg"} {
		if err := l.Put(context.Background(), name, "image/jpeg", []byte("x")); err == nil {
			t.Errorf("Put(%q) accepted", name)
		}
		if err := l.Delete(context.Background(), name); err == nil {
			t.Errorf("Delete(%q) accepted", name)
		}
	}
}
