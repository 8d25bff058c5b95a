package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sharemall/internal/bench"
	"sharemall/internal/bench/seed"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// checkoutOnly is a tiny run of the checkout scenario alone.
func checkoutOnly(t *testing.T) bench.Options {
	return bench.Options{Distributors: 1000, Clients: 3, Duration: time.Second, MaxUnits: 60, Seed: 1,
		Progress: testWriter{t}, Scenarios: []string{"checkout"}}
}

// checkCommon checks what both engines report: the orders are the ones
// the tables hold (one recorded before the timed section), the rows they
// gained per order are those of an order (the floor's recorded 2-line order,
// within the spread of 1 to 3 lines; counting the floors' copies would
// triple it) and the process used CPU.
func checkCommon(t *testing.T, ctx context.Context, db *store.DB, res *bench.Result) *bench.Cost {
	t.Helper()
	c := res.Cost
	if c == nil {
		t.Fatal("no cost figures")
	}
	b, _ := json.Marshal(c)
	t.Logf("cost: %s", b)
	counts, err := seed.TableCounts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// The deadline may cut an order short between placing and paying it,
	// and a placement in flight at the second snapshot (one per client, 3)
	// commits after it, outside the section. The warm-up before the
	// section placed its own, and may have cut up to 3 short too.
	warm := res.Checkout.WarmUpOrders
	held := counts["orders"] - 1 - warm // the one placed before the warm-up
	if c.Orders <= 0 || c.OrdersStarted < c.Orders || c.OrdersStarted > c.Orders+3 ||
		held < c.OrdersStarted || held > c.OrdersStarted+6 {
		t.Errorf("cost counts %d orders completed, %d started; the table holds %d (one placed before the warm-up, %d in it, up to 3 cut short at its end and up to 3 after the section)",
			c.Orders, c.OrdersStarted, counts["orders"], warm)
	}
	if f := float64(c.FloorRowsPerOrder); f < 10 || c.RowsInsertedPerOrder < 0.6*f || c.RowsInsertedPerOrder > 1.4*f {
		t.Errorf("rows inserted per order %v, the floor's recorded order %d", c.RowsInsertedPerOrder, c.FloorRowsPerOrder)
	}
	if c.ServerCPUMsPerOrder <= 0 || c.ServerCPUMsPerOrder > 1000 {
		t.Errorf("server CPU per order %v ms", c.ServerCPUMsPerOrder)
	}
	return c
}

func TestCostSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the checkout scenario")
	}
	ctx := context.Background()
	db := testutil.OpenSQLite(t)
	res, err := bench.Run(ctx, db, checkoutOnly(t))
	if err != nil {
		t.Fatal(err)
	}
	c := checkCommon(t, ctx, db, res)
	// SQLite has no statement statistics, no LSN and no server processes:
	// null, never a guess.
	for name, v := range map[string]*float64{"statements": c.StatementsPerOrder, "wal": c.WALBytesPerOrder,
		"statement wal": c.StatementWALBytesPerOrder, "rows": c.RowsPerOrder, "db cpu": c.DBCPUMsPerOrder,
		"instance cpu": c.DBInstanceCPUMsPerOrder, "external cpu": c.ExternalServerCPUMsPerOrder} {
		if v != nil {
			t.Errorf("%s per order = %v on SQLite, want null", name, *v)
		}
	}
	// Every commit is fsynced: at least a page of WAL per order reaches the disk.
	if _, err := os.Stat("/proc/self/io"); err == nil && (c.DiskWriteBytesPerOrder == nil || *c.DiskWriteBytesPerOrder < 4096) {
		t.Errorf("disk writes per order %v, want ≥ a page", c.DiskWriteBytesPerOrder)
	}
}

// pgBench makes a schema and a role of its own on the test server, as
// `sharemall bench --db` does, and opens the store on them.
func pgBench(t *testing.T) (base, url string, db *store.DB) {
	base = os.Getenv(testutil.PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set", testutil.PostgresEnv)
	}
	ctx := context.Background()
	name := fmt.Sprintf("bench_t%d_%d", time.Now().UnixNano(), os.Getpid())
	url, err := seed.Schema(ctx, base, name)
	if err != nil {
		t.Fatal(err)
	}
	if url, err = bench.PostgresRole(ctx, base, url, name, name); err != nil {
		seed.DropSchema(ctx, base, name)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := bench.DropPostgresRole(context.Background(), base, name); err != nil {
			t.Error(err)
		}
	})
	if db, err = store.Open(ctx, url, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() }) // before the role's drop
	if _, err := db.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	return base, url, db
}

func TestCostPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the checkout scenario")
	}
	base, _, db := pgBench(t)
	ctx := context.Background()
	opt := checkoutOnly(t)
	opt.CostURL = base
	res, err := bench.Run(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	c := checkCommon(t, ctx, db, res)
	val := func(name string, v *float64) float64 {
		if v == nil {
			t.Errorf("%s per order is null on PostgreSQL", name)
			return 0
		}
		return *v
	}
	// Three transactions at least (place, open the payment, apply it), each
	// a BEGIN, a COMMIT and an insert or more.
	if s := val("statements", c.StatementsPerOrder); s < 9 || s > 1000 {
		t.Errorf("statements per order %v", s)
	}
	// An order's rows are at least a few hundred bytes of WAL.
	if w := val("statement WAL bytes", c.StatementWALBytesPerOrder); w < 500 {
		t.Errorf("statement WAL bytes per order %v", w)
	}
	if w := val("WAL bytes", c.WALBytesPerOrder); w < 500 {
		t.Errorf("WAL bytes per order %v", w)
	}
	// Inserts, updates and deletes: at least the rows inserted (the
	// statistics caught up), and updates besides (stock, statuses).
	if r := val("rows", c.RowsPerOrder); r <= c.RowsInsertedPerOrder {
		t.Errorf("rows per order %v, not above the %v inserted", r, c.RowsInsertedPerOrder)
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil && c.DBCPUMsPerOrder != nil && *c.DBCPUMsPerOrder <= 0 {
		t.Errorf("backends' CPU per order %v ms", *c.DBCPUMsPerOrder)
	}
	if c.ExternalServerCPUMsPerOrder != nil {
		t.Errorf("external CPU %v without external servers", *c.ExternalServerCPUMsPerOrder)
	}
}

// Two servers in the process, each with its own pools on the same
// database: both answer requests, evenly, and the money stays consistent.
func TestServersPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the checkout scenario")
	}
	base, url, db := pgBench(t)
	ctx := context.Background()
	opt := checkoutOnly(t)
	opt.Scenarios = []string{"checkout", "settle", "withdraw"}
	opt.CostURL, opt.Servers, opt.WaitEvents = base, 2, 20*time.Millisecond
	opt.Open = func(ctx context.Context) (*store.DB, error) { return store.Open(ctx, url, "") }
	res, err := bench.Run(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	_ = checkCommon(t, ctx, db, res)
	if res.Servers != 2 || len(res.ServerRequests) != 2 {
		t.Fatalf("servers %d, requests %v", res.Servers, res.ServerRequests)
	}
	a, b := res.ServerRequests[0], res.ServerRequests[1]
	// Three requests an order, dealt in turn: each server at least one an order.
	if a < res.Cost.Orders || b < res.Cost.Orders || a > 2*b || b > 2*a {
		t.Errorf("requests by server %v: not dealt over both", res.ServerRequests)
	}
	// The sampler saw the backends, and its shares add up.
	if w := res.CheckoutWaits; w == nil || w.Samples < 10 || w.InTxAverage <= 0 {
		t.Errorf("waits %+v", w)
	} else {
		var sum float64
		for _, v := range w.Shares {
			sum += v
		}
		if sum < 0.98 || sum > 1.02 {
			t.Errorf("wait shares add up to %v: %v", sum, w.Shares)
		}
	}
	if res.Settle.PerS <= 0 || res.Withdraw.PerS <= 0 {
		t.Errorf("settle %v, withdraw %v", res.Settle, res.Withdraw)
	}
	if bad, err := db.CheckLedger(ctx); err != nil || len(bad) > 0 {
		t.Errorf("CheckLedger: %v %v", err, bad[:min(5, len(bad))])
	}
}

// A `sharemall serve` process beside the in-process server, on the same
// schema: both answer, and its CPU is reported apart.
func TestExternalServerPostgres(t *testing.T) {
	if raceDetector {
		// Bulk generation and a server in another process: nothing the race
		// detector can watch, and the slowest tests under it. .ci/run runs
		// this test without -race, beside the plain packages.
		t.Skip("run without -race (.ci/run)")
	}
	if testing.Short() {
		t.Skip("builds sharemall and runs the checkout scenario")
	}
	base, url, db := pgBench(t)
	exe := filepath.Join(t.TempDir(), "sharemall")
	if out, err := exec.Command("go", "build", "-o", exe, "sharemall/cmd/sharemall").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx := context.Background()
	opt := checkoutOnly(t)
	opt.CostURL, opt.ExternalServers, opt.Executable, opt.ServeURL = base, 1, exe, url
	opt.Duration = 2 * time.Second
	res, err := bench.Run(ctx, db, opt)
	if err != nil {
		t.Fatal(err)
	}
	c := checkCommon(t, ctx, db, res)
	if res.Servers != 2 || len(res.ServerRequests) != 2 || res.ServerRequests[1] < c.Orders {
		t.Errorf("servers %d, requests %v", res.Servers, res.ServerRequests)
	}
	if c.ExternalServerCPUMsPerOrder == nil || *c.ExternalServerCPUMsPerOrder <= 0 {
		t.Errorf("external server CPU per order %v", c.ExternalServerCPUMsPerOrder)
	}
}
