package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"sharemall/internal/errs"
)

// PostgreSQL transactions run on pgx's native interface, pipelined.
//
// Through database/sql every statement is a round trip: BEGIN, each
// statement, COMMIT. On a machine where the server, PostgreSQL and the
// clients share the cores, a round trip costs CPU on both sides (a write, a
// wake-up, a read) as well as time, and a purchase made about seventy of
// them. A transaction here instead keeps a queue of statements that have
// not been sent:
//
//   - BEGIN is queued, not sent: it leaves with the transaction's first
//     statement, in the same network write;
//   - ExecLater queues a statement whose outcome nobody waits for (an
//     insert of rows with fresh keys, an update whose count is not read);
//   - the next statement that returns something (a query, an Exec whose
//     rows affected are read, COMMIT) sends the queue and itself as one
//     pipeline (pgx.Batch: one write, one Sync) and reads their results in
//     order.
//
// The server runs the statements in the order they were written, exactly
// as if each had been sent alone, so locks are taken in the same order and
// every statement sees what the ones before it did. What changes is when
// the caller hears of a queued statement's failure: with the next
// statement that reaches the server or with COMMIT, whose error it then is.
// Either way the transaction is rolled back and nothing it wrote is kept;
// hence ExecLater only for statements whose failure the caller would not
// tell from any other failure of the transaction.
//
// A transaction that ran no statement sends nothing at all.

// pgTx is the PostgreSQL half of a Tx.
type pgTx struct {
	trips *atomic.Int64 // the database's count of round trips
	conn  *pgx.Conn
	queue []queued
	begun bool  // BEGIN has been sent: the connection is in a transaction
	err   error // a queued statement failed while the queue was sent at a point
}

type queued struct {
	sql  string
	args []any
	want int64 // rows the statement must change; -1: any number
}

const (
	beginWrite = "BEGIN ISOLATION LEVEL READ COMMITTED"
	beginRead  = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
)

func openPostgresPool(ctx context.Context, dbURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("sqldb: postgres URL %s: %w", redact(dbURL), err)
	}
	cfg.MaxConns = 32
	cfg.MaxConnIdleTime = 5 * time.Minute
	return pgxpool.NewWithConfig(ctx, cfg)
}

// runPG runs fn in a transaction on a connection of the pool (see run).
func (db *DB) runPG(ctx context.Context, readOnly bool, fn func(*Tx) error) (err error) {
	c, err := db.pool.Acquire(ctx)
	if err != nil {
		return MapErr(err)
	}
	// Release gives a connection left inside a transaction (a ROLLBACK that
	// could not be sent) back by closing it.
	defer c.Release()
	begin := beginWrite
	if readOnly {
		begin = beginRead
	}
	p := &pgTx{trips: &db.trips, conn: c.Conn(), queue: []queued{{sql: begin, want: -1}}}
	tx := &Tx{pg: p, engine: db.engine, now: db.Now().UTC().Truncate(time.Microsecond), aside: db.aside, points: &db.points}
	defer func() {
		if r := recover(); r != nil {
			p.rollback(ctx)
			panic(newWritePanic(r))
		}
		if err != nil {
			p.rollback(ctx)
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.runBeforeCommit(ctx); err != nil {
		return err
	}
	return p.commit(ctx)
}

// commit sends what is queued and COMMIT; a transaction that sent nothing
// has nothing to commit.
func (p *pgTx) commit(ctx context.Context) error {
	if p.err != nil {
		return p.err
	}
	if !p.begun && len(p.queue) == 1 {
		p.queue = p.queue[:0]
		return nil
	}
	tag, err := p.exec(ctx, "COMMIT", nil)
	if err != nil {
		return err
	}
	// A transaction that failed answers COMMIT with ROLLBACK, not an error.
	if tag.String() != "COMMIT" {
		return errs.E(errs.Internal, "", "sqldb: the transaction was rolled back at commit")
	}
	p.begun = false
	return nil
}

// rollback ends the transaction if BEGIN was sent. When it cannot, the
// connection is still in a transaction and the pool closes it on release.
func (p *pgTx) rollback(ctx context.Context) {
	p.queue = p.queue[:0]
	if !p.begun {
		return
	}
	p.trips.Add(1)
	if _, err := p.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err == nil {
		p.begun = false
	}
}

// later queues a statement to be sent with the next one.
func (p *pgTx) later(q string, args []any, want int64) {
	p.queue = append(p.queue, queued{sql: q, args: args, want: want})
}

// send sends the queue and then tail as one pipeline, and reads the
// queue's results. The caller reads tail's results from the batch and
// closes it.
func (p *pgTx) send(ctx context.Context, tail ...queued) (pgx.BatchResults, error) {
	if p.err != nil {
		return nil, p.err
	}
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(p.queue)+len(tail))}
	for _, s := range p.queue {
		b.Queue(s.sql, s.args...)
	}
	for _, s := range tail {
		b.Queue(s.sql, s.args...)
	}
	n := len(p.queue)
	began := !p.begun && n > 0 && (p.queue[0].sql == beginWrite || p.queue[0].sql == beginRead)
	wants := make([]int64, n)
	for i, s := range p.queue {
		wants[i] = s.want
	}
	p.queue = p.queue[:0]
	p.trips.Add(1)
	if traceTrips {
		traceTrip(b)
	}
	br := p.conn.SendBatch(ctx, b)
	for i := range n {
		tag, err := br.Exec()
		if err == nil && wants[i] >= 0 && tag.RowsAffected() != wants[i] {
			err = errs.E(errs.Internal, "", "sqldb: %q changed %d rows, not %d",
				head(b.QueuedQueries[i].SQL), tag.RowsAffected(), wants[i])
		}
		if err != nil {
			if i > 0 && began {
				p.begun = true
			}
			br.Close()
			return nil, err
		}
		if i == 0 && began {
			p.begun = true
		}
	}
	return br, nil
}

