package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// Concurrent writes, some of which fail, panic or break a constraint: on
// SQLite they share commits, and still each one lands whole or not at all,
// and each caller hears its own outcome.
func TestWritesShareCommitsAndFailAlone(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.ExecRaw(ctx, `CREATE TABLE batch_probe (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `INSERT INTO batch_probe (k, v) VALUES (-1, 0)`); err != nil {
			t.Fatal(err)
		}
		_, commitsBefore, batched := db.BatchStats()
		const n = 40
		failed := errors.New("the function failed")
		release := make(chan struct{})
		errsOf := make([]error, n)
		panics := make([]any, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { panics[i] = recover() }()
				if i > 0 {
					<-release
				}
				stmts := []string{fmt.Sprintf(`INSERT INTO batch_probe (k, v) VALUES (%d, %d)`, i, i)}
				if i%7 == 3 {
					stmts = append(stmts, `INSERT INTO batch_probe (k, v) VALUES (-1, 1)`) // duplicate key
				}
				errsOf[i] = db.WriteThen(ctx, stmts, func() error {
					if i == 0 {
						// Hold the writer until every other write is queued behind it.
						close(release)
						waitQueued(t, db, n-1)
					}
					switch i % 5 {
					case 1:
						return failed
					case 2:
						panic(fmt.Sprintf("write %d panics", i))
					}
					return nil
				})
			}()
		}
		wg.Wait()

		var want []int64
		for i := range n {
			switch {
			case i%7 == 3:
				if !errs.Is(errsOf[i], errs.Conflict) {
					t.Errorf("write %d broke a unique key: err %v, want conflict", i, errsOf[i])
				}
			case i%5 == 1:
				if !errors.Is(errsOf[i], failed) {
					t.Errorf("write %d: err %v, want its own error", i, errsOf[i])
				}
			case i%5 == 2:
				if wp, ok := panics[i].(*store.WritePanic); !ok || wp.Value != fmt.Sprintf("write %d panics", i) {
					t.Errorf("write %d: recovered %v, want its panic", i, panics[i])
				}
			default:
				if errsOf[i] != nil || panics[i] != nil {
					t.Errorf("write %d: err %v, panic %v", i, errsOf[i], panics[i])
				}
				want = append(want, int64(i))
			}
		}
		got, err := db.QueryInts(ctx, `SELECT k FROM batch_probe WHERE k >= 0 ORDER BY k`)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("committed keys %v, want %v", got, want)
		}
		if v, err := db.QueryInts(ctx, `SELECT v FROM batch_probe WHERE k = -1`); err != nil || !slices.Equal(v, []int64{0}) {
			t.Errorf("row -1 holds %v (%v), want it untouched", v, err)
		}
		if _, commits, _ := db.BatchStats(); batched && commits-commitsBefore >= n {
			t.Errorf("%d writes took %d commits: nothing was batched", n, commits-commitsBefore)
		}
	})
}

// waitQueued waits until k writes are queued for the batcher (at once on
// PostgreSQL, which does not batch).
func waitQueued(t *testing.T, db *store.DB, k int64) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		waiting, _, ok := db.BatchStats()
		if !ok || waiting >= k {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("only %d of %d writes queued", waiting, k)
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// A write whose context is cancelled before it runs changes nothing and
// says so.
func TestCancelledWriteChangesNothing(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.ExecRaw(ctx, `CREATE TABLE batch_probe (k BIGINT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := db.WriteThen(cctx, []string{`INSERT INTO batch_probe (k) VALUES (1)`}, func() error { return nil })
		if err == nil {
			t.Fatal("a cancelled write succeeded")
		}
		if got, err := db.QueryInts(ctx, `SELECT k FROM batch_probe`); err != nil || len(got) != 0 {
			t.Errorf("rows %v (%v), want none", got, err)
		}
	})
}

