package media

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"sharemall/internal/errs"
)

func TestThumbURLAndNamesOf(t *testing.T) {
	l, err := NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	large, thumb := Names(12, "0123456789abcdef0123456789abcdef")
	if large != "p/12-0123456789abcdef0123456789abcdef.jpg" || thumb != "p/12-0123456789abcdef0123456789abcdef-t.jpg" {
		t.Fatalf("Names = %q, %q", large, thumb)
	}
	for in, want := range map[string]string{
		l.URL(large): l.URL(thumb),
		"https://cdn.example.com/shop/p/12-0123456789abcdef0123456789abcdef.jpg": "https://cdn.example.com/shop/p/12-0123456789abcdef0123456789abcdef-t.jpg",
		"https://img.example/o.jpg":        "https://img.example/o.jpg",
		"/media/demo/v1/p-0-1-1.svg":       "/media/demo/v1/p-0-1-1.svg",
		"/media/p/12-0123456789abcdef.jpg": "/media/p/12-0123456789abcdef.jpg",
		l.URL(thumb):                       l.URL(thumb),
	} {
		if got := ThumbURL(in); got != want {
			t.Errorf("ThumbURL(%q) = %q, want %q", in, got, want)
		}
	}
	if gl, gt, ok := NamesOf(l, l.URL(large)); !ok || gl != large || gt != thumb {
		t.Errorf("NamesOf = %q %q %v", gl, gt, ok)
	}
	for _, u := range []string{"https://img.example/p/12-0123456789abcdef0123456789abcdef.jpg", l.URL(thumb), "/media/demo/v1/p-0-1-1.svg", "/media/x/p/1-0123456789abcdef0123456789abcdef.jpg"} {
		if _, _, ok := NamesOf(l, u); ok {
			t.Errorf("NamesOf(%q) claimed it", u)
		}
	}
}

func TestUploadStoresBothSizesAndCleansUpWhenRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	file := jpegOf(t, gradient(800, 600))
	var recorded string
	url, err := Upload(ctx, l, 5, bytes.NewReader(file), DefaultMaxBytes, func(u string) error { recorded = u; return nil })
	if err != nil || url != recorded {
		t.Fatalf("Upload = %q, %v (recorded %q)", url, err, recorded)
	}
	large, thumb, ok := NamesOf(l, url)
	if !ok {
		t.Fatalf("%q is not a stored picture", url)
	}
	for _, n := range []string{large, thumb} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if err := Remove(ctx, l, url); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "p", "*")); len(files) != 0 {
		t.Fatalf("left after Remove: %v", files)
	}

	refusal := errs.Invalidf("image", "a product holds at most 10 pictures")
	_, err = Upload(ctx, l, 5, bytes.NewReader(file), DefaultMaxBytes, func(string) error { return refusal })
	if errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "image" {
		t.Fatalf("refused upload: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "p", "*")); len(files) != 0 {
		t.Fatalf("a refused upload left %v", files)
	}
	called := false
	_, err = Upload(ctx, l, 5, bytes.NewReader([]byte("GIF89a")), DefaultMaxBytes, func(string) error { called = true; return nil })
	if errs.FieldOf(err) != "image" || called {
		t.Fatalf("a GIF: %v, add called %v", err, called)
	}
}
