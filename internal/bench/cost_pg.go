package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver for the snapshot connection

	"sharemall/internal/sqldb"
	"sharemall/internal/store"
)

// costTag starts every statement the meter sends, so that when the meter
// and the server share a role the meter's own statements can be left out.
const costTag = "/* sharemall bench cost */ "

// pgMeter snapshots PostgreSQL's counters on a connection of its own
// (admin), outside the server's pools, for the role and database the
// bench's store.DB uses.
type pgMeter struct {
	admin          *sql.DB
	role, schema   string
	roleOID, dbOID int64
	sameDatabase   bool // admin is in the bench's database: pg_stat_user_tables shows its tables
	ownRole        bool // the server's role is not admin's: its statements are the bench's alone
	statements     bool // pg_stat_statements can be read
}

// pgSnap is one snapshot of PostgreSQL's counters.
type pgSnap struct {
	statements  map[stmtKey]stmtUse // pg_stat_statements: the role's entries; nil: not available
	dealloc     int64               // pg_stat_statements_info.dealloc: entries evicted so far
	lsn         int64               // pg_current_wal_lsn() in bytes
	tup         tuples
	instanceCPU time.Duration // every PostgreSQL process's, ended ones included; -1: not on this machine
}

type tuples struct{ ins, upd, del int64 }

// newPGMeter opens the snapshot connection on adminURL (a URL of the same
// PostgreSQL server; best in the same database) and learns which role,
// schema and database db's connections use.
func newPGMeter(ctx context.Context, db *store.DB, adminURL string) (*pgMeter, error) {
	m := &pgMeter{}
	var dbname string
	err := db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Get(ctx, "session", `SELECT current_user::text, current_schema()::text, current_database()::text`, nil, &m.role, &m.schema, &dbname)
	})
	if err != nil {
		return nil, fmt.Errorf("bench: cost: %w", err)
	}
	if m.admin, err = sql.Open("pgx", adminURL); err != nil {
		return nil, fmt.Errorf("bench: cost: %w", err)
	}
	m.admin.SetMaxOpenConns(1)
	var adminDB, adminRole string
	err = m.admin.QueryRowContext(ctx, costTag+`SELECT (SELECT oid::bigint FROM pg_roles WHERE rolname = $1),
		(SELECT oid::bigint FROM pg_database WHERE datname = $2), current_database()::text, current_user::text`,
		m.role, dbname).Scan(&m.roleOID, &m.dbOID, &adminDB, &adminRole)
	if err != nil {
		m.admin.Close()
		return nil, fmt.Errorf("bench: cost: %w", err)
	}
	m.sameDatabase, m.ownRole = adminDB == dbname, adminRole != m.role
	// Available when the extension exists in admin's database and the
	// library is loaded (otherwise reading the view fails).
	var n int64
	m.statements = m.admin.QueryRowContext(ctx, costTag+`SELECT count(*) FROM pg_stat_statements WHERE dbid = $1`, m.dbOID).Scan(&n) == nil
	return m, nil
}

func (m *pgMeter) close() { m.admin.Close() }

// snap reads the counters. first: before the timed section, when it
// forgets the role's statements so far (generation's, run once each, which
// pg_stat_statements would evict first when full), if the role is the
// bench's alone.
func (m *pgMeter) snap(ctx context.Context, first bool) (*pgSnap, error) {
	s := &pgSnap{}
	var err error
	if m.statements && first && m.ownRole {
		if _, err := m.admin.ExecContext(ctx, costTag+`SELECT pg_stat_statements_reset($1::oid, $2::oid, 0)`, m.roleOID, m.dbOID); err != nil {
			return nil, fmt.Errorf("bench: cost: pg_stat_statements_reset: %w", err)
		}
	}
	if m.statements {
		if s.statements, s.dealloc, err = m.readStatements(ctx); err != nil {
			return nil, err
		}
	}
	if err := m.admin.QueryRowContext(ctx, costTag+`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint`).Scan(&s.lsn); err != nil {
		return nil, fmt.Errorf("bench: cost: WAL position: %w", err)
	}
	if s.tup, err = m.tuples(ctx); err != nil {
		return nil, err
	}
	s.instanceCPU = -1
	if pids, err := m.backends(ctx); err != nil {
		return nil, err
	} else if len(pids) > 0 {
		if cpu, ok := instanceCPU(pids[0]); ok {
			s.instanceCPU = cpu
		}
	}
	return s, nil
}

