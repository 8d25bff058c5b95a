package sqldb_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"sync"
	"testing"

	"sharemall/internal/sqldb"
)

// engines runs fn on SQLite in a temporary folder, and on PostgreSQL in a
// schema of its own when SHAREMALL_TEST_POSTGRES_URL is set, each with an
// empty table probe (k, v).
func engines(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	ctx := context.Background()
	run := func(t *testing.T, db *sqldb.DB) {
		t.Cleanup(func() { db.Close() })
		if _, err := db.WritePool().ExecContext(ctx, `CREATE TABLE probe (k BIGINT PRIMARY KEY, v BIGINT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		fn(t, db)
	}
	t.Run("sqlite", func(t *testing.T) {
		db, err := sqldb.Open(ctx, "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		run(t, db)
	})
	base := os.Getenv("SHAREMALL_TEST_POSTGRES_URL")
	if base == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		b := make([]byte, 6)
		rand.Read(b)
		schema := "t_" + hex.EncodeToString(b)
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin, err := sql.Open("pgx", base)
			if err == nil {
				admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
				admin.Close()
			}
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db, err := sqldb.Open(ctx, u.String(), "")
		if err != nil {
			t.Fatal(err)
		}
		run(t, db)
	})
}

func count(t *testing.T, db *sqldb.DB) (n int64) {
	t.Helper()
	err := db.Read(context.Background(), func(tx *sqldb.Tx) error {
		return tx.Get(context.Background(), "count", `SELECT COUNT(*) FROM probe`, nil, &n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A hook registered under one key runs once, after the write's function
// and before its commit; its error rolls the write back and is the write's.
// Concurrent writes (batched on SQLite) each run their own hooks only.
func TestBeforeCommit(t *testing.T) {
	engines(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		type key struct{}
		refused := errors.New("refused")
		var wg sync.WaitGroup
		errsOf := make([]error, 20)
		for i := range errsOf {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errsOf[i] = db.Write(ctx, func(tx *sqldb.Tx) error {
					tx.SetValue(key{}, int64(i))
					for range 3 {
						tx.BeforeCommit(key{}, func(ctx context.Context) error {
							// The value the write stored, and the row it inserted, are there.
							k := tx.Value(key{}).(int64)
							if _, err := tx.Exec(ctx, `UPDATE probe SET v = v + 1 WHERE k = ?`, k); err != nil {
								return err
							}
							if k%4 == 1 {
								return refused
							}
							return nil
						})
					}
					_, err := tx.Exec(ctx, `INSERT INTO probe (k, v) VALUES (?, 0)`, i)
					return err
				})
			}()
		}
		wg.Wait()
		var want int64
		for i, err := range errsOf {
			if i%4 == 1 {
				if !errors.Is(err, refused) {
					t.Errorf("write %d: %v, want the hook's error", i, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
			want++
		}
		if n := count(t, db); n != want {
			t.Fatalf("%d rows, want %d", n, want)
		}
		var bad int64
		err := db.Read(ctx, func(tx *sqldb.Tx) error {
			return tx.Get(ctx, "count", `SELECT COUNT(*) FROM probe WHERE v <> 1`, nil, &bad)
		})
		if err != nil || bad != 0 {
			t.Fatalf("%d rows whose hook did not run exactly once (%v)", bad, err)
		}
	})
}

// A write whose function fails runs no hook.
func TestBeforeCommitSkippedOnError(t *testing.T) {
	engines(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		failed := errors.New("failed")
		ran := false
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			tx.BeforeCommit("k", func(context.Context) error { ran = true; return nil })
			return failed
		})
		if !errors.Is(err, failed) || ran {
			t.Fatalf("err %v, hook ran %v", err, ran)
		}
	})
}

// A statement run aside commits even when its transaction rolls back.
func TestExecAside(t *testing.T) {
	engines(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		failed := errors.New("failed")
		err := db.Write(ctx, func(tx *sqldb.Tx) error {
			if err := tx.ExecAside(ctx, `INSERT INTO probe (k, v) VALUES (1, 1)`); err != nil {
				return err
			}
			if ok, err := tx.Exists(ctx, `SELECT 1 FROM probe WHERE k = 1`); err != nil || !ok {
				t.Errorf("the transaction does not see the row made aside: %v %v", ok, err)
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatal(err)
		}
		want := int64(1)
		if db.Engine() == sqldb.SQLite {
			want = 0 // one writer: aside is the transaction itself
		}
		if n := count(t, db); n != want {
			t.Fatalf("%d rows, want %d", n, want)
		}
	})
}
