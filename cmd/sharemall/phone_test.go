package main

import (
	"bytes"
	"context"
	"testing"

	"sharemall/internal/store"
)

// TestBootstrapOperatorByNationalPhone: --bootstrap-operator takes a phone as
// people type it, read in the program's default region (CN), stored in E.164.
func TestBootstrapOperatorByNationalPhone(t *testing.T) {
	data := t.TempDir()
	t.Setenv("SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD", "first operator 1")
	ctx, cancel := context.WithCancel(context.Background())
	cfg := &Config{ready: func(string) { cancel() }}
	if err := runWith(ctx, cfg, "serve", []string{"--addr", "127.0.0.1:0", "--data", data, "--log-level", "error", "--bootstrap-operator", "138 0013 8000"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.CredentialsFor(context.Background(), "", "+8613800138000"); err != nil {
		t.Fatalf("operator by phone: %v", err)
	}
}
