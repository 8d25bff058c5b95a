package sqldb_test

import (
	"context"
	"errors"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// Queued statements run in the order written, before the statement that
// sends them, and a transaction's BEGIN, queued statements and first query
// share one round trip on PostgreSQL; COMMIT carries what is still queued.
func TestExecLaterOrderAndRoundTrips(t *testing.T) {
	engines(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		before := db.RoundTrips()
		var seen []int64
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			for k := int64(1); k <= 3; k++ {
				if err := tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (?, ?)`, k, 10*k); err != nil {
					return err
				}
			}
			if err := tx.ExecLaterN(ctx, 2, `UPDATE probe SET v = v + 1 WHERE k >= ?`, 2); err != nil {
				return err
			}
			var err error
			seen, err = sqldb.Column[int64](ctx, tx, `SELECT v FROM probe ORDER BY k`, nil)
			if err != nil {
				return err
			}
			return tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (4, 40)`)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{10, 21, 31}; len(seen) != 3 || seen[0] != want[0] || seen[1] != want[1] || seen[2] != want[2] {
			t.Fatalf("the query saw %v, want %v", seen, want)
		}
		if n := count(t, db); n != 4 {
			t.Fatalf("%d rows committed, want 4 (the insert queued last goes with COMMIT)", n)
		}
		if db.Engine() == sqldb.Postgres {
			// The write: [BEGIN, 3 inserts, update, select], then [insert, COMMIT].
			// count's read: [BEGIN, select], then [COMMIT].
			if got := db.RoundTrips() - before; got != 4 {
				t.Fatalf("%d round trips, want 4", got)
			}
		}
	})
}

// A queued statement that fails fails the transaction at the next
// statement or at COMMIT, and nothing the transaction wrote is kept.
func TestExecLaterFailureRollsBack(t *testing.T) {
	engines(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			return tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (1, 1)`)
		}); err != nil {
			t.Fatal(err)
		}
		// At COMMIT: a duplicate key.
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			if err := tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (2, 2)`); err != nil {
				return err
			}
			return tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (1, 1)`)
		})
		if !errs.Is(err, errs.Conflict) {
			t.Fatalf("duplicate queued insert: %v, want a conflict", err)
		}
		// At the next statement: a count other than the one required.
		var reached bool
		err = db.Write(ctx, func(tx *sqldb.Tx) error {
			if err := tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (3, 3)`); err != nil {
				return err
			}
			if err := tx.ExecLaterN(ctx, 1, `UPDATE probe SET v = v + 1 WHERE k = 99`); err != nil {
				return err
			}
			_, err := tx.ExecN(ctx, `UPDATE probe SET v = v WHERE k = 1`)
			reached = err == nil
			return err
		})
		if !errs.Is(err, errs.Internal) || reached {
			t.Fatalf("a queued update of 0 rows where 1 was required: %v (next statement succeeded: %v)", err, reached)
		}
		if n := count(t, db); n != 1 {
			t.Fatalf("%d rows, want the first write's 1 alone", n)
		}
		// The connection is usable afterwards.
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			return tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (5, 5)`)
		}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db); n != 2 {
			t.Fatalf("%d rows, want 2", n)
		}
	})
}

// A transaction that runs no statement sends nothing; an error before any
// statement leaves nothing to roll back.
func TestEmptyTransactionSendsNothing(t *testing.T) {
	engines(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		before := db.RoundTrips()
		if err := db.Write(ctx, func(tx *sqldb.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if err := db.Write(ctx, func(tx *sqldb.Tx) error { return boom }); err != boom {
			t.Fatal(err)
		}
		if got := db.RoundTrips() - before; got != 0 {
			t.Fatalf("%d round trips for transactions that ran nothing", got)
		}
	})
}

// A point sends what is queued before it holds the transaction: the lock a
// queued UPDATE takes is held while the test holds the point.
func TestPointSendsQueuedStatements(t *testing.T) {
	engines(t, func(t *testing.T, db *sqldb.DB) {
		if db.Engine() != sqldb.Postgres {
			t.Skip("SQLite has one writer: nothing else could try the row")
		}
		ctx := context.Background()
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			return tx.ExecLater(ctx, `INSERT INTO probe (k, v) VALUES (1, 1)`)
		}); err != nil {
			t.Fatal(err)
		}
		var locked error
		db.OnPoint("probe.updated", func(ctx context.Context) {
			// Another connection finds the row locked.
			_, locked = db.WritePool().ExecContext(ctx, `SELECT v FROM probe WHERE k = 1 FOR UPDATE NOWAIT`)
		})
		if err := db.Write(ctx, func(tx *sqldb.Tx) error {
			if err := tx.ExecLaterN(ctx, 1, `UPDATE probe SET v = 2 WHERE k = 1`); err != nil {
				return err
			}
			tx.Point(ctx, "probe.updated")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if locked == nil {
			t.Fatal("the row was not locked at the point: the queued UPDATE had not been sent")
		}
	})
}
