package media

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCollect(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	old, now := time.Now().Add(-48*time.Hour), time.Now()
	put := func(name string, at time.Time) {
		t.Helper()
		if err := l.Put(ctx, name, "image/jpeg", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(dir, name), at, at); err != nil {
			t.Fatal(err)
		}
	}
	const a, b, c, d = "0000000000000000000000000000000a", "0000000000000000000000000000000b", "0000000000000000000000000000000c", "0000000000000000000000000000000d"
	for _, n := range []string{"1-" + a, "1-" + b, "3-" + d, "4-" + a} {
		put("p/"+n+".jpg", old)
		put("p/"+n+"-t.jpg", old)
	}
	put("p/2-"+c+".jpg", now) // an upload in progress
	put("p/notes.txt", old)   // not a picture's name
	shown := map[int64][]string{
		1: {"https://img.example/1.jpg", l.URL("p/1-" + a + ".jpg")},
		3: {"https://cdn.example.com/shop/p/3-" + d + ".jpg"}, // recorded under another public URL
		// product 4 shows nothing; product 2 is not asked about
	}
	var asked []int64
	images := func(_ context.Context, ids []int64) (map[int64][]string, error) {
		asked = append(asked, ids...)
		out := map[int64][]string{}
		for _, id := range ids {
			if v, ok := shown[id]; ok {
				out[id] = v
			}
		}
		return out, nil
	}
	files := func() []string {
		t.Helper()
		var out []string
		entries, _ := os.ReadDir(filepath.Join(dir, "p"))
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	before := files()
	wantDeleted := []string{"p/1-" + b + "-t.jpg", "p/1-" + b + ".jpg", "p/4-" + a + "-t.jpg", "p/4-" + a + ".jpg"}

	res, err := Collect(ctx, l, now.Add(-24*time.Hour), true, images)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(res.Deleted)
	if !slices.Equal(res.Deleted, wantDeleted) || res.Kept != 5 || !slices.Equal(files(), before) {
		t.Fatalf("dry run: deleted %v, kept %d; files %v", res.Deleted, res.Kept, files())
	}
	if slices.Contains(asked, 2) {
		t.Fatalf("asked about product 2, whose only picture is too new: %v", asked)
	}

	res, err = Collect(ctx, l, now.Add(-24*time.Hour), false, images)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(res.Deleted)
	if !slices.Equal(res.Deleted, wantDeleted) {
		t.Fatalf("deleted %v", res.Deleted)
	}
	for _, f := range files() {
		for _, gone := range wantDeleted {
			if "p/"+f == gone {
				t.Errorf("%s still there", f)
			}
		}
	}
	if got := strings.Join(files(), " "); !strings.Contains(got, "1-"+a+"-t.jpg") || !strings.Contains(got, "3-"+d+".jpg") ||
		!strings.Contains(got, "2-"+c+".jpg") || !strings.Contains(got, "notes.txt") {
		t.Fatalf("files left: %s", got)
	}
}