// flush sends what is queued, if anything but BEGIN; its error stays with
// the transaction for the next statement.
func (p *pgTx) flush(ctx context.Context) {
	if p.err != nil || len(p.queue) == 0 || (!p.begun && len(p.queue) == 1) {
		return
	}
	br, err := p.send(ctx)
	if err == nil {
		err = br.Close()
	}
	if err != nil {
		p.err = MapErr(err)
	}
}

// exec sends the queue and q, and returns q's command tag.
func (p *pgTx) exec(ctx context.Context, q string, args []any) (pgconn.CommandTag, error) {
	br, err := p.send(ctx, queued{sql: q, args: args})
	if err != nil {
		return pgconn.CommandTag{}, MapErr(err)
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, MapErr(err)
}

// query sends the queue and q; the rows hold the connection until closed.
func (p *pgTx) query(ctx context.Context, q string, args []any) (Rows, error) {
	br, err := p.send(ctx, queued{sql: q, args: args})
	if err != nil {
		return nil, MapErr(err)
	}
	rows, err := br.Query()
	if err != nil {
		rows.Close()
		br.Close()
		return nil, MapErr(err)
	}
	return &pgRows{br: br, rows: rows}, nil
}

// queries sends the queue and qs in one round trip and reads qs's rows in
// order.
func (p *pgTx) queries(ctx context.Context, qs []Query) error {
	tail := make([]queued, len(qs))
	for i, q := range qs {
		tail[i] = queued{sql: q.SQL, args: q.Args}
	}
	br, err := p.send(ctx, tail...)
	if err != nil {
		return MapErr(err)
	}
	defer br.Close()
	for _, q := range qs {
		rows, err := br.Query()
		if err != nil {
			return MapErr(err)
		}
		for rows.Next() {
			if err := q.Row(rows.Scan); err != nil {
				rows.Close()
				return err // the caller's own error, as Each returns it
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return MapErr(err)
		}
	}
	return MapErr(br.Close())
}

// Rows are a query's rows: *sql.Rows on SQLite, pgx's on PostgreSQL.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
	Columns() ([]string, error)
}

type pgRows struct {
	br     pgx.BatchResults
	rows   pgx.Rows
	closed bool
	err    error
}

// Next closes the rows after the last, as *sql.Rows does, so that the
// transaction's next statement finds the connection free.
func (r *pgRows) Next() bool {
	if r.closed {
		return false
	}
	if r.rows.Next() {
		return true
	}
	r.Close()
	return false
}

// Scan scans as pgx does, except into *any, which gets what database/sql
// would give: int64 for every integer, and a driver value (a string for
// a numeric such as SUM's) for any type that has one.
func (r *pgRows) Scan(dest ...any) error {
	anyAt := -1
	for i, d := range dest {
		if _, ok := d.(*any); ok {
			anyAt = i
			break
		}
	}
	if anyAt < 0 {
		return r.rows.Scan(dest...)
	}
	vals, err := r.rows.Values()
	if err != nil {
		return err
	}
	rest := make([]any, len(dest))
	for i, d := range dest {
		if p, ok := d.(*any); ok {
			v, err := driverValue(vals[i])
			if err != nil {
				return err
			}
			*p = v
		} else {
			rest[i] = d
		}
	}
	return r.rows.Scan(rest...)
}

func driverValue(v any) (any, error) {
	switch v := v.(type) {
	case int16:
		return int64(v), nil
	case int32:
		return int64(v), nil
	case float32:
		return float64(v), nil
	case driver.Valuer:
		return v.Value()
	}
	return v, nil
}

func (r *pgRows) Err() error {
	if r.closed {
		return r.err
	}
	return r.rows.Err()
}

func (r *pgRows) Columns() ([]string, error) {
	fds := r.rows.FieldDescriptions()
	cols := make([]string, len(fds))
	for i, fd := range fds {
		cols[i] = fd.Name
	}
	return cols, nil
}

func (r *pgRows) Close() error {
	if r.closed {
		return r.err
	}
	r.closed = true
	r.rows.Close()
	r.err = r.rows.Err()
	if err := r.br.Close(); r.err == nil {
		r.err = err
	}
	return r.err
}

// pgRow is one row of a query, read as *sql.Row is.
type pgRow struct {
	rows Rows
	err  error
}

func (r *pgRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Close(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// pgResult is an Exec's outcome on PostgreSQL.
type pgResult struct{ n int64 }

func (r pgResult) RowsAffected() (int64, error) { return r.n, nil }
func (r pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("sqldb: PostgreSQL has no last insert id; use RETURNING")
}

// head is the start of a statement, for errors.
func head(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	return q[:min(len(q), 60)]
}

// RoundTrips counts the transactions' round trips to PostgreSQL since the
// database was opened (0 on SQLite): what the bench divides by orders.
func (db *DB) RoundTrips() int64 { return db.trips.Load() }

// SHAREMALL_SQL_TRACE=1 prints every round trip's statements to stderr, to
// see what a request sends and what could share a round trip.
var traceTrips = os.Getenv("SHAREMALL_SQL_TRACE") != ""

func traceTrip(b *pgx.Batch) {
	var sb strings.Builder
	sb.WriteString("sqldb: round trip:")
	for _, q := range b.QueuedQueries {
		s := strings.Join(strings.Fields(q.SQL), " ")
		sb.WriteString("\n    ")
		sb.WriteString(s[:min(len(s), 110)])
	}
	fmt.Fprintln(os.Stderr, sb.String())
}
