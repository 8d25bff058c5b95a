// Package store is the only package that speaks SQL. One set of methods
// serves both engines: SQLite (embedded default, modernc.org/sqlite) and
// PostgreSQL (pgx). Queries are written once with ? placeholders in SQL both
// engines accept; the few differences live in the migrations' engine blocks.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

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

	// Now is the clock every transaction reads once at its start. Tests replace it.
	Now func() time.Time
}

// Open opens the database named by dbURL, or SQLite in dataDir when dbURL is
// empty. It does not migrate; see Migrate and CheckSchema.
func Open(ctx context.Context, dbURL, dataDir string) (*DB, error) {
	switch {
	case dbURL == "":
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data folder: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, "sharemall.db"))
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		return openPostgres(ctx, dbURL)
	case strings.HasPrefix(dbURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(dbURL, "sqlite:"), "//"))
	default:
		return nil, fmt.Errorf("store: database URL must start with postgres:// or sqlite:, got %q", redact(dbURL))
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
	dsn := "file:" + path + "?" + q.Encode()
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	q.Set("_txlock", "deferred")
	q.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return &DB{engine: SQLite, write: write, read: read, Now: time.Now}, nil
}

func openPostgres(ctx context.Context, dbURL string) (*DB, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect to postgres %s: %w", redact(dbURL), err)
	}
	return &DB{engine: Postgres, write: db, read: db, Now: time.Now}, nil
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
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers (for /healthz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return &errs.Error{Op: "store.Ping", Code: errs.Unavailable, Message: "database unavailable", Err: err}
	}
	return nil
}

// Tx is a transaction with the time it started. Every query goes through its
// helpers, which rewrite placeholders for the engine and map driver errors to
// domain codes.
type Tx struct {
	tx     *sql.Tx
	engine Engine
	now    time.Time
}

// Now is the transaction's clock reading, the same for every statement in it.
func (tx *Tx) Now() time.Time { return tx.now }

// Write runs fn in a read-write transaction and commits if fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.write, false, fn)
}

// Read runs fn in a read-only transaction.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	return db.run(ctx, db.read, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(*Tx) error) (err error) {
	opts := &sql.TxOptions{}
	if db.engine == Postgres {
		opts.ReadOnly = readOnly
	}
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return mapErr(err)
	}
	tx := &Tx{tx: stx, engine: db.engine, now: db.Now().UTC().Truncate(time.Microsecond)}
	defer func() {
		if p := recover(); p != nil {
			stx.Rollback()
			panic(p)
		}
		if err != nil {
			stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return mapErr(err)
	}
	return nil
}

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries in this
// package never hold a literal ? inside a string.
func (tx *Tx) rebind(q string) string {
	if tx.engine != Postgres || !strings.Contains(q, "?") {
		return q
	}
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

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r, err := tx.tx.ExecContext(ctx, tx.rebind(q), args...)
	return r, mapErr(err)
}

// execN runs a statement and returns the number of rows it changed.
func (tx *Tx) execN(ctx context.Context, q string, args ...any) (int64, error) {
	r, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return n, mapErr(err)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := tx.tx.QueryContext(ctx, tx.rebind(q), args...)
	return rows, mapErr(err)
}

// get scans one row into dest; no row is a NotFound error naming what.
func (tx *Tx) get(ctx context.Context, what string, q string, args []any, dest ...any) error {
	err := tx.tx.QueryRowContext(ctx, tx.rebind(q), args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "", "%s not found", what)
	}
	return mapErr(err)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(ctx, tx.rebind(q+" RETURNING id"), args...).Scan(&id)
	return id, mapErr(err)
}

// exists reports whether the query returns a row.
func (tx *Tx) exists(ctx context.Context, q string, args ...any) (bool, error) {
	var one int
	err := tx.tx.QueryRowContext(ctx, tx.rebind(q), args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, mapErr(err)
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// limitPlusOne bounds a page size and asks for one more row to detect a next page.
func limitPlusOne(limit int) int {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return limit + 1
}

// one runs a query expected to return one row and hands its scanner to fn;
// no row is a NotFound error naming what.
func (tx *Tx) one(ctx context.Context, what, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return mapErr(err)
		}
		return errs.E(errs.NotFound, "", "%s not found", what)
	}
	if err := fn(rows.Scan); err != nil {
		return err
	}
	return mapErr(rows.Close())
}

// each runs a query and hands every row's scanner to fn.
func (tx *Tx) each(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}
