package sqldb

import (
	"context"
	"sync"
)

// Points let a test hold a transaction at a named place while another runs,
// to force the interleavings that goroutine storms rarely hit: a money path
// calls tx.Point(ctx, "withdrawal.reject.locked") where the order of its
// reads, locks and writes matters, and a test registers a function there
// with DB.OnPoint. Production code never registers one, so a point costs a
// nil check.
type points struct {
	mu sync.RWMutex
	m  map[string]func(ctx context.Context)
}

// OnPoint makes every transaction that reaches the named point call fn
// there, inside the transaction; fn may block to hold it. nil removes the
// function. For tests (testutil.Hold).
func (db *DB) OnPoint(name string, fn func(ctx context.Context)) {
	db.points.mu.Lock()
	defer db.points.mu.Unlock()
	if db.points.m == nil {
		db.points.m = map[string]func(context.Context){}
	}
	if fn == nil {
		delete(db.points.m, name)
		return
	}
	db.points.m[name] = fn
}

// Point runs the function a test registered at name, if any.
func (tx *Tx) Point(ctx context.Context, name string) {
	if tx.points == nil {
		return
	}
	tx.points.mu.RLock()
	fn := tx.points.m[name]
	tx.points.mu.RUnlock()
	if fn != nil {
		if tx.pg != nil {
			tx.pg.flush(ctx) // what the point holds must have happened
		}
		fn(ctx)
	}
}

// WaitingWrites counts this database's write transactions that wait for
// another to let go: on SQLite, writes queued for the one writer; on
// PostgreSQL, sessions of this application (application_name) waiting on a
// lock. A test holding a transaction at a point uses it to know that the
// operation it started meanwhile is blocked rather than still on its way.
func (db *DB) WaitingWrites(ctx context.Context) (int, error) {
	if db.engine == SQLite {
		return int(db.batch.waiting.Load()), nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
		WHERE application_name = current_setting('application_name') AND pid <> pg_backend_pid()
			AND datname = current_database() AND wait_event_type = 'Lock'`).Scan(&n)
	return n, MapErr(err)
}
