package bench

import (
	"testing"
	"time"
)

// The role's statements are summed entry by entry; an entry that
// pg_stat_statements evicted in between makes the sum unknown, not short.
func TestStatementsBetween(t *testing.T) {
	b := &pgSnap{statements: map[stmtKey]stmtUse{{1, true}: {calls: 10, wal: 100}, {2, true}: {calls: 5, wal: 0}}}
	a := &pgSnap{statements: map[stmtKey]stmtUse{{1, true}: {calls: 40, wal: 400}, {2, true}: {calls: 8, wal: 0}, {3, true}: {calls: 2, wal: 50}}}
	if calls, wal, ok, _ := statementsBetween(b, a); !ok || calls != 35 || wal != 350 {
		t.Errorf("calls %d, wal %d, ok %v; want 35, 350, true", calls, wal, ok)
	}
	delete(a.statements, stmtKey{2, true})
	if _, _, ok, why := statementsBetween(b, a); ok || why == "" {
		t.Errorf("an evicted entry: ok %v (%q)", ok, why)
	}
	a.statements[stmtKey{2, true}] = stmtUse{calls: 1}
	if _, _, ok, _ := statementsBetween(b, a); ok {
		t.Error("an entry evicted and made again: counted")
	}
}

// Shares are of the samples inside a transaction (idle connections left
// out), and lock waits are shared out by the waiting statement.
func TestWaitsFinish(t *testing.T) {
	w := &waitSampler{counts: map[string]int64{"idle": 40, "CPU": 30, "idle in transaction": 50, "Lock:transactionid": 20},
		locked: map[string]int64{"SELECT a": 15, "UPDATE b": 5}, samples: 10, stop: make(chan struct{}), done: make(chan struct{})}
	close(w.done)
	got := w.finish(20 * time.Millisecond)
	if got.InTxAverage != 10 || got.IdleAverage != 4 || got.PeriodMS != 20 {
		t.Errorf("averages %v, %v, period %v", got.InTxAverage, got.IdleAverage, got.PeriodMS)
	}
	want := map[string]float64{"CPU": 0.3, "idle in transaction": 0.5, "Lock:transactionid": 0.2}
	if len(got.Shares) != len(want) {
		t.Errorf("shares %v", got.Shares)
	}
	for k, v := range want {
		if got.Shares[k] != v {
			t.Errorf("share of %s = %v, want %v", k, got.Shares[k], v)
		}
	}
	if got.LockWaits["SELECT a"] != 0.75 || got.LockWaits["UPDATE b"] != 0.25 {
		t.Errorf("lock waits %v", got.LockWaits)
	}
}
