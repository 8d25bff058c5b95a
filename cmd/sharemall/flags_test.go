package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDemoOnTakenPortFailsFast: a demo on an address already in use fails
// at once with one error naming the address, before it opens or seeds a
// database, prints its banner or starts any work.
func TestDemoOnTakenPortFailsFast(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	addr := taken.Addr().String()
	data := t.TempDir()
	var out bytes.Buffer
	cfg := &Config{ready: func(string) { t.Error("the demo served on a taken port") }}
	err = runWith(context.Background(), cfg, "demo", []string{"--addr", addr, "--data", data, "--log-level", "error"}, &out)
	if err == nil || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), "already in use") {
		t.Fatalf("error %v, want one naming %s as in use", err, addr)
	}
	if out.Len() != 0 {
		t.Fatalf("printed before failing:\n%s", out.String())
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Fatalf("the data folder was touched: %v", entries)
	}
	// serve says the same.
	err = runWith(context.Background(), &Config{}, "serve", []string{"--addr", addr, "--data", data, "--log-level", "error"}, &out)
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("serve: %v", err)
	}
}

// TestDemoListensOnLoopbackByDefault: without --addr the demo binds
// 127.0.0.1:8080 and serve binds every interface; the demo's banner says how
// to expose it.
func TestDemoListensOnLoopbackByDefault(t *testing.T) {
	t.Setenv("SHAREMALL_ADDR", "") // restored after the test
	os.Unsetenv("SHAREMALL_ADDR")
	var demo, serve Config
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	demo.bindDemoFlags(fs)
	fs.Parse(nil)
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	serve.bindFlags(fs)
	fs.Parse(nil)
	if demo.Addr != "127.0.0.1:8080" || serve.Addr != ":8080" {
		t.Fatalf("demo listens on %q, serve on %q", demo.Addr, serve.Addr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	cfg := &Config{ready: func(string) { cancel() }}
	if err := runWith(ctx, cfg, "demo", []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "this machine only") || !strings.Contains(out.String(), "--addr :8080") {
		t.Fatalf("the banner does not say how to expose the demo:\n%s", out.String())
	}
	if regexp.MustCompile(`127\.0\.0\.1:0\b`).MatchString(out.String()) {
		t.Fatalf("the banner shows the requested port 0, not the bound one:\n%s", out.String())
	}
}

// TestCommandHelpListsOwnFlags: each command's -h lists the flags it uses
// and no other command's.
func TestCommandHelpListsOwnFlags(t *testing.T) {
	database := []string{"data", "db", "log-format", "log-level"}
	server := append(slices.Clone(database), "addr", "cookie-secure", "jobs-interval", "public-url", "session-ttl",
		"login-address-limit", "metrics-addr", "metrics-token", "signup-limit", "trusted-proxies", "write-limit", "media-max-mb",
		"payout-key-file")
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "-h"}, append(slices.Clone(server), "bootstrap-operator", "payment-sandbox", "webhooks-allow-private")},
		{[]string{"demo", "-h"}, server},
		{[]string{"migrate", "-h"}, database},
		{[]string{"ledger", "check", "-h"}, database},
		{[]string{"jobs", "run-due", "-h"}, database},
		{[]string{"jobs", "status", "-h"}, database},
		{[]string{"media", "gc", "-h"}, append(slices.Clone(database), "dry-run", "older-than")},
		{[]string{"payout-keys", "rotate", "-h"}, append(slices.Clone(database), "payout-key-file")},
		{[]string{"audit", "export", "-h"}, append(slices.Clone(database), "from", "to", "out", "verify")},
	}
	flagName := regexp.MustCompile(`(?m)^  -([a-z-]+)`)
	for _, c := range cases {
		var help bytes.Buffer
		cfg := &Config{stderr: &help}
		done := make(chan error, 1)
		go func() { done <- runWith(context.Background(), cfg, c.args[0], c.args[1:], &bytes.Buffer{}) }()
		select {
		case err := <-done:
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("%v: %v", c.args, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%v did not stop at -h", c.args)
		}
		var got []string
		for _, m := range flagName.FindAllStringSubmatch(help.String(), -1) {
			got = append(got, m[1])
		}
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) || !strings.HasPrefix(help.String(), "Usage: sharemall "+strings.Join(c.args[:len(c.args)-1], " ")+" [flags]") {
			t.Errorf("%v lists %v, want %v:\n%s", c.args, got, want, help.String())
		}
	}
}
