// Package sqldb is the database engine the store and the books build on:
// connection pools for SQLite (embedded default, modernc.org/sqlite) and
// PostgreSQL (pgx), transactions with their isolation level, SQLite's group
// commit, the statement cache, and driver errors mapped to domain codes.
// Queries are written once with ? placeholders in SQL both engines accept.
// It knows no table: what a transaction must do before it commits, its
// owner registers (Tx.BeforeCommit).
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"           // registers "sqlite"

	"sharemall/internal/errs"
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open database. It keeps no state of its own beyond connection
// pools, so several servers can share one PostgreSQL.
type DB struct {
	engine Engine
	write  *sql.DB // SQLite: one connection, so writers queue here instead of failing busy
	read   *sql.DB // SQLite: several read-only connections; PostgreSQL: the same pool as write

	// SQLite: prepared statements of each pool, so a statement is parsed once
	// per connection rather than once per use. nil on PostgreSQL, whose pgx
	// driver keeps its own per-connection statement cache.
	writeStmts, readStmts *stmtCache
	batch                 *batcher      // SQLite: group commit of write transactions
	ckpt                  *checkpointer // SQLite: checkpoints beside the writer (checkpoint.go)

	// PostgreSQL: a small pool for statements that commit at once, outside
	// the transaction that runs them (see Tx.ExecAside).
	aside *sql.DB

	// PostgreSQL: the connection pool. Transactions run on it natively
	// (pg.go); write and read are database/sql over the same pool, for
	// migrations and single statements.
	pool  *pgxpool.Pool
	trips atomic.Int64 // see RoundTrips

	// Now is the clock every transaction reads once at its start. Tests replace it.
	Now func() time.Time

	points points // functions tests hold transactions with (points.go)
}

// Open opens the database named by dbURL, or SQLite in dataDir when dbURL is
// empty. It does not migrate; see Migrate and CheckSchema.
func Open(ctx context.Context, dbURL, dataDir string) (*DB, error) {
	switch {
	case dbURL == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("sqldb: create data folder: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "sharemall.db"))
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		return openPostgres(ctx, dbURL)
	case strings.HasPrefix(dbURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite:"), "//"))
	default:
		return nil, fmt.Errorf("sqldb: database URL must start with postgres:// or sqlite:, got %q", redact(dbURL))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// WAL lets readers run beside the one writer; synchronous(FULL) makes every
	// acknowledged commit durable; busy_timeout covers other processes (migrate
	// while serving); _txlock=immediate takes the write lock at BEGIN so a
	// transaction never fails half way on a lock upgrade.
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	// The one writer gets a larger page cache (64 MiB rather than 2 MiB), so
	// that a large transaction (a fold of rollups) does not spill pages to
	// the WAL before it commits, and keeps statement journals in memory.
	wq := url.Values{}
	for k, v := range q {
		wq[k] = append([]string(nil), v...)
	}
	wq.Add("_pragma", "cache_size(-65536)")
	wq.Add("_pragma", "temp_store(MEMORY)")
	// The writer never checkpoints; the checkpointer's connection does.
	wq.Add("_pragma", "wal_autocheckpoint(0)")
	dsn := "file:" + path + "?" + wq.Encode()
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqldb: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqldb: open sqlite %s: %w", path, err)
	}
	q.Set("_txlock", "deferred")
	ckptConn, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqldb: open sqlite: %w", err)
	}
	ckptConn.SetMaxOpenConns(1)
	ckptConn.SetConnMaxIdleTime(0)
	ckptConn.SetConnMaxLifetime(0)
	q.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		write.Close()
		ckptConn.Close()
		return nil, fmt.Errorf("sqldb: open sqlite: %w", err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db := &DB{engine: SQLite, write: write, read: read, Now: time.Now,
		writeStmts: newStmtCache(write), readStmts: newStmtCache(read)}
	db.ckpt = newCheckpointer(ckptConn)
	db.batch = newBatcher(db)
	return db, nil
}

func openPostgres(ctx context.Context, dbURL string) (*DB, error) {
	pool, err := openPostgresPool(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("sqldb: connect to postgres %s: %w", redact(dbURL), err)
	}
	db := stdlib.OpenDBFromPool(pool)
	aside, err := sql.Open("pgx", dbURL)
	if err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("sqldb: open postgres: %w", err)
	}
	// All four stay open when idle: database/sql keeps two by default and
	// closes the others as they come back, so that under load every
	// account creation beyond two at once paid for a new PostgreSQL
	// backend (fork, authentication, catalog caches).
	aside.SetMaxOpenConns(4)
	aside.SetMaxIdleConns(4)
	aside.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{engine: Postgres, write: db, read: db, aside: aside, pool: pool, Now: time.Now}, nil
}

// redact hides the password of a database URL for logs and errors.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Engine reports which engine this is.
func (db *DB) Engine() Engine { return db.engine }

// Close closes both pools.
func (db *DB) Close() error {
	if db.batch != nil {
		db.batch.close()
	}
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	db.writeStmts.close()
	db.readStmts.close()
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if db.aside != nil {
		err = errors.Join(err, db.aside.Close())
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// Ping checks that the database answers (for /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return &errs.Error{Op: "sqldb.Ping", Code: errs.Unavailable, Message: "database unavailable", Err: err}
	}
	return nil
}

// Tx is a transaction with the time it started. Every query goes through its
// helpers, which rewrite placeholders for the engine and map driver errors to
// domain codes.
type Tx struct {
	tx     *sql.Tx // SQLite
	pg     *pgTx   // PostgreSQL (pg.go)
	engine Engine
	now    time.Time

	stmts  *stmtCache // nil: no statement cache
	aside  *sql.DB    // PostgreSQL: see DB.aside
	missed []string   // statements to prepare once the transaction has ended
	points *points    // see points.go

	// detached: statements ignore their context's cancellation. A batched
	// transaction shares its SQLite transaction with others, and SQLite
	// answers an interrupted write by rolling the whole transaction back.
	detached bool

	// lost: SQLite rolled the whole transaction back after a statement
	// failed (see fail); every later statement returns this error instead of
	// running in autocommit.
	lost error

	values []value        // see Value
	before []beforeCommit // see BeforeCommit
}

// Now is the transaction's clock reading, the same for every statement in it.
func (tx *Tx) Now() time.Time { return tx.now }

// Engine reports which engine the transaction runs on.
func (tx *Tx) Engine() Engine { return tx.engine }

// Write runs fn in a read-write transaction and commits if fn returns nil.
// On SQLite fn may share its commit with other writers' (see batcher); it
// still sees and changes the database as if alone.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if db.batch != nil {
		return db.batch.write(ctx, fn)
	}
	return db.WriteAlone(ctx, fn)
}

