package auditexport

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
)

func TestParsePeriod(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	cases := []struct {
		from, to, field string
	}{
		{"2026-01-01", "2026-01-31", ""},
		{"2026-01-01", "2026-01-01", ""},
		{"2026-1-1", "2026-01-31", "from"},
		{"", "2026-01-31", "from"},
		{"2026-01-01", "31/01/2026", "to"},
		{"2026-02-01", "2026-01-31", "to"},
		{"2025-01-01", "2026-01-02", ""}, // 367 days
		{"2025-01-01", "2026-01-03", "to"},
	}
	for _, c := range cases {
		_, err := ParsePeriod(c.from, c.to, sh)
		if errs.FieldOf(err) != c.field || (c.field == "") != (err == nil) {
			t.Errorf("%s..%s: %v, want an error on %q", c.from, c.to, err, c.field)
		}
	}
	p, _ := ParsePeriod("2026-03-01", "2026-03-01", sh)
	if got := p.Start().UTC().Format(time.RFC3339); got != "2026-02-28T16:00:00Z" {
		t.Errorf("a day starts at midnight in the program's zone: %s", got)
	}
	if got := p.End().UTC().Format(time.RFC3339); got != "2026-03-01T16:00:00Z" {
		t.Errorf("the period ends at the midnight after its last day: %s", got)
	}
}

// TestVerify: an export written here verifies; a file missing from the
// zip and a file not in the manifest are each found.
func TestVerify(t *testing.T) {
	p, _ := ParsePeriod("2026-01-01", "2026-01-31", time.UTC)
	write := func(skip string, extra bool) []byte {
		var buf bytes.Buffer
		w := NewWriter(&buf, p, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
		for _, f := range Files {
			if f == skip {
				continue
			}
			if err := w.File(f, []string{"a", "b"}); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if err := w.Row("x,\"y\"\nz", strings.Repeat("z", i)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if extra {
			if err := w.endFile(); err != nil {
				t.Fatal(err)
			}
			w.zw.Create("extra.csv")
		}
		if _, err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	ok := write("", false)
	m, problems, err := Verify(bytes.NewReader(ok), int64(len(ok)))
	if err != nil || len(problems) != 0 || len(m.Files) != len(Files) || m.Files[0].Rows != 3 {
		t.Fatalf("a good export: %v %v %+v", problems, err, m)
	}
	bad := write(GuardFile, true)
	_, problems, _ = Verify(bytes.NewReader(bad), int64(len(bad)))
	if want := []string{"extra.csv: in the zip but not in the manifest", "guard.csv: missing"}; strings.Join(problems, ";") != strings.Join(want, ";") {
		t.Fatalf("problems %q, want %q", problems, want)
	}
	if _, _, err := Verify(bytes.NewReader([]byte("not a zip")), 9); err == nil {
		t.Fatal("a file that is not a zip verified")
	}
	var empty bytes.Buffer
	zip.NewWriter(&empty).Close()
	if _, _, err := Verify(bytes.NewReader(empty.Bytes()), int64(empty.Len())); err == nil || !strings.Contains(err.Error(), ManifestFile) {
		t.Fatalf("a zip without a manifest: %v", err)
	}
}
