package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/demo"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// TestServeAndShutdown starts the real server on port 0, checks /healthz,
// then stops it the way SIGTERM does (the context is cancelled).
func TestServeAndShutdown(t *testing.T) {
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan string, 1)
	cfg := &Config{ready: func(a string) { addrc <- a }}
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, cfg, "serve", []string{"--addr", "127.0.0.1:0", "--data", data, "--log-level", "error"}, &bytes.Buffer{})
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	res, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if res.StatusCode != 200 || body["database"] != "sqlite" {
		t.Fatalf("healthz: %d %v", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
}

func TestMigrateAndVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), "migrate", []string{"--data", t.TempDir(), "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "applied") {
		t.Fatalf("migrate said %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), "version", nil, &out); err != nil || !strings.HasPrefix(out.String(), "sharemall ") {
		t.Fatalf("version: %q, %v", out.String(), err)
	}
	if err := run(context.Background(), "fly", nil, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(context.Background(), "serve", []string{"--log-format", "xml", "--data", t.TempDir()}, &out); err == nil {
		t.Fatal("bad log format accepted")
	}
}

func TestBootstrapOperator(t *testing.T) {
	data := t.TempDir()
	t.Setenv("SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD", "first operator 1")
	ctx, cancel := context.WithCancel(context.Background())
	cfg := &Config{ready: func(string) { cancel() }}
	if err := runWith(ctx, cfg, "serve", []string{"--addr", "127.0.0.1:0", "--data", data, "--log-level", "error", "--bootstrap-operator", "boss@example.com"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	// A second start with another name does not create a second operator, nor fail.
	ctx, cancel = context.WithCancel(context.Background())
	cfg = &Config{ready: func(string) { cancel() }}
	if err := runWith(ctx, cfg, "serve", []string{"--addr", "127.0.0.1:0", "--data", data, "--log-level", "error", "--bootstrap-operator", "other@example.com"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.CredentialsFor(context.Background(), "boss@example.com", "")
	if err != nil {
		t.Fatalf("first operator missing: %v", err)
	}
	if a, _ := db.Account(context.Background(), c.AccountID); !a.Has(account.Operator) {
		t.Fatalf("roles = %v", a.Roles)
	}
	if _, err := db.CredentialsFor(context.Background(), "other@example.com", ""); !errs.Is(err, errs.NotFound) {
		t.Fatalf("second operator created: %v", err)
	}
}

// TestDemo runs the demo command twice on one folder: the second run reuses it.
func TestDemo(t *testing.T) {
	data := t.TempDir()
	for i, want := range []string{"demo built", "demo reused"} {
		ctx, cancel := context.WithCancel(context.Background())
		var out bytes.Buffer
		cfg := &Config{ready: func(addr string) {
			res, err := http.Get("http://" + addr + "/healthz")
			if err != nil || res.StatusCode != 200 {
				t.Errorf("run %d: healthz %v %v", i, res, err)
			}
			if res != nil {
				res.Body.Close()
			}
			cancel()
		}}
		if err := runWith(ctx, cfg, "demo", []string{"--addr", "127.0.0.1:0", "--data", data, "--log-level", "error"}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "operator@demo.example.com") ||
			!regexp.MustCompile(`http://127\.0\.0\.1:\d+/centre .*invite link: http://127\.0\.0\.1:\d+/join/[0-9A-Z]{8}\n`).MatchString(out.String()) ||
			!regexp.MustCompile(`Open the shop at http://127\.0\.0\.1:\d+/ `).MatchString(out.String()) ||
			!regexp.MustCompile(`share link, as a friend receives it: http://127\.0\.0\.1:\d+/s/\S+\n`).MatchString(out.String()) {
			t.Fatalf("run %d printed:\n%s", i, out.String())
		}
	}
	// The demo's payout details are sealed with the key file it made in the
	// data folder: rotating under it opens every box and reseals none.
	k, err := payout.LoadKeys(filepath.Join(data, "payout.keys"))
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.UsePayoutKeys(k)
	if n, err := db.RotatePayoutKeys(context.Background()); n != 0 || err != nil {
		t.Errorf("the demo's payout details under the data folder's key: %d resealed, %v", n, err)
	}
}

// TestLedgerCheckCommand: the check passes on the demo database and fails,
// naming the journal, once a journal is unbalanced by hand.
func TestLedgerCheckCommand(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, demo.Options{HashParams: account.HashParams{Memory: 64, Time: 1, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	j := ledger.Journal{Key: "test:corrupt", Kind: "test", Currency: "CNY"}
	j.Move("clearing", "platform_revenue", 100)
	id, _, err := db.Post(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, "ledger", []string{"check", "--data", data, "--log-level", "error"}, &out); err != nil {
		t.Fatalf("check on a sound ledger: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "ledger check: ok") {
		t.Fatalf("said %q", out.String())
	}
	db.Close()
	// Behind the ledger's back: straight into the file, its seal removed.
	raw, err := sql.Open("sqlite", filepath.Join(data, "sharemall.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DROP TRIGGER ledger_entries_sealed`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO ledger_entries (journal_id, account_id, direction, amount, currency)
		SELECT ?, id, 'D', 1, 'CNY' FROM ledger_accounts WHERE code = 'clearing'`, id); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out.Reset()
	err = run(ctx, "ledger", []string{"check", "--data", data, "--log-level", "error"}, &out)
	if !errors.Is(err, errLedgerUnsound) || !strings.Contains(out.String(), "journal "+strconv.FormatInt(id, 10)+" (test:corrupt)") {
		t.Fatalf("corrupt ledger: %v\n%s", err, out.String())
	}
}

func TestJobsRunDueCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), "jobs", []string{"run-due", "--data", t.TempDir(), "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cancel-unpaid", "confirm-receipt", "settle"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("run-due said %q", out.String())
		}
	}
	if err := run(context.Background(), "jobs", []string{"run-everything"}, &out); err == nil {
		t.Fatal("unknown jobs subcommand accepted")
	}
}