// WriteAlone runs fn in a transaction of its own, never batched (bulk work
// that would hold a batch's other writers for long).
func (db *DB) WriteAlone(ctx context.Context, fn func(*Tx) error) error {
	err := db.run(ctx, db.write, db.writeStmts, false, fn)
	if err == nil && db.ckpt != nil {
		db.ckpt.commit()
	}
	return err
}

// Read runs fn in a read-only transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.read, db.readStmts, true, fn)
}

// txOptions is the isolation level every transaction states at its BEGIN
// rather than inheriting the server's default (docs/money.md, "Isolation"):
//
//   - PostgreSQL writes run at READ COMMITTED, which the write paths rely on:
//     a statement after a row lock reads what committed before the lock was
//     granted (reads "behind the lock"), and rows created and committed on
//     the aside pool (Tx.ExecAside) are read back by the next statement.
//     At REPEATABLE READ both would fail: the first with a serialization
//     error, the second not finding the account.
//   - PostgreSQL reads run at REPEATABLE READ, READ ONLY: every statement of
//     a read sees the one snapshot its first statement took, so a read of
//     several statements (a wallet's balances, the ledger check) never mixes
//     states before and after a commit. A read-only transaction at this level
//     never fails with a serialization error.
//   - SQLite is serializable whatever the level asked: one writer at a time
//     (BEGIN IMMEDIATE on the write pool, then the batcher's savepoints), and
//     a read transaction keeps the WAL snapshot of its first statement.
//     modernc.org/sqlite accepts the level and ignores it; it reads ReadOnly
//     as "BEGIN" (deferred) instead of the pool's _txlock, which is what the
//     read pool does anyway and must never happen on the write pool, where
//     BEGIN IMMEDIATE takes the write lock before the first read.
func (db *DB) txOptions(readOnly bool) *sql.TxOptions {
	switch {
	case db.engine != Postgres:
		return &sql.TxOptions{Isolation: sql.LevelSerializable, ReadOnly: readOnly}
	case readOnly:
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
}

func (db *DB) run(ctx context.Context, pool *sql.DB, stmts *stmtCache, readOnly bool, fn func(*Tx) error) (err error) {
	if db.pool != nil {
		return db.runPG(ctx, readOnly, fn)
	}
	stx, err := pool.BeginTx(ctx, db.txOptions(readOnly))
	if err != nil {
		return MapErr(err)
	}
	tx := &Tx{tx: stx, engine: db.engine, now: db.Now().UTC().Truncate(time.Microsecond), stmts: stmts, aside: db.aside, points: &db.points}
	// Prepare what this transaction ran unprepared once it has let go of its
	// connection: the SQLite writer pool has only that one.
	defer func() { stmts.prepare(context.WithoutCancel(ctx), tx.missed) }()
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(newWritePanic(p))
		}
		if err != nil {
			stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if tx.lost != nil {
		return tx.lost // whatever fn made of the error that lost it
	}
	if err = tx.runBeforeCommit(ctx); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return MapErr(err)
	}
	return nil
}

