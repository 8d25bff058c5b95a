// Command sharemall runs the Sharemall server and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/api"
	"sharemall/internal/errs"
	"sharemall/internal/jobs"
	"sharemall/internal/metrics"
	"sharemall/internal/notify"
	"sharemall/internal/site"
	"sharemall/internal/store"
)

const usage = `sharemall: a social-distribution commerce platform

Usage:
  sharemall serve   [flags]   run the server (migrates an empty database)
  sharemall demo    [flags]   build a sample program (once), print its logins, then serve
  sharemall migrate [flags]   apply pending database migrations
  sharemall ledger check [flags]  verify the books on a live database; exits 1 when a problem is found
  sharemall jobs run-due [flags]  run the background work that is due (for cron), then exit
  sharemall jobs status [flags]   list what is due and which items failed, why, and when they are retried
  sharemall media gc [flags]      delete the files of pictures no product shows any more
  sharemall payments reconcile --provider P --file statement.csv [flags]
                              compare a provider's statement with the payments and refunds recorded; exits 1 on a difference
  sharemall payout-keys rotate [flags]  reseal every payout detail under the newest payout key
  sharemall bench [flags]     generate a program at scale and measure it against the database's floor
  sharemall version           print the version

Run "sharemall <command> -h" for the flags of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1], os.Args[2:], os.Stdout)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sharemall %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string, stdout io.Writer) error {
	return runWith(ctx, &Config{}, cmd, args, stdout)
}

func runWith(ctx context.Context, cfg *Config, cmd string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	switch cmd {
	case "serve":
		cfg.bindFlags(fs)
	case "demo":
		cfg.bindDemoFlags(fs)
	case "migrate":
		cfg.bindDatabase(fs)
	case "ledger":
		if len(args) == 0 || args[0] != "check" {
			return fmt.Errorf("usage: sharemall ledger check [flags]")
		}
		cmd, args = "ledger check", args[1:]
		fs = flag.NewFlagSet(cmd, flag.ContinueOnError)
		cfg.bindDatabase(fs)
	case "jobs":
		if len(args) == 0 || (args[0] != "run-due" && args[0] != "status") {
			return fmt.Errorf("usage: sharemall jobs run-due|status [flags]")
		}
		cmd, args = "jobs "+args[0], args[1:]
		fs = flag.NewFlagSet(cmd, flag.ContinueOnError)
		cfg.bindDatabase(fs)
	case "media":
		if len(args) == 0 || args[0] != "gc" {
			return fmt.Errorf("usage: sharemall media gc [flags]")
		}
		cmd, args = "media gc", args[1:]
		fs = flag.NewFlagSet(cmd, flag.ContinueOnError)
		cfg.bindMediaGCFlags(fs)
	case "payments":
		if len(args) == 0 || args[0] != "reconcile" {
			return fmt.Errorf("usage: sharemall payments reconcile --provider P --file statement.csv [flags]")
		}
		cmd, args = "payments reconcile", args[1:]
		fs = flag.NewFlagSet(cmd, flag.ContinueOnError)
		cfg.bindDatabase(fs)
		cfg.reconcile.bind(fs)
	case "payout-keys":
		if len(args) == 0 || args[0] != "rotate" {
			return fmt.Errorf("usage: sharemall payout-keys rotate [flags]")
		}
		cmd, args = "payout-keys rotate", args[1:]
		fs = flag.NewFlagSet(cmd, flag.ContinueOnError)
		cfg.bindDatabase(fs)
		cfg.bindPayoutKeys(fs)
	case "bench":
		return runBench(ctx, args, stdout)
	case "version":
		fmt.Fprintln(stdout, "sharemall", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
	}
	if cfg.stderr != nil {
		fs.SetOutput(cfg.stderr)
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: sharemall %s [flags]\n\nFlags:\n", cmd)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	log, err := cfg.logger()
	if err != nil {
		return err
	}
	slog.SetDefault(log)
	// The server binds its address first: a taken port is one clear error
	// before anything is opened, seeded, printed or started.
	var ln net.Listener
	if cmd == "serve" || cmd == "demo" {
		if ln, err = listen(cfg.Addr); err != nil {
			return err
		}
		defer ln.Close()
	}
	db, err := store.Open(ctx, cfg.DB, cfg.Data)
	if err != nil {
		return err
	}
	defer db.Close()

	switch cmd {
	case "ledger check":
		return ledgerCheck(ctx, db, stdout)
	case "jobs run-due":
		return runDue(ctx, db, cfg, log, stdout)
	case "jobs status":
		return jobsStatus(ctx, db, stdout)
	case "media gc":
		return mediaGC(ctx, db, cfg, stdout)
	case "payments reconcile":
		return reconcile(ctx, db, cfg.reconcile, stdout)
	case "payout-keys rotate":
		return rotatePayoutKeys(ctx, db, cfg, log, stdout)
	case "migrate":
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		cur, _, err := db.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s); schema is at version %d\n", n, cur)
		return nil
	case "demo":
		cfg.PaymentSandbox = true // the demo is a trial: pay with the sandbox
		// Its webhooks may go to a receiver on the same machine.
		cfg.WebhooksAllowPrivate = true
		if _, err := db.Prepare(ctx); err != nil {
			return err
		}
		// The demo records payout details: load (or make) the key first.
		if err := usePayoutKeys(db, cfg, log); err != nil {
			return err
		}
		if err := runDemo(ctx, db, cfg, ln.Addr().String(), stdout); err != nil {
			return err
		}
	}
	return serve(ctx, db, cfg, log, ln)
}

// listen binds addr, naming it when that fails; a port in use says so.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("cannot listen on %s: the address is already in use (another program, or another sharemall, listens there); choose another with --addr", addr)
	case err != nil:
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}

// serve serves on ln, which the caller bound, until ctx ends, then stops
// gracefully: no new connections, requests in flight finish.
func serve(ctx context.Context, db *store.DB, cfg *Config, log *slog.Logger, ln net.Listener) error {
	if n, err := db.Prepare(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("migrated an empty database", "migrations", n)
	}
	acfg := api.DefaultConfig()
	acfg.CookieSecure = cfg.CookieSecure
	acfg.SessionTTL = cfg.SessionTTL
	acfg.PaymentSandbox = cfg.PaymentSandbox
	acfg.PublicURL = cfg.PublicURL
	acfg.SandboxSecret = cfg.SandboxSecret
	gws, err := gateways(cfg, log)
	if err != nil {
		return err
	}
	acfg.Gateways = gws
	if acfg.WeChatOAuth, err = wechatOAuth(); err != nil {
		return err
	}
	acfg.WebhooksAllowPrivate = cfg.WebhooksAllowPrivate
	if err := cfg.applyLimits(&acfg); err != nil {
		return err
	}
	if err := cfg.applyMedia(ctx, &acfg); err != nil {
		return err
	}
	if err := bootstrapOperator(ctx, db, cfg, acfg.HashParams, log); err != nil {
		return err
	}
	if err := usePayoutKeys(db, cfg, log); err != nil {
		return err
	}
	apiSrv, err := site.New(db, log, acfg)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           apiSrv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	stopMetrics, err := serveMetrics(cfg, apiSrv.MetricsHandler(), log)
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.JobsInterval > 0 {
		runner := jobs.NewRunner(db, log, runnerRefunders(cfg, gws)...)
		runner.Sweeps = append(runner.Sweeps, jobs.WebhookSweep(db, notify.NewSender(10*time.Second, cfg.WebhooksAllowPrivate), runner.Holder))
		sweeps := metrics.NewSweeps()
		if err := apiSrv.Register(sweeps); err != nil {
			return err
		}
		sweeps.Watch(runner)
		stopped := make(chan struct{})
		go func() { defer close(stopped); runner.Loop(ctx, cfg.JobsInterval) }()
		// The database closes after serve returns: let a sweep in progress end first.
		defer func() { <-stopped }()
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", db.Engine(), "version", version())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if cfg.ready != nil {
		cfg.ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := errors.Join(srv.Shutdown(sctx), stopMetrics(sctx)); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// bootstrapOperator creates the first operator from --bootstrap-operator when
// the program has none. It never touches an existing account.
func bootstrapOperator(ctx context.Context, db *store.DB, cfg *Config, hp account.HashParams, log *slog.Logger) error {
	if cfg.BootstrapOperator == "" {
		return nil
	}
	if has, err := db.HasOperator(ctx); err != nil || has {
		return err
	}
	if cfg.BootstrapOperatorPassword == "" {
		return fmt.Errorf("--bootstrap-operator needs SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD or SHAREMALL_BOOTSTRAP_OPERATOR_PASSWORD_FILE")
	}
	settings, err := db.Settings(ctx)
	if err != nil {
		return err
	}
	email, phone, err := account.Identifier("bootstrap-operator", cfg.BootstrapOperator, settings.DefaultPhoneRegion)
	if err != nil {
		return err
	}
	s := account.SignUp{Email: email, Phone: phone, Name: "Operator", Password: cfg.BootstrapOperatorPassword}
	if err := s.Normalize(settings.DefaultPhoneRegion); err != nil {
		return fmt.Errorf("bootstrap operator: %s", errs.MessageOf(err))
	}
	hash, err := account.HashPassword(hp, s.Password)
	if err != nil {
		return err
	}
	a, err := db.CreateAccount(ctx, s, hash, account.Operator, account.Customer)
	if err != nil {
		return fmt.Errorf("bootstrap operator: %w", err)
	}
	log.Info("created the first operator", "account", a.ID, "login", cfg.BootstrapOperator)
	return nil
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		return v
	}
	return "unknown"
}

// runDue runs the due background work once, as cron would.
func runDue(ctx context.Context, db *store.DB, cfg *Config, log *slog.Logger, stdout io.Writer) error {
	if _, err := db.Prepare(ctx); err != nil {
		return err
	}
	if cfg.PublicURL == "" {
		// jobs run-due has no --public-url: refunds tell providers where to notify from the environment.
		cfg.PublicURL = env("SHAREMALL_PUBLIC_URL", "")
	}
	gws, err := gateways(cfg, nil)
	if err != nil {
		return err
	}
	runner := jobs.NewRunner(db, log, runnerRefunders(cfg, gws)...)
	runner.Sweeps = append(runner.Sweeps, jobs.WebhookSweep(db, notify.NewSender(10*time.Second, envBool("SHAREMALL_WEBHOOKS_ALLOW_PRIVATE", false)), runner.Holder))
	res, err := runner.RunDue(ctx)
	for _, sw := range runner.Sweeps {
		if n, ok := res.Done[sw.Name]; ok {
			fmt.Fprintf(stdout, "%-16s %d%s\n", sw.Name, n, failedNote(res.Failed[sw.Name]))
		}
	}
	for _, name := range res.Skipped {
		fmt.Fprintf(stdout, "%-16s skipped: another server holds its lease\n", name)
	}
	for _, name := range res.Waiting {
		fmt.Fprintf(stdout, "%-16s waiting: it failed before and its retry is not due (sharemall jobs status)\n", name)
	}
	return err
}
