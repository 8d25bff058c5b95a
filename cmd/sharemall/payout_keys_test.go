package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sharemall/internal/payout"
)

// Without a key file the data folder gets one (0600) on first use; a named
// file is used as it is, and rotation reseals under its newest key.
func TestPayoutKeysRotateCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, "migrate", []string{"--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, "payout-keys", []string{"rotate", "--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "resealed 0 payout detail(s)") {
		t.Fatalf("rotate said %q", out.String())
	}
	fi, err := os.Stat(filepath.Join(data, "payout.keys"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("generated key file: %v, %v", fi, err)
	}
	if err := run(ctx, "payout-keys", []string{"rotate", "--data", data, "--payout-key-file", filepath.Join(data, "missing.keys")}, &out); err == nil {
		t.Fatal("a missing named key file was accepted")
	}
	named := filepath.Join(t.TempDir(), "keys")
	line, _ := payout.NewKeyLine("2026-12")
	if err := os.WriteFile(named, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, "payout-keys", []string{"rotate", "--data", data, "--payout-key-file", named, "--log-level", "error"}, &out); err != nil {
		t.Fatalf("%v (%s)", err, out.String())
	}
	if err := run(ctx, "payout-keys", []string{"spin"}, &out); err == nil {
		t.Fatal("unknown sub-command accepted")
	}
}
