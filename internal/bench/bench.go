// Package bench measures Sharemall at scale: it generates a program into a
// fresh database, starts the real server in this process on a loopback
// port and drives it over HTTP with concurrent clients, and measures the
// database's own floor (the same rows written by plain SQL) in the same run.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"sharemall/internal/api"
	"sharemall/internal/bench/seed"
	"sharemall/internal/store"
)

// Options say how large and how long.
type Options struct {
	Distributors int
	Clients      int
	Duration     time.Duration // per scenario
	MaxUnits     int64         // per scenario: orders, team reads, lines, withdrawals
	// PaidWithdrawals of other distributors are booked before wallets are
	// read; 0: as many as distributors, at most 200,000.
	PaidWithdrawals int
	Seed            uint64
	Progress        io.Writer // generation progress and scenario lines; nil for none
	// Scenarios to run besides checkout, which always runs (the others
	// read its orders); nil: all of them.
	Scenarios []string
	// CostURL is a PostgreSQL URL of the same server (best the same
	// database) on which the checkout's cost figures are read, outside the
	// server's pools; empty: the PostgreSQL figures are null.
	CostURL string
	// Servers in this process (0 or 1: one), each on a store.DB of its own
	// from Open, on the same database; the clients' requests are dealt
	// round-robin over them and any ExternalServers.
	Servers int
	Open    func(ctx context.Context) (*store.DB, error)
	// ExternalServers are `Executable serve` processes on ServeURL (the
	// bench's PostgreSQL schema), besides the in-process ones.
	ExternalServers int
	Executable      string
	ServeURL        string
	// WaitEvents samples the server's PostgreSQL backends in
	// pg_stat_activity this often during the checkout's timed section (on
	// the CostURL connection); 0: not sampled.
	WaitEvents time.Duration
	// Orders of history written after generation and before the
	// scenarios (history.go): 0 for none.
	Orders int
}

// Scenarios are the scenarios in the order they run.
var Scenarios = []string{"checkout", "team", "settle", "withdraw", "wallet", "insight"}

// runs tells whether the run includes a scenario.
func (o Options) runs(name string) bool {
	return name == "checkout" || o.Scenarios == nil || slices.Contains(o.Scenarios, name)
}

// Result is the JSON object `sharemall bench --json` prints.
type Result struct {
	Engine       string   `json:"engine"`
	Distributors int      `json:"distributors"`
	Checkout     Checkout `json:"checkout"`
	Team         Team     `json:"team"`
	Settle       Settle   `json:"settle"`
	Withdraw     Withdraw `json:"withdraw"`
	Wallet       Wallet   `json:"wallet"`
	Insight      Insight  `json:"insight"`
	PeakRSSMB    float64  `json:"server_peak_rss_mb"`
	GenerateS    float64  `json:"generate_s"`
	// Cost is what one order of the checkout scenario cost (cost.go).
	Cost *Cost `json:"cost"`
	// Servers is how many servers the clients were dealt over (servers.go).
	Servers int `json:"servers"`
	// ServerRequests are the requests each server answered over the whole
	// run (in-process first, then external); absent with one server.
	ServerRequests []int64 `json:"server_requests,omitempty"`
	// CheckoutWaits: what the backends were doing during the checkout's
	// timed section (cost_waits.go); absent unless sampled.
	CheckoutWaits *Waits   `json:"checkout_waits,omitempty"`
	History       *History `json:"history,omitempty"` // with Options.Orders
}

type Checkout struct {
	OrdersPerS   float64 `json:"orders_per_s"`
	P50MS        float64 `json:"p50_ms"`
	P99MS        float64 `json:"p99_ms"`
	RatioToFloor float64 `json:"ratio_to_floor"`
	// RatioToIndexedFloor is against the same floor written into copies that
	// keep the tables' indexes: what the schema's indexes cost shows as the
	// difference between the two.
	RatioToIndexedFloor float64 `json:"ratio_to_indexed_floor"`
	// WarmUpOrders were placed and paid untimed before the timed section
	// (warmUp), through the same server.
	WarmUpOrders int64 `json:"warm_up_orders"`
}

type Team struct {
	P50MS              float64 `json:"p50_ms"`
	P99MS              float64 `json:"p99_ms"`
	SpeedupVsRecursive float64 `json:"speedup_vs_recursive"`
}

type Settle struct {
	PerS                float64 `json:"per_s"`
	RatioToFloor        float64 `json:"ratio_to_floor"`
	RatioToIndexedFloor float64 `json:"ratio_to_indexed_floor"`
}

type Withdraw struct {
	PerS float64 `json:"per_s"`
}

// Size is the program generated for n distributors.
func Size(n int, rngSeed uint64) seed.Size {
	return seed.Size{
		Distributors: n,
		ChainDepth:   min(10_000, max(1, n/4)),
		Suppliers:    min(40, max(3, n/25_000)),
		Products:     min(5_000, max(200, n/20)),
		Customers:    min(20_000, max(100, n/50)),
		Seed:         rngSeed,
	}
}

// run is one bench: the database, the server and what the scenarios share.
type run struct {
	opt    Options
	db     *store.DB
	prog   *seed.Program
	c      *client
	secret string
	logf   func(format string, args ...any)

	meter        *costMeter  // the checkout's cost snapshots
	cost         *Cost       // what checkout measured
	waits        *Waits      // what checkout's backends waited on, sampled
	extra        []*store.DB // the in-process servers' beyond the first
	externalPIDs []int       // the external servers' processes
	rr           *roundRobin // deals requests over several servers; nil with one
	hist         *History    // with Options.Orders
	// histStage, when not nil, is called as the history's stages end:
	// "settled" (the settled templates), "templates", "copies", "folded".
	histStage func(stage string)
}

