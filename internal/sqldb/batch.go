package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"

	"sharemall/internal/errs"
)

// Group commit. SQLite has one writer: write transactions queue for it and
// each pays its own commit (the WAL frames of every page it touched, and an
// fsync). The batcher runs the queued transactions one after another inside
// a single SQLite transaction, each in a savepoint of its own, and commits
// once for all of them. A function that fails is rolled back to its
// savepoint and gets its error alone; the others commit. Nobody hears back
// before the commit is durable, so every acknowledged write is as durable
// as before, and the result is the same as running the successful ones
// serially, which is what the single writer did anyway.
//
// PostgreSQL does not batch: its transactions run in parallel, its WAL
// already groups concurrent commits, and a batch there could hold locks
// taken in no single order.

// maxBatch bounds the transactions in one commit, and so the latency the
// first of them can gain from waiting for the others.
const maxBatch = 64

type writeReq struct {
	ctx   context.Context
	fn    func(*Tx) error
	err   error
	panic any
	ready chan struct{}
}

type batcher struct {
	db   *DB
	reqs chan *writeReq
	quit chan struct{}
	done chan struct{}

	waiting atomic.Int64 // requests handed to write and not yet taken by the loop
	commits atomic.Int64 // transactions committed, for tests
}

func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, reqs: make(chan *writeReq), quit: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

// write hands fn to the batcher and waits for its outcome. Once fn is
// handed over it runs to its end, even if ctx is cancelled meanwhile: the
// caller then still learns whether it committed.
func (b *batcher) write(ctx context.Context, fn func(*Tx) error) error {
	r := &writeReq{ctx: ctx, fn: fn, ready: make(chan struct{})}
	b.waiting.Add(1)
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		b.waiting.Add(-1)
		return MapErr(ctx.Err())
	case <-b.quit:
		b.waiting.Add(-1)
		return errs.E(errs.Unavailable, "", "database is closed")
	}
	<-r.ready
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

func (b *batcher) close() {
	close(b.quit)
	<-b.done
}

func (b *batcher) loop() {
	defer close(b.done)
	for {
		var first *writeReq
		select {
		case first = <-b.reqs:
			b.waiting.Add(-1)
		case <-b.quit:
			return
		}
		b.run(first)
	}
}

// run runs first and whatever else queues up while it runs, up to
// maxBatch, in one transaction.
func (b *batcher) run(first *writeReq) {
	db := b.db
	var batch []*writeReq
	var missed []string
	fail := func(err error) {
		for _, r := range batch {
			if r.err == nil && r.panic == nil {
				r.err = err
			}
		}
	}
	defer func() {
		// Prepare before answering, so that a caller finds the writer
		// connection idle again once it has its answer.
		db.writeStmts.prepare(context.Background(), missed)
		for _, r := range batch {
			close(r.ready)
		}
	}()
	batch = append(batch, first)
	stx, err := db.write.BeginTx(context.Background(), db.txOptions(false))
	if err != nil {
		fail(MapErr(err))
		return
	}
	for i := 0; i < len(batch); i++ {
		r := batch[i]
		if lost := b.step(stx, r, &missed); lost != nil {
			stx.Rollback()
			fail(lost)
			return
		}
		if i == len(batch)-1 && len(batch) < maxBatch {
			select {
			case next := <-b.reqs:
				b.waiting.Add(-1)
				batch = append(batch, next)
			default:
			}
		}
	}
	if err := stx.Commit(); err != nil {
		fail(MapErr(err))
		return
	}
	b.commits.Add(1)
	db.ckpt.commit()
}

// step runs one request in a savepoint of stx. lost is not nil when the
// transaction itself is gone (SQLite rolled it back), which fails the batch.
func (b *batcher) step(stx *sql.Tx, r *writeReq, missed *[]string) (lost error) {
	if err := r.ctx.Err(); err != nil {
		r.err = MapErr(err)
		return nil
	}
	bg := context.Background()
	if _, err := stx.ExecContext(bg, "SAVEPOINT w"); err != nil {
		return MapErr(err)
	}
	tx := &Tx{tx: stx, engine: b.db.engine, now: b.db.Now().UTC().Truncate(time.Microsecond), stmts: b.db.writeStmts, detached: true, points: &b.db.points}
	func() {
		defer func() {
			if p := recover(); p != nil {
				r.panic = newWritePanic(p)
			}
		}()
		if r.err = r.fn(tx); r.err == nil {
			r.err = tx.runBeforeCommit(bg)
		}
	}()
	*missed = append(*missed, tx.missed...)
	if tx.lost != nil {
		return tx.lost // SQLite rolled back the whole transaction: every write in it
	}
	if r.err == nil && r.panic == nil {
		if _, err := stx.ExecContext(bg, "RELEASE w"); err != nil {
			return fmt.Errorf("sqldb: release savepoint: %w", MapErr(err))
		}
		return nil
	}
	if _, err := stx.ExecContext(bg, "ROLLBACK TO w"); err != nil {
		return fmt.Errorf("sqldb: roll back savepoint: %w", MapErr(err))
	}
	if _, err := stx.ExecContext(bg, "RELEASE w"); err != nil {
		return fmt.Errorf("sqldb: release savepoint: %w", MapErr(err))
	}
	return nil
}