// WritePanic is what a panic inside a transaction's function becomes when
// Write or Read raises it again after rolling back: the value the function
// panicked with, and the stack where it did. A grouped write runs on the
// batcher's goroutine, and a panic raised again on the caller's would
// otherwise show only the caller's stack.
type WritePanic struct {
	Value any
	Stack []byte // debug.Stack() where the function panicked
}

func newWritePanic(p any) *WritePanic {
	if wp, ok := p.(*WritePanic); ok {
		return wp // a nested Write already caught it
	}
	return &WritePanic{Value: p, Stack: debug.Stack()}
}

func (p *WritePanic) Error() string {
	return fmt.Sprintf("panic in a database transaction: %v\n%s", p.Value, p.Stack)
}

// Unwrap returns the value's error, if it is one.
func (p *WritePanic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}

// ReadRow runs a one-row query outside any transaction, for the hottest
// single-statement reads; no row is a NotFound error naming what.
func (db *DB) ReadRow(ctx context.Context, what, q string, args []any, dest ...any) error {
	if db.pool != nil {
		db.trips.Add(1)
	}
	var row *sql.Row
	if st, ok := db.readStmts.get(q); st != nil {
		row = st.QueryRowContext(ctx, args...)
	} else {
		row = db.read.QueryRowContext(ctx, rebind(db.engine, q), args...)
		if !ok {
			defer db.readStmts.prepare(context.WithoutCancel(ctx), []string{q})
		}
	}
	return scanOne(row, what, dest)
}

// scanOne scans row into dest; no row is a NotFound error naming what.
func scanOne(row *sql.Row, what string, dest []any) error {
	err := row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "", "%s not found", what)
	}
	return MapErr(err)
}

// Rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries never
// hold a literal ? inside a string.
func (tx *Tx) Rebind(q string) string { return rebind(tx.engine, q) }

func rebind(engine Engine, q string) string {
	if engine != Postgres || !strings.Contains(q, "?") {
		return q
	}
	if r, ok := rebound.Load(q); ok {
		return r.(string)
	}
	r := rebindPostgres(q)
	rebound.Store(q, r)
	return r
}

// rebound remembers rebind's answers: queries are constants (and IN lists of
// a few lengths), so it stays small.
var rebound sync.Map

