package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sharemall/internal/bench/seed"
	"sharemall/internal/store"
)

// Cost is what one order of the checkout scenario cost, measured from
// snapshots taken just before and just after its timed section (never
// inside it) and divided by the orders placed, paid and confirmed there. A
// figure the engine cannot give, or that could not be measured, is null:
// never a guess. docs/benchmarks.md ("Cost per order") says what each counts.
type Cost struct {
	Orders int64 `json:"orders"` // orders the timed section completed: the divisor
	// OrdersStarted: orders the timed section placed (the orders table's
	// growth); above Orders by those the deadline cut short, at most one per
	// client, whose work counts in the figures too.
	OrdersStarted int64 `json:"orders_started"`
	// StatementsPerOrder: calls in pg_stat_statements by the server's role
	// in the bench's database (BEGIN and COMMIT included). PostgreSQL only.
	StatementsPerOrder *float64 `json:"statements_per_order"`
	// WALBytesPerOrder: pg_current_wal_lsn() moved, the whole cluster's WAL
	// (so anyone else writing on the same server counts too). PostgreSQL only.
	WALBytesPerOrder *float64 `json:"wal_bytes_per_order"`
	// StatementWALBytesPerOrder: the WAL pg_stat_statements attributes to
	// the role's statements (without commit records). PostgreSQL only.
	StatementWALBytesPerOrder *float64 `json:"statement_wal_bytes_per_order"`
	// RowsPerOrder: n_tup_ins + n_tup_upd + n_tup_del of the bench's schema
	// (pg_stat_user_tables, floor copies left out). PostgreSQL only.
	RowsPerOrder *float64 `json:"rows_per_order"`
	// RowsInsertedPerOrder: rows the tables gained (COUNT(*) of every
	// table, floor copies left out), both engines.
	RowsInsertedPerOrder float64 `json:"rows_inserted_per_order"`
	// FloorRowsPerOrder: the rows the floor replays per order (one 2-line
	// order recorded before the timed section).
	FloorRowsPerOrder int `json:"floor_rows_per_order"`
	// DiskWriteBytesPerOrder: bytes sent to storage (/proc/<pid>/io
	// write_bytes): on SQLite this process's (WAL appends and checkpoints),
	// on PostgreSQL the role's backends' (WAL flushed at commit, pages
	// evicted); null when /proc cannot tell.
	DiskWriteBytesPerOrder *float64 `json:"disk_write_bytes_per_order"`
	// ServerCPUMsPerOrder: this process's user+system CPU: every in-process
	// server and the HTTP clients with them (they share the process), and on
	// SQLite the database too.
	ServerCPUMsPerOrder float64 `json:"server_cpu_ms_per_order"`
	// DBCPUMsPerOrder: user+system CPU of the PostgreSQL backends serving
	// the role (/proc/<pid>/stat), when PostgreSQL runs on this machine;
	// null otherwise and on SQLite (its CPU is in the process's).
	DBCPUMsPerOrder *float64 `json:"db_cpu_ms_per_order"`
	// DBInstanceCPUMsPerOrder: CPU of the whole PostgreSQL instance (every
	// process of its postmaster, ended ones included: WAL writer,
	// checkpointer, anyone else's backends), when on this machine.
	DBInstanceCPUMsPerOrder *float64 `json:"db_instance_cpu_ms_per_order"`
	// ExternalServerCPUMsPerOrder: CPU of the `sharemall serve` processes
	// the bench started (--external-servers), null when there are none.
	ExternalServerCPUMsPerOrder *float64 `json:"external_server_cpu_ms_per_order"`
}

// costSnap is one snapshot of everything Cost is the difference of.
type costSnap struct {
	cpu      time.Duration    // this process, user+system
	ioWrite  int64            // this process's write_bytes; -1: unknown
	counts   map[string]int64 // rows per table
	external time.Duration    // CPU of the external servers
	pg       *pgSnap          // nil on SQLite
	// After the timed section: what the role's backends used during it.
	backendCPU    time.Duration
	backendWrites int64 // -1: unknown
	backendsOK    bool  // PostgreSQL is on this machine
}

