package main

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLimitFlags(t *testing.T) {
	t.Setenv("SHAREMALL_WRITE_LIMIT", "7")
	t.Setenv("SHAREMALL_METRICS_TOKEN", "from-env")
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.bindFlags(fs)
	if err := fs.Parse([]string{"--signup-limit", "0", "--trusted-proxies", "10.0.0.0/8"}); err != nil {
		t.Fatal(err)
	}
	if cfg.WriteLimit != 7 || cfg.SignUpLimit != 0 || cfg.LoginAddressLimit != 10 || cfg.MetricsToken != "from-env" || cfg.MetricsAddr != "" {
		t.Fatalf("config = %+v", cfg)
	}
	// Bad values stop the start with the flag named.
	for _, args := range [][]string{{"--trusted-proxies", "10.0.0.0/8,proxy"}, {"--write-limit", "-1"}} {
		err := runWith(context.Background(), &Config{}, "serve", append(args, "--data", t.TempDir(), "--addr", "127.0.0.1:0"), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: %v", args, err)
		}
	}
}

// TestMetricsAddr: with --metrics-addr the metrics are served there (behind
// the token when one is set) and not on the main address.
func TestMetricsAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc, metricsc := make(chan string, 1), make(chan string, 1)
	cfg := &Config{ready: func(a string) { addrc <- a }, metricsReady: func(a string) { metricsc <- a }}
	done := make(chan error, 1)
	go func() {
		done <- runWith(ctx, cfg, "serve", []string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--metrics-token", "tok-123",
			"--data", t.TempDir(), "--log-level", "error"}, &bytes.Buffer{})
	}()
	var addr, maddr string
	for addr == "" || maddr == "" {
		select {
		case addr = <-addrc:
		case maddr = <-metricsc:
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("server did not start")
		}
	}
	get := func(url, token string) int {
		req, _ := http.NewRequest("GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := get("http://"+addr+"/metrics", "tok-123"); got != 404 {
		t.Errorf("main address /metrics: %d, want 404", got)
	}
	if got := get("http://"+maddr+"/metrics", ""); got != 401 {
		t.Errorf("metrics address without the token: %d, want 401", got)
	}
	if got := get("http://"+maddr+"/metrics", "tok-123"); got != 200 {
		t.Errorf("metrics address with the token: %d, want 200", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