func rebindPostgres(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Exec runs a statement.
func (tx *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if tx.lost != nil {
		return nil, tx.lost
	}
	ctx, q = tx.prep(ctx, q)
	if tx.pg != nil {
		tag, err := tx.pg.exec(ctx, q, args)
		if err != nil {
			return nil, err
		}
		return pgResult{tag.RowsAffected()}, nil
	}
	var r sql.Result
	var err error
	if st := tx.stmt(ctx, q); st != nil {
		r, err = st.ExecContext(ctx, args...)
	} else {
		r, err = tx.tx.ExecContext(ctx, q, args...)
	}
	return r, tx.fail(ctx, err)
}

// fail maps a statement's error, and on SQLite finds out whether the error
// took the whole transaction with it. SQLite answers some errors (a full
// disk, an I/O error, an interrupt, a trigger's RAISE(ROLLBACK)) by rolling
// back the transaction rather than the statement, and database/sql does not
// know: the next statement on the connection would run in autocommit and be
// kept whatever the transaction decides. So after an error, fail asks the
// connection: BEGIN is refused inside a transaction; if it is accepted, the
// transaction is gone, fail ends the one BEGIN opened, and the Tx refuses
// every later statement with the error that lost it. PostgreSQL needs no
// probe: it refuses every statement of a failed transaction itself.
func (tx *Tx) fail(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	mapped := MapErr(err)
	if tx.engine != SQLite || errors.Is(err, sql.ErrNoRows) || errors.Is(err, sql.ErrTxDone) {
		return mapped
	}
	bg := context.WithoutCancel(ctx)
	if _, perr := tx.tx.ExecContext(bg, "BEGIN"); perr != nil {
		return mapped // still in the transaction
	}
	tx.tx.ExecContext(bg, "ROLLBACK")
	tx.lost = errs.E(errs.Internal, "", "store: SQLite rolled the transaction back (%v); nothing it wrote was kept", err)
	return tx.lost
}

// ExecN runs a statement and returns the number of rows it changed.
func (tx *Tx) ExecN(ctx context.Context, q string, args ...any) (int64, error) {
	r, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return n, MapErr(err)
}

// ExecLater runs a statement whose outcome nobody waits for. On PostgreSQL
// it is queued and sent with the transaction's next statement or its
// COMMIT, in the same round trip (pg.go); its failure is then that
// statement's error, or the commit's. So only for statements whose failure
// the caller would not tell from any other failure of the transaction: no
// constraint it relabels, no rows affected it reads. On SQLite it runs now.
func (tx *Tx) ExecLater(ctx context.Context, q string, args ...any) error {
	return tx.ExecLaterN(ctx, -1, q, args...)
}

// ExecLaterN is ExecLater for a statement that must change exactly want
// rows (want < 0: any number); any other count fails the transaction with
// an Internal error, as a broken invariant does, and nothing sent after it
// runs, COMMIT included. q is an INSERT, UPDATE or DELETE without its own
// RETURNING (on PostgreSQL the count is checked by the server: pg.go).
func (tx *Tx) ExecLaterN(ctx context.Context, want int64, q string, args ...any) error {
	if tx.pg != nil {
		if tx.pg.err != nil {
			return tx.pg.err
		}
		tx.pg.later(tx.Rebind(q), args, want)
		return nil
	}
	n, err := tx.ExecN(ctx, q, args...)
	if err == nil && want >= 0 && n != want {
		err = errs.E(errs.Internal, "", "sqldb: %q changed %d rows, not %d", head(q), n, want)
	}
	return err
}

// Query runs a query; the caller closes the rows.
func (tx *Tx) Query(ctx context.Context, q string, args ...any) (Rows, error) {
	if tx.lost != nil {
		return nil, tx.lost
	}
	ctx, q = tx.prep(ctx, q)
	if tx.pg != nil {
		return tx.pg.query(ctx, q, args)
	}
	var rows *sql.Rows
	var err error
	if st := tx.stmt(ctx, q); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = tx.tx.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, tx.fail(ctx, err)
	}
	return rows, nil
}

// Get scans one row into dest; no row is a NotFound error naming what.
func (tx *Tx) Get(ctx context.Context, what string, q string, args []any, dest ...any) error {
	if tx.lost != nil {
		return tx.lost
	}
	err := tx.queryRow(ctx, q, args).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "", "%s not found", what)
	}
	return tx.fail(ctx, err)
}

// Insert runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) Insert(ctx context.Context, q string, args ...any) (int64, error) {
	if tx.lost != nil {
		return 0, tx.lost
	}
	var id int64
	err := tx.queryRow(ctx, q+" RETURNING id", args).Scan(&id)
	return id, tx.fail(ctx, err)
}

// Exists reports whether the query returns a row.
func (tx *Tx) Exists(ctx context.Context, q string, args ...any) (bool, error) {
	if tx.lost != nil {
		return false, tx.lost
	}
	var one int
	err := tx.queryRow(ctx, q, args).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, tx.fail(ctx, err)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args []any) interface{ Scan(...any) error } {
	ctx, q = tx.prep(ctx, q)
	if tx.pg != nil {
		rows, err := tx.pg.query(ctx, q, args)
		return &pgRow{rows: rows, err: err}
	}
	if st := tx.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, q, args...)
}

// prep returns the context and the query text a statement runs with.
func (tx *Tx) prep(ctx context.Context, q string) (context.Context, string) {
	if tx.detached {
		ctx = context.WithoutCancel(ctx)
	}
	return ctx, tx.Rebind(q)
}