// costMeter takes the snapshots; pg is nil on SQLite.
type costMeter struct {
	db       *store.DB
	pg       *pgMeter
	external func() time.Duration // CPU of external servers; nil: none
	backends *backendTracker      // from the first snapshot to the second
	logf     func(format string, args ...any)
}

// snap takes a snapshot. The row counts are statements of the server's
// own role, so they are taken before the counters in the snapshot before
// the timed section (first) and after them in the one after it.
func (m *costMeter) snap(ctx context.Context, first bool) (*costSnap, error) {
	s := &costSnap{}
	var err error
	if first {
		if s.counts, err = seed.TableCounts(ctx, m.db); err != nil {
			return nil, err
		}
	}
	s.cpu, s.ioWrite = processCPU(), procIOWrite("self")
	if m.external != nil {
		s.external = m.external()
	}
	if m.pg != nil {
		if s.pg, err = m.pg.snap(ctx, first); err != nil {
			return nil, err
		}
		if first {
			if m.backends, err = m.pg.trackBackends(ctx); err != nil {
				return nil, err
			}
		} else if m.backends != nil {
			if s.backendCPU, s.backendWrites, s.backendsOK, err = m.backends.finish(ctx); err != nil {
				return nil, err
			}
			m.backends = nil
		}
	}
	if !first {
		if s.counts, err = seed.TableCounts(ctx, m.db); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// close stops following the backends (when the timed section failed
// between the snapshots) and closes the snapshot connection.
func (m *costMeter) close() {
	if m.backends != nil {
		close(m.backends.stop)
		<-m.backends.done
		m.backends = nil
	}
	if m.pg != nil {
		m.pg.close()
	}
}

// cost turns two snapshots into per-order figures. On PostgreSQL it waits
// (at most about 15 s) for the table statistics to catch up with the rows
// counted: backends publish them up to 10 s after their last transaction.
func (m *costMeter) cost(ctx context.Context, before, after *costSnap, orders int64, floorRows int) (*Cost, error) {
	c := &Cost{Orders: orders, FloorRowsPerOrder: floorRows}
	if orders <= 0 {
		return c, fmt.Errorf("bench: cost: no orders")
	}
	per := func(v float64) float64 { return round(v/float64(orders), 3) }
	ptr := func(v float64) *float64 { return &v }
	var inserted int64
	for t, n := range after.counts {
		if !strings.HasPrefix(t, "bench_floor") {
			inserted += n - before.counts[t]
		}
	}
	c.RowsInsertedPerOrder = per(float64(inserted))
	c.OrdersStarted = after.counts["orders"] - before.counts["orders"]
	c.ServerCPUMsPerOrder = per(float64((after.cpu - before.cpu).Microseconds()) / 1000)
	if m.external != nil {
		c.ExternalServerCPUMsPerOrder = ptr(per(float64((after.external - before.external).Microseconds()) / 1000))
	}
	if m.db.Engine() == store.Postgres && m.pg == nil {
		return c, nil // no snapshot connection: nothing more is known
	}
	if m.pg == nil {
		if before.ioWrite >= 0 && after.ioWrite >= 0 {
			c.DiskWriteBytesPerOrder = ptr(per(float64(after.ioWrite - before.ioWrite)))
		}
		return c, nil
	}
	b, a := before.pg, after.pg
	if b.statements != nil && a.statements != nil {
		if calls, wal, ok, why := statementsBetween(b, a); ok {
			c.StatementsPerOrder = ptr(per(float64(calls)))
			c.StatementWALBytesPerOrder = ptr(per(float64(wal)))
		} else {
			m.logf("checkout cost: statements not counted: %s", why)
		}
	}
	c.WALBytesPerOrder = ptr(per(float64(a.lsn - b.lsn)))
	if after.backendsOK {
		c.DBCPUMsPerOrder = ptr(per(float64(after.backendCPU.Microseconds()) / 1000))
		if after.backendWrites >= 0 {
			c.DiskWriteBytesPerOrder = ptr(per(float64(after.backendWrites)))
		}
	}
	if a.instanceCPU >= 0 && b.instanceCPU >= 0 {
		c.DBInstanceCPUMsPerOrder = ptr(per(float64((a.instanceCPU - b.instanceCPU).Microseconds()) / 1000))
	}
	tup, err := m.pg.awaitTuples(ctx, b.tup, inserted)
	if err != nil {
		return c, err
	}
	if tup >= 0 {
		c.RowsPerOrder = ptr(per(float64(tup)))
	}
	return c, nil
}

// processCPU is this process's user+system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on
// every Linux the bench runs on.
const clockTicks = 100

// procFields reads /proc/<pid>/stat: the command name and the fields
// after it (state is 0, ppid 1, utime 11, stime 12, cutime 13, cstime 14).
func procFields(pid int) (comm string, f []string, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", nil, false
	}
	s := string(b)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open {
		return "", nil, false
	}
	f = strings.Fields(s[close+1:])
	if len(f) < 15 {
		return "", nil, false
	}
	return s[open+1 : close], f, true
}

// ticks is a /proc time field as a duration.
func ticks(field string) time.Duration {
	v, _ := strconv.ParseInt(field, 10, 64)
	return time.Duration(v) * time.Second / clockTicks
}

// procCPU is utime+stime of process pid and its command name; ok is false
// when there is no such process (or no /proc).
func procCPU(pid int) (cpu time.Duration, comm string, ok bool) {
	comm, f, ok := procFields(pid)
	if !ok {
		return 0, "", false
	}
	return ticks(f[11]) + ticks(f[12]), comm, true
}

// procIOWrite is write_bytes of /proc/<pid>/io (pid may be "self"), -1
// when it cannot be read.
func procIOWrite(pid string) int64 {
	f, err := os.Open("/proc/" + pid + "/io")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "write_bytes:"); ok {
			v, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
			if err != nil {
				return -1
			}
			return v
		}
	}
	return -1
}

