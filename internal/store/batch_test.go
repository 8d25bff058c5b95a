package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
				if panics[i] != fmt.Sprintf("write %d panics", i) {
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
