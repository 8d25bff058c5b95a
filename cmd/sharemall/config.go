package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything the command line and environment can set. Each flag
// has an environment variable (SHAREMALL_ plus the flag in capitals); the
// flag wins. Secrets may also come from a file named by <VAR>_FILE.
type Config struct {
	Addr      string
	Data      string
	DB        string
	LogLevel  string
	LogFormat string

	CookieSecure   bool
	SessionTTL     time.Duration
	JobsInterval   time.Duration // how often serve runs due background work; 0 leaves it to cron
	PaymentSandbox bool          // run the built-in sandbox payment provider (always on for demo)
	PublicURL      string        // the base URL clients use; the sandbox calls back there
	SandboxSecret  string        // the sandbox provider's signing secret (secret)

	BootstrapOperator         string // email or phone of the first operator, created by serve when none exists
	BootstrapOperatorPassword string // its password (secret)

	TrustedProxies    string // reverse proxies whose X-Forwarded-For names the client
	WriteLimit        int    // writes per client address a minute; 0: none
	SignUpLimit       int    // sign-ups per client address an hour; 0: none
	LoginAddressLimit int    // failed logins per client address in 15 minutes; 0: none
	MetricsAddr       string // serve /metrics there, not on Addr
	MetricsToken      string // bearer token for /metrics (secret)

	ready        func(addr string) // called with the listening address once serving (tests)
	metricsReady func(addr string) // likewise for --metrics-addr
}

// bindFlags registers the shared flags on fs with defaults from the environment.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("SHAREMALL_ADDR", ":8080"), "address to listen on (SHAREMALL_ADDR)")
	fs.StringVar(&c.Data, "data", env("SHAREMALL_DATA", "./data"), "data folder for the embedded SQLite database (SHAREMALL_DATA)")
	fs.StringVar(&c.DB, "db", secret("SHAREMALL_DB", ""), "database URL: postgres://… for PostgreSQL; empty for SQLite in --data (SHAREMALL_DB, SHAREMALL_DB_FILE)")
	fs.StringVar(&c.LogLevel, "log-level", env("SHAREMALL_LOG_LEVEL", "info"), "log level: debug, info, warn, error (SHAREMALL_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("SHAREMALL_LOG_FORMAT", "text"), "log format: text or json (SHAREMALL_LOG_FORMAT)")
	fs.BoolVar(&c.CookieSecure, "cookie-secure", envBool("SHAREMALL_COOKIE_SECURE", true), "mark the session cookie Secure (SHAREMALL_COOKIE_SECURE)")
	fs.DurationVar(&c.SessionTTL, "session-ttl", envDuration("SHAREMALL_SESSION_TTL", 30*24*time.Hour), "how long a login lasts (SHAREMALL_SESSION_TTL)")
	fs.DurationVar(&c.JobsInterval, "jobs-interval", envDuration("SHAREMALL_JOBS_INTERVAL", 30*time.Second),
		"how often serve runs due background work (cancel unpaid, confirm receipt, settle); 0 leaves it to `sharemall jobs run-due` from cron (SHAREMALL_JOBS_INTERVAL)")
	fs.BoolVar(&c.PaymentSandbox, "payment-sandbox", envBool("SHAREMALL_PAYMENT_SANDBOX", false),
		"run the built-in sandbox payment provider: anyone holding a payment reference can pay through it, so only for trials (always on in demo) (SHAREMALL_PAYMENT_SANDBOX)")
	fs.StringVar(&c.PublicURL, "public-url", env("SHAREMALL_PUBLIC_URL", ""), "base URL clients reach the server at, e.g. https://shop.example.com (SHAREMALL_PUBLIC_URL)")
	fs.StringVar(&c.BootstrapOperator, "bootstrap-operator", env("SHAREMALL_BOOTSTRAP_OPERATOR", ""),
		"email or phone of the first operator, created at start when the program has none; its password comes from SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD or _FILE")
	c.BootstrapOperatorPassword = secret("SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD", "")
	c.SandboxSecret = secret("SHAREMALL_SANDBOX_SECRET", "")
	c.bindLimitFlags(fs)
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// secret reads NAME, or the contents of the file NAME_FILE names.
func secret(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	if f := os.Getenv(name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "sharemall: %s_FILE: %v\n", name, err)
			os.Exit(2)
		}
		return strings.TrimRight(string(b), "\r\n")
	}
	return def
}

// envBool reads a boolean variable the way the flag package reads the flag
// (strconv.ParseBool: 1, t, T, true, TRUE, True and 0, f, F, false, FALSE,
// False), so the two agree. Unset or empty is def; anything else stops the
// program before it starts.
func envBool(name string, def bool) bool {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sharemall: %s must be true or false (or 1 or 0), not %q\n", name, v)
		os.Exit(2)
	}
	return b
}

func envDuration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sharemall: %s: %v\n", name, err)
		os.Exit(2)
	}
	return d
}

// logger builds the one slog logger the program uses.
func (c *Config) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
}