// stmtKey names an entry of pg_stat_statements (the role and database
// are the meter's).
type stmtKey struct {
	queryID  int64
	toplevel bool
}

type stmtUse struct {
	calls, wal int64
	text       string // the first 100 characters, spaces collapsed
}

// readStatements reads the role's entries in the bench's database, and
// how many entries pg_stat_statements has evicted so far (-1: unknown).
func (m *pgMeter) readStatements(ctx context.Context) (map[stmtKey]stmtUse, int64, error) {
	rows, err := m.admin.QueryContext(ctx, costTag+`SELECT queryid, toplevel, calls, wal_bytes::bigint,
		left(regexp_replace(query, '\s+', ' ', 'g'), 100) FROM pg_stat_statements
		WHERE userid = $1 AND dbid = $2 AND query NOT LIKE $3`, m.roleOID, m.dbOID, costTag+"%")
	if err != nil {
		return nil, 0, fmt.Errorf("bench: cost: pg_stat_statements: %w", err)
	}
	defer rows.Close()
	out := map[stmtKey]stmtUse{}
	for rows.Next() {
		var k stmtKey
		var u stmtUse
		if err := rows.Scan(&k.queryID, &k.toplevel, &u.calls, &u.wal, &u.text); err != nil {
			return nil, 0, err
		}
		out[k] = u
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var dealloc int64 = -1
	if err := m.admin.QueryRowContext(ctx, costTag+`SELECT dealloc FROM pg_stat_statements_info`).Scan(&dealloc); err != nil {
		dealloc = -1 // before version 1.9 of the extension
	}
	return out, dealloc, nil
}

// statementsBetween sums the calls and WAL bytes of the role's statements
// between b and a, entry by entry. ok is false when that sum would be
// short: pg_stat_statements is full (pg_stat_statements.max) and evicted
// one of the role's entries in between (it went missing, or counts less).
// Entries that are new in a count whole (they were made in between). Not
// seen: an entry made and evicted in between and not made again, which the
// least-used-first eviction makes unlikely for statements every order runs.
func statementsBetween(b, a *pgSnap) (calls, wal int64, ok bool, why string) {
	for k, u := range b.statements {
		v, there := a.statements[k]
		switch {
		case !there:
			return 0, 0, false, fmt.Sprintf("pg_stat_statements evicted %q (%d entries evicted in all)", u.text, a.dealloc-b.dealloc)
		case v.calls < u.calls:
			return 0, 0, false, fmt.Sprintf("pg_stat_statements evicted and remade %q", u.text)
		}
	}
	for k, v := range a.statements {
		u := b.statements[k]
		calls += v.calls - u.calls
		wal += v.wal - u.wal
	}
	return calls, wal, true, ""
}

// topStatements are the n statements called most between b and a, with
// their calls per order.
func topStatements(b, a *pgSnap, orders int64, n int) []string {
	byText := map[string]int64{}
	for k, v := range a.statements {
		if d := v.calls - b.statements[k].calls; d > 0 {
			byText[v.text] += d
		}
	}
	type qc struct {
		q string
		c int64
	}
	var all []qc
	for q, c := range byText {
		all = append(all, qc{q, c})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].c > all[j].c || all[i].c == all[j].c && all[i].q < all[j].q })
	var out []string
	for _, x := range all[:min(n, len(all))] {
		out = append(out, fmt.Sprintf("%6.2f  %s", float64(x.c)/float64(orders), x.q))
	}
	return out
}