// stmt returns q prepared for this transaction, or nil when it has not been
// prepared yet (it then is, after the transaction).
func (tx *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if tx.stmts == nil {
		return nil
	}
	st, ok := tx.stmts.get(q)
	if st == nil {
		if !ok {
			tx.missed = append(tx.missed, q)
		}
		return nil
	}
	return tx.tx.StmtContext(ctx, st)
}

// stmtCache holds a pool's prepared statements by query text. database/sql
// prepares each on a connection the first time a transaction on that
// connection uses it, and keeps it there.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt // a nil value: could not be prepared
}

// maxStmts bounds the cache: queries are constants, except IN lists of
// varying length, so real programs stay far below it.
const maxStmts = 1000

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// get returns q's statement and whether q is known (prepared or refused).
func (c *stmtCache) get(q string) (*sql.Stmt, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[q]
	return st, ok
}

// prepare prepares the queries not yet known. A query that fails to prepare
// is remembered as such and keeps running unprepared.
func (c *stmtCache) prepare(ctx context.Context, qs []string) {
	if c == nil {
		return
	}
	for _, q := range qs {
		c.mu.Lock()
		_, known := c.m[q]
		full := len(c.m) >= maxStmts
		c.mu.Unlock()
		if known || full {
			continue
		}
		st, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			st = nil
		}
		c.mu.Lock()
		if _, known := c.m[q]; known && st != nil {
			st.Close() // another transaction prepared it meanwhile
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		if st != nil {
			st.Close()
		}
		delete(c.m, q)
	}
}

// Placeholders returns "?, ?, ?" for n arguments.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// One runs a query expected to return one row and hands its scanner to fn;
// no row is a NotFound error naming what.
func (tx *Tx) One(ctx context.Context, what, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return tx.fail(ctx, err)
		}
		return errs.E(errs.NotFound, "", "%s not found", what)
	}
	if err := fn(rows.Scan); err != nil {
		return err
	}
	return MapErr(rows.Close())
}

// Column runs a query of one column and returns its values.
func Column[T any](ctx context.Context, tx *Tx, q string, args []any) ([]T, error) {
	var out []T
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		var v T
		err := scan(&v)
		out = append(out, v)
		return err
	})
	return out, err
}

// A Query is one of the independent queries Queries runs: its text, its
// arguments, and the function each of its rows is handed to.
type Query struct {
	SQL  string
	Args []any
	Row  func(scan func(...any) error) error
}

// Queries runs queries that do not depend on one another and hands each
// one's rows to its Row, query after query. On PostgreSQL they share one
// round trip (with whatever ExecLater queued); on SQLite they run one
// after another.
func (tx *Tx) Queries(ctx context.Context, qs ...Query) error {
	if tx.lost != nil {
		return tx.lost
	}
	if tx.pg != nil {
		for i := range qs {
			_, qs[i].SQL = tx.prep(ctx, qs[i].SQL)
		}
		return tx.pg.queries(ctx, qs)
	}
	for _, q := range qs {
		if err := tx.Each(ctx, q.SQL, q.Args, q.Row); err != nil {
			return err
		}
	}
	return nil
}

// Each runs a query and hands every row's scanner to fn.
func (tx *Tx) Each(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return tx.fail(ctx, rows.Err())
}

// PoolStats reports the connection pools by name: on SQLite "write" (one
// connection) and "read"; on PostgreSQL "main" and "accounts" (the aside
// pool, named after its one user: the books create ledger accounts there).
func (db *DB) PoolStats() map[string]sql.DBStats {
	if db.engine == SQLite {
		return map[string]sql.DBStats{"write": db.write.Stats(), "read": db.read.Stats()}
	}
	st := db.pool.Stat()
	main := sql.DBStats{MaxOpenConnections: int(st.MaxConns()), OpenConnections: int(st.TotalConns()),
		InUse: int(st.AcquiredConns()), Idle: int(st.IdleConns()), WaitCount: st.EmptyAcquireCount(),
		WaitDuration: st.EmptyAcquireWaitTime(), MaxIdleTimeClosed: st.MaxIdleDestroyCount(),
		MaxLifetimeClosed: st.MaxLifetimeDestroyCount()}
	return map[string]sql.DBStats{"main": main, "accounts": db.aside.Stats()}
}

// WritePool is the pool writes use, for work outside transactions:
// migrations, and the bench's maintenance (checkpoints, idle connections).
func (db *DB) WritePool() *sql.DB { return db.write }
