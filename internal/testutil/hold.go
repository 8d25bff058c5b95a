package testutil

import (
	"context"
	"sync"
	"testing"
	"time"

	"sharemall/internal/store"
)

// Held is a transaction held at a named point (store.DB.OnPoint) until the
// test releases it. Only the first transaction to reach the point is held;
// later ones pass through, so the operation run meanwhile is not caught too.
type Held struct {
	tb      testing.TB
	point   string
	reached chan struct{}
	release chan struct{}
	once    sync.Once
}

// patience bounds every wait of the harness. It is a liveness bound, not a
// timing assertion: an operation that neither finishes nor waits on a lock
// in that long is stuck, and the test says which.
const patience = 30 * time.Second

// Hold arms point on db: the first transaction to reach it waits there until
// Release (or the end of the test).
func Hold(tb testing.TB, db *store.DB, point string) *Held {
	tb.Helper()
	h := &Held{tb: tb, point: point, reached: make(chan struct{}), release: make(chan struct{})}
	var first sync.Once
	db.OnPoint(point, func(ctx context.Context) {
		held := false
		first.Do(func() { held = true })
		if !held {
			return
		}
		close(h.reached)
		<-h.release
	})
	tb.Cleanup(func() {
		h.Release()
		db.OnPoint(point, nil)
	})
	return h
}

// Reached waits until a transaction is held at the point.
func (h *Held) Reached() {
	h.tb.Helper()
	select {
	case <-h.reached:
	case <-time.After(patience):
		h.tb.Fatalf("no transaction reached %s", h.point)
	}
}

// Release lets the held transaction go on.
func (h *Held) Release() { h.once.Do(func() { close(h.release) }) }

// Run starts op in a goroutine; the returned Op says when it has ended.
func Run(op func() error) *Op {
	o := &Op{done: make(chan struct{})}
	go func() {
		defer close(o.done)
		o.err = op()
	}()
	return o
}

// Op is an operation running beside the test.
type Op struct {
	done chan struct{}
	err  error
}

// Err waits for the operation to end and returns its error.
func (o *Op) Err(tb testing.TB) error {
	tb.Helper()
	select {
	case <-o.done:
		return o.err
	case <-time.After(patience):
		tb.Fatalf("operation did not end")
		return nil
	}
}

// Ended reports whether the operation has ended, without waiting.
func (o *Op) Ended() bool {
	select {
	case <-o.done:
		return true
	default:
		return false
	}
}

// BlockedOrEnded waits until op has ended or at least one write of db waits
// on a lock (or, on SQLite, for the writer): then whatever op could do
// before meeting the held transaction's locks, it has done. It reports
// whether op ended.
//
// A write seen waiting must still wait a while later (settle): on SQLite a
// write handed to the writer counts as waiting until the writer's loop
// takes it, which on a loaded machine can take milliseconds though nothing
// blocks it; a write that is really blocked stays waiting.
func BlockedOrEnded(tb testing.TB, db *store.DB, op *Op) bool {
	tb.Helper()
	const settle = 200 * time.Millisecond
	deadline := time.Now().Add(patience)
	var since time.Time // when the waiting writes were first seen, zero when none are
	for time.Now().Before(deadline) {
		if op.Ended() {
			return true
		}
		n, err := db.WaitingWrites(context.Background())
		if err != nil {
			tb.Fatalf("waiting writes: %v", err)
		}
		switch {
		case n == 0:
			since = time.Time{}
		case since.IsZero():
			since = time.Now()
		case time.Since(since) >= settle:
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	tb.Fatalf("the operation neither ended nor waited on a lock")
	return false
}