// backends lists the pids of the role's backends in the bench's database.
func (m *pgMeter) backends(ctx context.Context) ([]int, error) {
	rows, err := m.admin.QueryContext(ctx, costTag+`SELECT pid FROM pg_stat_activity WHERE usesysid = $1 AND datid = $2`, m.roleOID, m.dbOID)
	if err != nil {
		return nil, fmt.Errorf("bench: cost: backends: %w", err)
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		pids = append(pids, pid)
	}
	return pids, rows.Err()
}

// tuples sums the bench schema's row statistics, floor copies left out;
// zero when admin is in another database (awaitTuples then gives up).
func (m *pgMeter) tuples(ctx context.Context) (tuples, error) {
	var t tuples
	if !m.sameDatabase {
		return t, nil
	}
	err := m.admin.QueryRowContext(ctx, costTag+`SELECT coalesce(sum(n_tup_ins), 0)::bigint, coalesce(sum(n_tup_upd), 0)::bigint,
		coalesce(sum(n_tup_del), 0)::bigint FROM pg_stat_user_tables WHERE schemaname = $1 AND relname NOT LIKE 'bench_floor%'`,
		m.schema).Scan(&t.ins, &t.upd, &t.del)
	if err != nil {
		return t, fmt.Errorf("bench: cost: pg_stat_user_tables: %w", err)
	}
	return t, nil
}

