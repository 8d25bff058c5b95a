package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"sharemall/internal/bench"
	"sharemall/internal/bench/seed"
	"sharemall/internal/store"
)

// runBench is `sharemall bench`: generate a program at scale into a fresh
// database, serve it in this process on loopback and measure it against
// the database's floor. Progress goes to stderr; the result to stdout.
func runBench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	n := fs.Int("distributors", 1_000_000, "distributors to generate")
	quick := fs.Bool("quick", false, "20,000 distributors and 4 s per scenario: the whole run in a few minutes")
	asJSON := fs.Bool("json", false, "print one JSON object at the end")
	dbURL := fs.String("db", "", "PostgreSQL URL (postgres://…): the bench creates a fresh schema in it; empty: SQLite in a fresh folder")
	dataDir := fs.String("data-dir", "", "folder for the SQLite database (default: a temporary folder, removed afterwards)")
	keep := fs.Bool("keep", false, "keep the PostgreSQL schema afterwards (its name is printed), to look into it")
	clients := fs.Int("clients", 8, "concurrent HTTP clients")
	duration := fs.Duration("duration", 15*time.Second, "time bound of each scenario")
	maxUnits := fs.Int64("max", 200_000, "count bound of each scenario (orders, reads, lines, withdrawals)")
	paid := fs.Int("paid-withdrawals", 0, "paid withdrawals of other distributors booked before wallets are read (default: as many as distributors, at most 200,000)")
	rngSeed := fs.Uint64("seed", 1, "random seed of the generated program")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server and clients) to this file")
	scenarios := fs.String("scenarios", "", "comma-separated scenarios to run ("+strings.Join(bench.Scenarios, ", ")+
		"); checkout always runs, the others read its orders; empty: all")
	servers := fs.Int("servers", 1, "servers in this process, each with its own connection pools on the same database (PostgreSQL only beyond 1); the clients' requests are dealt round-robin over them")
	external := fs.Int("external-servers", 0, "also start this many `sharemall serve` processes (this executable) on the same PostgreSQL schema and deal requests to them too")
	ownRole := fs.Bool("own-role", true, "PostgreSQL: run the servers under a login role of their own (created and dropped by the bench; needs CREATEROLE and a password-free login such as trust), so pg_stat_statements and pg_stat_activity count the bench's work only")
	waitEvents := fs.Duration("wait-events", 0, "PostgreSQL: sample the servers' backends in pg_stat_activity this often during checkout's timed section (e.g. 20ms) and report what they waited on; 0: not sampled")
	orders := fs.Int("orders", 0, "orders of history placed before the scenarios: a few hundred through the server, copied row for row into this many over the past 365 days")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *quick {
		*n = 20_000
		if !flagSet(fs, "duration") {
			*duration = 4 * time.Second
		}
	}
	if *orders < 0 {
		return fmt.Errorf("bench: --orders must be ≥ 0")
	}
	if *n < 100 || *clients < 1 || *clients > 1024 || *duration <= 0 || *maxUnits < 1 || *paid < 0 {
		return fmt.Errorf("bench: need --distributors ≥ 100, --clients 1…1024, a positive --duration and --max, and --paid-withdrawals ≥ 0")
	}
	if *servers < 1 || *servers > 16 || *external < 0 || *external > 16 {
		return fmt.Errorf("bench: need --servers 1…16 and --external-servers 0…16")
	}
	if (*servers > 1 || *external > 0) && *dbURL == "" {
		return fmt.Errorf("bench: --servers above 1 and --external-servers need PostgreSQL (--db)")
	}
	var only []string
	if *scenarios != "" {
		for _, sc := range strings.Split(*scenarios, ",") {
			if sc = strings.TrimSpace(sc); !slices.Contains(bench.Scenarios, sc) {
				return fmt.Errorf("bench: --scenarios: unknown scenario %q (known: %s)", sc, strings.Join(bench.Scenarios, ", "))
			}
			only = append(only, sc)
		}
	}
	url, dir := "", *dataDir
	switch {
	case *dbURL != "":
		if !strings.HasPrefix(*dbURL, "postgres://") && !strings.HasPrefix(*dbURL, "postgresql://") {
			return fmt.Errorf("bench: --db must be a postgres:// URL (SQLite is the default)")
		}
		var err error
		schema := fmt.Sprintf("bench_%d", time.Now().Unix())
		if url, err = seed.Schema(ctx, *dbURL, schema); err != nil {
			return err
		}
		// Dropped at the end, as the SQLite folder is removed (deferred
		// before Open, so it runs after Close).
		var ownsSchema bool // the role's drop drops the schema too
		defer func() {
			if *keep {
				fmt.Fprintf(os.Stderr, "bench: kept schema %s\n", schema)
				return
			}
			if ownsSchema {
				return
			}
			if err := seed.DropSchema(context.WithoutCancel(ctx), *dbURL, schema); err != nil {
				fmt.Fprintf(os.Stderr, "bench: %v\n", err)
			}
		}()
		if *ownRole {
			// The role's drop (DROP OWNED BY) drops the schema it owns.
			role := schema
			if url, err = bench.PostgresRole(ctx, *dbURL, url, schema, role); err != nil {
				return err
			}
			ownsSchema = true
			defer func() {
				if *keep {
					fmt.Fprintf(os.Stderr, "bench: kept role %s\n", role)
					return
				}
				if err := bench.DropPostgresRole(context.WithoutCancel(ctx), *dbURL, role); err != nil {
					fmt.Fprintf(os.Stderr, "bench: %v\n", err)
				}
			}()
		}
	case dir == "":
		tmp, err := os.MkdirTemp("", "sharemall-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	db, err := store.Open(ctx, url, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Prepare(ctx); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	exe, _ := os.Executable()
	res, err := bench.Run(ctx, db, bench.Options{Distributors: *n, Clients: *clients, Duration: *duration, MaxUnits: *maxUnits,
		PaidWithdrawals: *paid, Seed: *rngSeed, Progress: os.Stderr, Scenarios: only,
		CostURL: *dbURL, WaitEvents: *waitEvents, Servers: *servers, ExternalServers: *external, ServeURL: url, Executable: exe,
		Open: func(ctx context.Context) (*store.DB, error) { return store.Open(ctx, url, dir) }, Orders: *orders})
	if err != nil {
		return err
	}
	if *asJSON {
		b, _ := json.Marshal(res)
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// flagSet reports whether the command line set the flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
