package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sharemall/internal/errs"
)

// TestAuditExportCommand: `audit export` writes a zip that `--verify`
// accepts; a damaged copy is refused (exit 1); a bad date names its flag
// and writes nothing.
func TestAuditExportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	if err := run(ctx, "migrate", []string{"--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "audit.zip")
	out.Reset()
	if err := run(ctx, "audit", []string{"export", "--data", data, "--log-level", "error", "--from", "2026-01-01", "--to", "2026-03-31", "--out", zipPath}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "settings_versions.csv") || !strings.Contains(out.String(), "written to "+zipPath) {
		t.Fatalf("export said:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, "audit", []string{"export", "--verify", zipPath}, &out); err != nil || !strings.Contains(out.String(), "audit verify: ok") {
		t.Fatalf("verify: %v\n%s", err, out.String())
	}

	// A copy whose bindings file gained a row.
	b, err := os.ReadFile(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var bad bytes.Buffer
	zw := zip.NewWriter(&bad)
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "bindings.csv" {
			body = append(body, "1,2026-01-01T00:00:00Z,1,1,,,bound,forged\n"...)
		}
		w, _ := zw.Create(f.Name)
		w.Write(body)
	}
	zw.Close()
	badPath := filepath.Join(dir, "bad.zip")
	os.WriteFile(badPath, bad.Bytes(), 0o600)
	out.Reset()
	err = run(ctx, "audit", []string{"export", "--verify", badPath}, &out)
	if !errors.Is(err, errExportDamaged) || !strings.Contains(out.String(), "bindings.csv: 1 rows, the manifest says 0") {
		t.Fatalf("damaged export: %v\n%s", err, out.String())
	}

	other := filepath.Join(dir, "other.zip")
	err = run(ctx, "audit", []string{"export", "--data", data, "--log-level", "error", "--from", "2026-02-30", "--to", "2026-03-31", "--out", other}, &out)
	if errs.FieldOf(err) != "from" {
		t.Fatalf("a bad date: %v", err)
	}
	err = run(ctx, "audit", []string{"export", "--data", data, "--log-level", "error", "--from", "2026-03-01", "--to", "2026-02-01", "--out", other}, &out)
	if errs.FieldOf(err) != "to" {
		t.Fatalf("to before from: %v", err)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatalf("a refused export left a file: %v", err)
	}
}
