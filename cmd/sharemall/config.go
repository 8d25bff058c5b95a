package main

import (
	"flag"
	"fmt"
	"io"
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
	PublicURL      string        // the base URL clients use; links and the sandbox page are written for it
	SandboxSecret  string        // the sandbox provider's signing secret (secret)

	WebhooksAllowPrivate bool // webhook endpoints may name private and loopback addresses (always on for demo)

	BootstrapOperator         string // email or phone of the first operator, created by serve when none exists
	BootstrapOperatorPassword string // its password (secret)

	TrustedProxies    string // reverse proxies whose X-Forwarded-For names the client
	WriteLimit        int    // writes per client address a minute; 0: none
	SignUpLimit       int    // sign-ups per client address an hour; 0: none
	LoginAddressLimit int    // failed logins per client address in 15 minutes; 0: none
	MetricsAddr       string // serve /metrics there, not on Addr
	MetricsToken      string // bearer token for /metrics (secret)

	Media mediaConfig // product pictures: where they go, how large

	reconcile     reconcileFlags // payments reconcile's flags
	audit         auditFlags     // audit export's flags
	PayoutKeyFile string         // the keys payout details are sealed with (payout_keys.go)

	ready        func(addr string) // called with the listening address once serving (tests)
	stderr       io.Writer         // where flag errors and --help go; nil: os.Stderr (tests set it)
	metricsReady func(addr string) // likewise for --metrics-addr
}

// Each command registers only the flags it uses, so its --help lists
// exactly those: bindFlags for serve, bindDemoFlags for demo, bindDatabase
// for the commands that only open the database (migrate, ledger check, jobs).

// bindFlags registers serve's flags with defaults from the environment.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	c.bindDatabase(fs)
	c.bindServer(fs, ":8080")
	fs.BoolVar(&c.PaymentSandbox, "payment-sandbox", envBool("SHAREMALL_PAYMENT_SANDBOX", false),
		"run the built-in sandbox payment provider: anyone holding a payment reference can pay through it, so only for trials (always on in demo) (SHAREMALL_PAYMENT_SANDBOX)")
	fs.BoolVar(&c.WebhooksAllowPrivate, "webhooks-allow-private", envBool("SHAREMALL_WEBHOOKS_ALLOW_PRIVATE", false),
		"let webhook endpoints name private and loopback addresses (tests, trials; always on in demo) (SHAREMALL_WEBHOOKS_ALLOW_PRIVATE)")
	fs.StringVar(&c.BootstrapOperator, "bootstrap-operator", env("SHAREMALL_BOOTSTRAP_OPERATOR", ""),
		"email or phone of the first operator, created at start when the program has none; its password comes from SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD or _FILE")
	c.BootstrapOperatorPassword = secret("SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD", "")
}

// bindDemoFlags registers demo's flags: serve's, less the sandbox switch
// (the demo always pays with the sandbox) and the bootstrap operator (the
// demo makes its own), listening on this machine only unless told otherwise.
func (c *Config) bindDemoFlags(fs *flag.FlagSet) {
	c.bindDatabase(fs)
	c.bindServer(fs, demoAddr)
}

// demoAddr is where the demo listens by default: this machine only, since
// its logins and password are printed for all to read.
const demoAddr = "127.0.0.1:8080"

// bindServer registers the HTTP server's flags; addr is the default address.
func (c *Config) bindServer(fs *flag.FlagSet, addr string) {
	fs.StringVar(&c.Addr, "addr", env("SHAREMALL_ADDR", addr), "address to listen on (SHAREMALL_ADDR)")
	fs.BoolVar(&c.CookieSecure, "cookie-secure", envBool("SHAREMALL_COOKIE_SECURE", true), "mark the session cookie Secure (SHAREMALL_COOKIE_SECURE)")
	fs.DurationVar(&c.SessionTTL, "session-ttl", envDuration("SHAREMALL_SESSION_TTL", 30*24*time.Hour), "how long a login lasts (SHAREMALL_SESSION_TTL)")
	fs.DurationVar(&c.JobsInterval, "jobs-interval", envDuration("SHAREMALL_JOBS_INTERVAL", 30*time.Second),
		"how often serve runs due background work (cancel unpaid, confirm receipt, settle); 0 leaves it to cron running sharemall jobs run-due (SHAREMALL_JOBS_INTERVAL)")
	fs.StringVar(&c.PublicURL, "public-url", env("SHAREMALL_PUBLIC_URL", ""), "base URL clients reach the server at, e.g. https://shop.example.com (SHAREMALL_PUBLIC_URL)")
	c.SandboxSecret = secret("SHAREMALL_SANDBOX_SECRET", "")
	c.bindLimitFlags(fs)
	c.bindMediaFlags(fs)
	c.bindPayoutKeys(fs)
}

// bindDatabase registers where the database is and how to log: the flags
// of every command that opens the database.
func (c *Config) bindDatabase(fs *flag.FlagSet) {
	fs.StringVar(&c.Data, "data", env("SHAREMALL_DATA", "./data"), "data folder for the embedded SQLite database (SHAREMALL_DATA)")
	fs.StringVar(&c.DB, "db", secret("SHAREMALL_DB", ""), "database URL: postgres://… for PostgreSQL; empty for SQLite in --data (SHAREMALL_DB, SHAREMALL_DB_FILE)")
	fs.StringVar(&c.LogLevel, "log-level", env("SHAREMALL_LOG_LEVEL", "info"), "log level: debug, info, warn, error (SHAREMALL_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("SHAREMALL_LOG_FORMAT", "text"), "log format: text or json (SHAREMALL_LOG_FORMAT)")
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
// False), so the two agree.
func envBool(name string, def bool) bool {
	return envParse(name, def, strconv.ParseBool, "must be true or false (or 1 or 0)")
}

func envDuration(name string, def time.Duration) time.Duration {
	return envParse(name, def, time.ParseDuration, "must be a duration such as 30s or 15m")
}

func envInt(name string, def int) int {
	return envParse(name, def, strconv.Atoi, "must be a whole number")
}

// envParse reads a variable with parse. Unset or empty is def; a value
// parse refuses stops the program before it starts, naming the variable.
func envParse[T any](name string, def T, parse func(string) (T, error), want string) T {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sharemall: %s %s, not %q\n", name, want, v)
		os.Exit(2)
	}
	return x
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
