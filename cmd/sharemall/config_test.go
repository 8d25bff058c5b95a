package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigFromEnvironmentAndFiles(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "db")
	if err := os.WriteFile(secretFile, []byte("postgres://u:p@h/db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SHAREMALL_ADDR", ":9999")
	t.Setenv("SHAREMALL_DB_FILE", secretFile)
	t.Setenv("SHAREMALL_LOG_FORMAT", "json")
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.bindFlags(fs)
	if err := fs.Parse([]string{"--log-format", "text"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9999" || cfg.DB != "postgres://u:p@h/db" || cfg.LogFormat != "text" || cfg.Data != "./data" {
		t.Fatalf("config = %+v", cfg)
	}
	if _, err := cfg.logger(); err != nil {
		t.Fatal(err)
	}
	cfg.LogLevel = "loud"
	if _, err := cfg.logger(); err == nil {
		t.Fatal("bad level accepted")
	}
	if baseURL(":8080") != "http://localhost:8080" || baseURL("127.0.0.1:9") != "http://127.0.0.1:9" {
		t.Fatal(baseURL(":8080"))
	}
}

// TestBooleanSettingsParseAlike: a boolean setting reads the same from its
// variable as from its flag, and a value that is neither is refused.
func TestBooleanSettingsParseAlike(t *testing.T) {
	for _, tc := range []struct {
		value  string
		parsed bool
	}{{"true", true}, {"1", true}, {"TRUE", true}, {"t", true}, {"false", false}, {"0", false}, {"False", false}, {"f", false}} {
		t.Setenv("SHAREMALL_COOKIE_SECURE", tc.value)
		t.Setenv("SHAREMALL_PAYMENT_SANDBOX", tc.value)
		var fromEnv, fromFlag Config
		fromEnv.bindFlags(flag.NewFlagSet("serve", flag.ContinueOnError))
		os.Unsetenv("SHAREMALL_COOKIE_SECURE")
		os.Unsetenv("SHAREMALL_PAYMENT_SANDBOX")
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fromFlag.bindFlags(fs)
		if err := fs.Parse([]string{"--cookie-secure=" + tc.value, "--payment-sandbox=" + tc.value}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []Config{fromEnv, fromFlag} {
			if c.CookieSecure != tc.parsed || c.PaymentSandbox != tc.parsed {
				t.Errorf("%q: cookie secure %v, payment sandbox %v; want both %v", tc.value, c.CookieSecure, c.PaymentSandbox, tc.parsed)
			}
		}
	}
	t.Setenv("SHAREMALL_COOKIE_SECURE", "")
	var unset Config
	unset.bindFlags(flag.NewFlagSet("serve", flag.ContinueOnError))
	if !unset.CookieSecure || unset.PaymentSandbox {
		t.Errorf("defaults: cookie secure %v, payment sandbox %v", unset.CookieSecure, unset.PaymentSandbox)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	new(Config).bindFlags(fs)
	if err := fs.Parse([]string{"--cookie-secure=yes"}); err == nil {
		t.Error("--cookie-secure=yes was accepted")
	}
}

// TestBadBooleanIsRefusedAtStart runs the command in a child process with a
// variable that is not a boolean: it must stop at once, naming the variable.
func TestBadBooleanIsRefusedAtStart(t *testing.T) {
	if os.Getenv("SHAREMALL_TEST_CHILD") == "1" {
		new(Config).bindFlags(flag.NewFlagSet("serve", flag.ContinueOnError))
		os.Exit(0)
	}
	for _, name := range []string{"SHAREMALL_COOKIE_SECURE", "SHAREMALL_PAYMENT_SANDBOX"} {
		for _, value := range []string{"yes", "off", "2"} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBadBooleanIsRefusedAtStart$")
			cmd.Env = append(os.Environ(), "SHAREMALL_TEST_CHILD=1", name+"="+value)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), name) {
				t.Errorf("%s=%s: %v, stderr %q; want exit 2 naming the variable", name, value, err, stderr.String())
			}
		}
	}
}