// newCostMeter prepares the snapshots: on PostgreSQL with a connection of
// its own on opt.CostURL (none without it).
func (r *run) newCostMeter(ctx context.Context) (*costMeter, error) {
	m := &costMeter{db: r.db, logf: r.logf}
	if len(r.externalPIDs) > 0 {
		m.external = r.externalCPU
	}
	if r.db.Engine() == store.Postgres && r.opt.CostURL != "" {
		var err error
		if m.pg, err = newPGMeter(ctx, r.db, r.opt.CostURL); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// logCost prints the cost figures and, on PostgreSQL, the statements
// called most per order.
func (r *run) logCost(before, after *costSnap, orders int64) {
	b, _ := json.Marshal(r.cost)
	r.logf("checkout cost: %s", b)
	if cut := r.cost.OrdersStarted - r.cost.Orders; cut*10 > r.cost.Orders {
		r.logf("checkout cost: %d orders cut short by the deadline beside %d completed: the figures per order are too high; run longer (--duration)",
			cut, r.cost.Orders)
	}
	var grew []string
	for t, n := range diff(before.counts, after.counts) {
		if !strings.HasPrefix(t, "bench_floor") {
			grew = append(grew, fmt.Sprintf("%s %.2f", t, float64(n)/float64(orders)))
		}
	}
	sort.Strings(grew)
	r.logf("checkout rows per order by table: %s", strings.Join(grew, ", "))
	if before.pg != nil && after.pg != nil {
		for _, l := range topStatements(before.pg, after.pg, orders, 25) {
			r.logf("checkout statements per order: %s", l)
		}
	}
}