// awaitTuples waits until the schema's statistics show at least the
// inserted rows counted since before (backends publish their counts up to
// 10 s late), then reads once more after a second, and returns inserts +
// updates + deletes since before; -1 when they never caught up.
func (m *pgMeter) awaitTuples(ctx context.Context, before tuples, inserted int64) (int64, error) {
	if !m.sameDatabase {
		return -1, nil
	}
	deadline := time.Now().Add(15 * time.Second)
	for caught := false; ; {
		t, err := m.tuples(ctx)
		if err != nil {
			return -1, err
		}
		if caught {
			return t.ins + t.upd + t.del - before.ins - before.upd - before.del, nil
		}
		wait := 500 * time.Millisecond
		if t.ins-t.del-before.ins+before.del >= inserted {
			caught, wait = true, 1100*time.Millisecond
		} else if time.Now().After(deadline) {
			return -1, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// backendTracker follows the CPU and write_bytes of the role's backends
// through /proc from one snapshot to the next: a backend can end in
// between (the pool closes a connection whose request was cancelled, as at
// the end of the timed section), taking its counters with it, so it reads
// them every 100 ms (and the list of backends every second) on a goroutine
// of its own, off the clients' path, and keeps the last values seen.
type backendTracker struct {
	m      *pgMeter
	mu     sync.Mutex
	first  map[int]backendUse // at the start (zero for backends that started later)
	last   map[int]backendUse
	remote bool // a backend was not found in /proc: PostgreSQL is elsewhere
	stop   chan struct{}
	done   chan struct{}
}

type backendUse struct {
	cpu    time.Duration
	writes int64 // -1: unknown
}

func readBackend(pid int) (backendUse, bool) {
	cpu, comm, ok := procCPU(pid)
	if !ok || comm != "postgres" {
		return backendUse{}, false
	}
	return backendUse{cpu: cpu, writes: procIOWrite(strconv.Itoa(pid))}, true
}

// trackBackends starts following the role's backends.
func (m *pgMeter) trackBackends(ctx context.Context) (*backendTracker, error) {
	t := &backendTracker{m: m, first: map[int]backendUse{}, last: map[int]backendUse{}, stop: make(chan struct{}), done: make(chan struct{})}
	pids, err := m.backends(ctx)
	if err != nil {
		return nil, err
	}
	for _, pid := range pids {
		if u, ok := readBackend(pid); ok {
			t.first[pid], t.last[pid] = u, u
		} else {
			t.remote = true
		}
	}
	go func() {
		defer close(t.done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for k := 1; ; k++ {
			select {
			case <-t.stop:
				return
			case <-tick.C:
			}
			if k%10 == 0 {
				if pids, err = m.backends(ctx); err != nil {
					return
				}
			}
			t.read(pids)
		}
	}()
	return t, nil
}

// read records the current counters of pids (new ones from zero).
func (t *backendTracker) read(pids []int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, pid := range pids {
		if u, ok := readBackend(pid); ok {
			t.last[pid] = u
		}
	}
}

// finish stops following and returns the CPU and the bytes written since
// the start (writes -1 when unknown); ok is false when PostgreSQL is not
// on this machine.
func (t *backendTracker) finish(ctx context.Context) (cpu time.Duration, writes int64, ok bool, err error) {
	close(t.stop)
	<-t.done
	pids, err := t.m.backends(ctx)
	if err != nil {
		return 0, -1, false, err
	}
	t.read(pids)
	if t.remote || len(t.last) == 0 {
		return 0, -1, false, nil
	}
	for pid, u := range t.last {
		f := t.first[pid]
		cpu += u.cpu - f.cpu
		if u.writes < 0 || writes < 0 {
			writes = -1
		} else {
			writes += u.writes - f.writes
		}
	}
	return cpu, writes, true, nil
}

// instanceCPU is the CPU of the whole PostgreSQL instance a backend
// belongs to: the postmaster's own, its ended children's (added to it as
// they are reaped), and its live children's (checkpointer, WAL writer,
// background writer, every backend, anyone's).
func instanceCPU(backend int) (time.Duration, bool) {
	_, f, ok := procFields(backend)
	if !ok {
		return 0, false
	}
	post, _ := strconv.Atoi(f[1])
	comm, pf, ok := procFields(post)
	if !ok || comm != "postgres" {
		return 0, false
	}
	total := ticks(pf[11]) + ticks(pf[12]) + ticks(pf[13]) + ticks(pf[14])
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	parent := strconv.Itoa(post)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, cf, ok := procFields(pid); ok && cf[1] == parent {
			total += ticks(cf[11]) + ticks(cf[12])
		}
	}
	return total, true
}

// PostgresRole creates a login role named role on the PostgreSQL server of
// adminURL, gives it schema (which it then owns, with everything it
// creates there), and returns schemaURL with role as its user, so that
// pg_stat_statements and pg_stat_activity tell the bench's server apart
// from anyone else using the same server. Drop it with DropPostgresRole.
func PostgresRole(ctx context.Context, adminURL, schemaURL, schema, role string) (string, error) {
	conn, err := sql.Open("pgx", adminURL)
	if err != nil {
		return "", fmt.Errorf("bench: role: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE ROLE `+role+` LOGIN`); err != nil {
		return "", fmt.Errorf("bench: role %s: %w", role, err)
	}
	if _, err := conn.ExecContext(ctx, `ALTER SCHEMA `+schema+` OWNER TO `+role); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), `DROP ROLE `+role)
		return "", fmt.Errorf("bench: role %s: %w", role, err)
	}
	u, err := url.Parse(schemaURL)
	if err != nil {
		return "", fmt.Errorf("bench: role: %w", err)
	}
	u.User = url.User(role)
	return u.String(), nil
}

// DropPostgresRole drops a role PostgresRole made, once its schema is gone
// and its connections are closed.
func DropPostgresRole(ctx context.Context, adminURL, role string) error {
	conn, err := sql.Open("pgx", adminURL)
	if err != nil {
		return fmt.Errorf("bench: drop role: %w", err)
	}
	defer conn.Close()
	_, err1 := conn.ExecContext(ctx, `DROP OWNED BY `+role)
	_, err2 := conn.ExecContext(ctx, `DROP ROLE `+role)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("bench: drop role %s: %w", role, err)
	}
	return nil
}
