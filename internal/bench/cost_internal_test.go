package bench

import "testing"

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