// Run generates the program into db (freshly migrated and empty), serves it
// on 127.0.0.1 and runs the scenarios in order: checkout, team, settle,
// withdraw, wallet, insight (checkout and those in opt.Scenarios). It moves db.Now forward for settlement and leaves it there.
func Run(ctx context.Context, db *store.DB, opt Options) (*Result, error) {
	opt.Clients = max(1, opt.Clients)
	if opt.Duration <= 0 {
		opt.Duration = 10 * time.Second
	}
	if opt.MaxUnits <= 0 {
		opt.MaxUnits = 1_000_000
	}
	if opt.PaidWithdrawals <= 0 {
		opt.PaidWithdrawals = min(200_000, opt.Distributors)
	}
	r := &run{opt: opt, db: db, logf: func(string, ...any) {}}
	if opt.Progress != nil {
		r.logf = func(format string, args ...any) { fmt.Fprintf(opt.Progress, format+"\n", args...) }
	}
	res := &Result{Engine: string(db.Engine()), Distributors: opt.Distributors}

	start := time.Now()
	var err error
	r.prog, err = seed.Seed(ctx, db, Size(opt.Distributors, opt.Seed), r.progress())
	if err != nil {
		return nil, fmt.Errorf("bench: generate: %w", err)
	}
	res.GenerateS = round(time.Since(start).Seconds(), 2)
	r.logf("generated %d distributors in %.1f s", opt.Distributors, res.GenerateS)

	stop, err := r.serve(ctx)
	if err != nil {
		return nil, err
	}
	defer stop()
	// The history goes through the first server alone: the templates are
	// placed with its store's clock moved back.
	if opt.Orders > 0 {
		if r.hist, err = r.history(ctx); err != nil {
			return nil, fmt.Errorf("bench: history: %w", err)
		}
		res.History = r.hist
	}
	stopMore, err := r.serveMore(ctx)
	if err != nil {
		return nil, err
	}
	defer stopMore()
	res.Servers = max(1, opt.Servers) + opt.ExternalServers
	if r.meter, err = r.newCostMeter(ctx); err != nil {
		return nil, err
	}
	defer r.meter.close()

	if res.Checkout, res.PeakRSSMB, err = r.checkout(ctx); err != nil {
		return nil, fmt.Errorf("bench: checkout: %w", err)
	}
	r.logf("checkout: %+v, peak RSS %.1f MB", res.Checkout, res.PeakRSSMB)
	res.Cost, res.CheckoutWaits = r.cost, r.waits
	if opt.runs("team") {
		if res.Team, err = r.team(ctx); err != nil {
			return nil, fmt.Errorf("bench: team: %w", err)
		}
		r.logf("team: %+v", res.Team)
	}
	if opt.runs("settle") {
		if res.Settle, err = r.settle(ctx); err != nil {
			return nil, fmt.Errorf("bench: settle: %w", err)
		}
		r.logf("settle: %+v", res.Settle)
	}
	if opt.runs("withdraw") {
		if res.Withdraw, err = r.withdraw(ctx); err != nil {
			return nil, fmt.Errorf("bench: withdraw: %w", err)
		}
		r.logf("withdraw: %+v", res.Withdraw)
	}
	if opt.runs("wallet") {
		if res.Wallet, err = r.wallet(ctx); err != nil {
			return nil, fmt.Errorf("bench: wallet: %w", err)
		}
		r.logf("wallet: %+v", res.Wallet)
	}
	if opt.runs("insight") {
		if res.Insight, err = r.insight(ctx); err != nil {
			return nil, fmt.Errorf("bench: insight: %w", err)
		}
		r.logf("insight: %+v", res.Insight)
	}
	if r.rr != nil {
		res.ServerRequests = r.rr.requests()
	}
	return res, nil
}

// progress prints a line per stage and about every tenth of it.
func (r *run) progress() func(stage string, done, total int) {
	last := map[string]int{}
	start := time.Now()
	return func(stage string, done, total int) {
		step := max(1, total/10)
		if done == total || done-last[stage] >= step {
			last[stage] = done
			r.logf("generate %-12s %9d / %d  %5.1f s", stage, done, total, time.Since(start).Seconds())
		}
	}
}

// serve starts the real server on a loopback port with the sandbox
// provider and a secret the bench knows, so it can sign callbacks.
func (r *run) serve(ctx context.Context) (func(), error) {
	b := make([]byte, 32)
	rand.Read(b)
	r.secret = hex.EncodeToString(b)
	cfg := api.DefaultConfig()
	cfg.CookieSecure = false
	cfg.PaymentSandbox = true
	cfg.SandboxSecret = r.secret
	// The bench is every client at once, all from loopback: per-address
	// write limits would measure themselves, not the server.
	cfg.WriteLimit, cfg.SignUpLimit = 0, 0
	srv := &http.Server{Handler: api.New(r.db, slog.New(slog.DiscardHandler), cfg).Handler(), ReadHeaderTimeout: 10 * time.Second}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	go srv.Serve(ln)
	tr := &http.Transport{MaxIdleConns: 4 * r.opt.Clients, MaxIdleConnsPerHost: 4 * r.opt.Clients, IdleConnTimeout: time.Minute}
	r.c = &client{http: &http.Client{Transport: tr, Timeout: time.Minute}, base: "http://" + ln.Addr().String()}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		tr.CloseIdleConnections()
	}, nil
}

// diff is after minus before, per table, keeping only tables that grew.
func diff(before, after map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for t, n := range after {
		if d := n - before[t]; d > 0 {
			out[t] = d
		}
	}
	return out
}