// On SQLite a statement is prepared once it has run, and runs prepared
// from then on, in the writer's transactions and the readers' alike.
func TestStatementsArePrepared(t *testing.T) {
	db := testutil.OpenSQLite(t)
	ctx := context.Background()
	if err := db.ExecRaw(ctx, `CREATE TABLE prep_probe (k BIGINT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO prep_probe (k) VALUES (1)`
	const read = `SELECT k FROM prep_probe ORDER BY k`
	if db.Prepared(insert, true) || db.Prepared(read, false) {
		t.Fatal("prepared before first use")
	}
	if err := db.WriteThen(ctx, []string{insert}, func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if !db.Prepared(insert, true) {
		t.Error("the insert was not prepared after its transaction")
	}
	for range 2 {
		if got, err := db.QueryInts(ctx, read); err != nil || !slices.Equal(got, []int64{1}) {
			t.Fatalf("read %v, %v", got, err)
		}
	}
	if !db.Prepared(read, false) {
		t.Error("the read was not prepared")
	}
	// A prepared statement still answers with the current rows.
	if err := db.ExecRaw(ctx, `INSERT INTO prep_probe (k) VALUES (2)`); err != nil {
		t.Fatal(err)
	}
	if got, err := db.QueryInts(ctx, read); err != nil || !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("read %v, %v; want [1 2]", got, err)
	}
}

// A panic inside a write, grouped with others on SQLite or alone on
// PostgreSQL, reaches the caller with the stack where it happened, not only
// the stack of the goroutine that raised it again.
func TestWritePanicKeepsItsStack(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			db.WriteThen(context.Background(), nil, func() error { return panicsInsideAWrite() })
		}()
		wp, ok := recovered.(*store.WritePanic)
		if !ok {
			t.Fatalf("recovered %T %v, want *store.WritePanic", recovered, recovered)
		}
		if wp.Value != "the function broke" {
			t.Errorf("panic value %v, want the function's", wp.Value)
		}
		if !strings.Contains(string(wp.Stack), "panicsInsideAWrite") {
			t.Errorf("the stack does not name the function that panicked:\n%s", wp.Stack)
		}
	})
}

func panicsInsideAWrite() error { panic("the function broke") }

// When a statement's error rolls the whole transaction back (SQLite does
// for a trigger's RAISE(ROLLBACK), a full disk, an I/O error), no later
// statement of that transaction may run, let alone in autocommit: nothing
// the transaction wrote is kept, before or after the error. PostgreSQL
// refuses the statements of a failed transaction itself.
func TestStatementAfterALostTransactionRunsNothing(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.ExecRaw(ctx, `CREATE TABLE lost_probe (k BIGINT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		if db.Engine() == store.SQLite {
			if err := db.ExecRaw(ctx, `CREATE TRIGGER lost_probe_zero BEFORE INSERT ON lost_probe WHEN NEW.k = 0
				BEGIN SELECT RAISE(ROLLBACK, 'zero rolls everything back'); END`); err != nil {
				t.Fatal(err)
			}
		} else if err := db.ExecRaw(ctx, `ALTER TABLE lost_probe ADD CHECK (k <> 0)`); err != nil {
			t.Fatal(err)
		}
		each, err := db.WriteEach(ctx, []string{
			`INSERT INTO lost_probe (k) VALUES (1)`,
			`INSERT INTO lost_probe (k) VALUES (0)`,
			`INSERT INTO lost_probe (k) VALUES (2)`,
		})
		if each[0] != nil || each[1] == nil {
			t.Fatalf("statement errors %v, want only the second and later ones to fail", each)
		}
		if each[2] == nil {
			t.Errorf("a statement after the transaction was lost ran (write error %v)", err)
		}
		if err == nil {
			t.Errorf("the write reports success for a transaction that was rolled back")
		}
		if got, qerr := db.QueryInts(ctx, `SELECT k FROM lost_probe ORDER BY k`); qerr != nil || len(got) != 0 {
			t.Errorf("rows kept %v (%v), want none: the transaction was rolled back", got, qerr)
		}
		// The writer is whole again: the next write commits.
		if _, err := db.WriteEach(ctx, []string{`INSERT INTO lost_probe (k) VALUES (3)`}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.QueryInts(ctx, `SELECT k FROM lost_probe`); !slices.Equal(got, []int64{3}) {
			t.Errorf("after a fresh write the table holds %v, want [3]", got)
		}
	})
}
