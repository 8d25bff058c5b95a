package sqldb

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointsBesideTheWriter: the writer connection never checkpoints
// (wal_autocheckpoint 0), the checkpointer does (its loop runs by itself),
// and under writes that never pause the WAL stays bounded: without
// checkpoints it would hold all 24 MiB written; past the checkpointer's cap
// (lowered here to 512 frames, 2 MiB) a checkpoint makes it start over.
// Every row written is there after a reopen.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	db.ckpt.cap = 512
	var auto int
	if err := db.write.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("the writer's wal_autocheckpoint is %d (%v); want 0", auto, err)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	blob := make([]byte, 64<<10)
	const n = 384 // 24 MiB
	wal := filepath.Join(dir, "sharemall.db-wal")
	var largest int64
	for i := range n {
		err := db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO blobs (b) VALUES (?)`, blob)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if i%32 == 31 {
			// What the checkpointer's loop does at least every second, run
			// here at a known point (2 MiB written since the last): past
			// the cap it must bring the WAL back to its start, however
			// fast the writes come.
			db.ckpt.checkpoint()
		}
		if st, err := os.Stat(wal); err == nil {
			largest = max(largest, st.Size())
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for db.ckpt.runs.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if db.ckpt.runs.Load() == 0 {
		t.Fatal("the checkpointer never ran")
	}
	if largest > 8<<20 {
		t.Fatalf("the WAL grew to %d bytes (%d checkpoints, %d restarts); want it bounded well below the %d written",
			largest, db.ckpt.runs.Load(), db.ckpt.restarts.Load(), n*len(blob))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM blobs`).Scan(&rows); err != nil || rows != n {
		t.Fatalf("%d rows after a reopen (%v); want %d", rows, err, n)
	}
}
