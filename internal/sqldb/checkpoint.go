package sqldb

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// Checkpoints off the writer's path (SQLite).
//
// In WAL mode a commit appends the pages it changed to the WAL, and by
// default the connection that commits also checkpoints (copies the WAL
// back into the database file and syncs it) whenever the WAL has grown past
// 1,000 pages, before its commit returns. SQLite has one writer, so that
// copy stalled every write queued behind it: profiling checkout at a
// million distributors found a quarter of the writer's time in these
// checkpoints (docs/benchmarks.md, issue 15).
//
// The writer connection therefore never checkpoints (wal_autocheckpoint
// 0); a connection of its own does, on another core, as SQLite allows a
// checkpoint beside a writer. It runs a PASSIVE checkpoint, the kind the
// writer ran, which neither waits for nor blocks readers and writers: after
// each group commit (at most one every checkpointPace) and once a second
// whatever happened, for writes made on the write pool directly. Durability
// is unchanged: a commit is durable once its WAL frames are synced, as
// before; the checkpoint only moves them into the database file.
type checkpointer struct {
	conn     *sql.DB
	cap      int64 // walCap; tests lower it
	kick     chan struct{}
	quit     chan struct{}
	done     chan struct{}
	runs     atomic.Int64 // checkpoints run, for tests
	restarts atomic.Int64 // RESTART checkpoints run past walCap, for tests
}

const checkpointPace = 50 * time.Millisecond

func newCheckpointer(conn *sql.DB) *checkpointer {
	c := &checkpointer{conn: conn, cap: walCap, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// commit tells the checkpointer that frames were appended; it never blocks.
func (c *checkpointer) commit() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-c.kick:
		case <-tick.C:
		}
		c.checkpoint()
		select {
		case <-c.quit:
			return
		case <-time.After(checkpointPace):
		}
	}
}

// walCap is the WAL's length, in frames, past which the checkpointer
// makes the writer wait for one checkpoint (about 64 MiB of 4 KiB pages).
//
// The WAL starts again from its beginning only when a write begins after a
// checkpoint copied all of it. The writer's own checkpoints (the default)
// always could, since nothing was written while they ran; a checkpoint
// beside a writer that never pauses copies what was there when it began
// while the writer appends more, and the file could grow without end. So
// once it is this long, a RESTART checkpoint holds new writes until it
// has copied everything, and the next write starts the WAL over.
const walCap = 16384

// checkpoint runs one PASSIVE checkpoint, or a RESTART one past walCap. An
// error (the database busy with a TRUNCATE checkpoint of its own, a disk
// error) leaves the frames in the WAL, where readers find them; the next
// checkpoint tries again.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy, frames, copied int64
	if err := c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return
	}
	c.runs.Add(1)
	if frames > c.cap {
		if _, err := c.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(RESTART)`); err == nil {
			c.restarts.Add(1)
		}
	}
}

// close stops the loop and checkpoints once more.
func (c *checkpointer) close() error {
	close(c.quit)
	<-c.done
	c.checkpoint()
	return c.conn.Close()
}
