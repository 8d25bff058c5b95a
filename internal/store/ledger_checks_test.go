package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// ledgerDue is the ledger sweep's line of JobsDue.
func (w *shopWorld) ledgerDue() store.DueWork {
	w.t.Helper()
	due, err := w.db.JobsDue(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, d := range due {
		if d.Sweep == store.SweepLedger {
			return d
		}
	}
	w.t.Fatal("no ledger sweep in JobsDue")
	return store.DueWork{}
}

// TestLedgerChecksRecorded: every run of the ledger check is recorded with
// who ran it and what it found; the sweep checks once an hour whatever
// else ran, and jobs status says when it is due.
func TestLedgerChecksRecorded(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		if last, err := db.LastLedgerCheck(w.ctx); err != nil || last != nil {
			t.Fatalf("before any check: %+v %v", last, err)
		}
		if d := w.ledgerDue(); d.Due != 1 {
			t.Fatalf("never checked, not due: %+v", d)
		}
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{p.SKUs[0].ID: 10})
		w.payOrder(w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: p.SKUs[0].ID, Quantity: 1}), "k1"))

		if n, err := db.CheckLedgerIfDue(w.ctx, 500); err != nil || n != 1 {
			t.Fatalf("first sweep: %d %v", n, err)
		}
		last, err := db.LastLedgerCheck(w.ctx)
		if err != nil || last == nil || last.By != store.LedgerBySweep || last.Problems != 0 || !last.At.Equal(w.clock.Now()) {
			t.Fatalf("sweep's run: %+v %v", last, err)
		}
		if d := w.ledgerDue(); d.Due != 0 {
			t.Fatalf("just checked, still due: %+v", d)
		}
		w.clock.Advance(59 * time.Minute)
		if n, err := db.CheckLedgerIfDue(w.ctx, 500); err != nil || n != 0 {
			t.Fatalf("within the hour: %d %v", n, err)
		}
		// A run from the console counts as the hour's check.
		if run, problems, err := db.RunLedgerCheck(w.ctx, store.LedgerByConsole); err != nil || len(problems) != 0 || run.By != store.LedgerByConsole {
			t.Fatalf("console run: %+v %v %v", run, problems, err)
		}
		w.clock.Advance(59 * time.Minute)
		if n, err := db.CheckLedgerIfDue(w.ctx, 500); err != nil || n != 0 {
			t.Fatalf("an hour after the sweep but not after the console: %d %v", n, err)
		}
		w.clock.Advance(2 * time.Minute)
		if d := w.ledgerDue(); d.Due != 1 || d.OldestDue == nil || !d.OldestDue.Equal(w.clock.Now().Add(-time.Minute)) {
			t.Fatalf("an hour and a minute after: %+v", d)
		}

		// The books broken: the next run records the problem, and the
		// sweep does not fail for it.
		if err := db.ExecUnguarded(w.ctx, fmt.Sprintf(`UPDATE ledger_accounts SET kind = 'clearing' WHERE code = 'supplier_pending:%d'`, w.supA.ID)); err != nil {
			t.Fatal(err)
		}
		if n, err := db.CheckLedgerIfDue(w.ctx, 500); err != nil || n != 1 {
			t.Fatalf("sweep over broken books: %d %v", n, err)
		}
		runs, err := db.LedgerChecks(w.ctx, 10)
		if err != nil || len(runs) != 3 {
			t.Fatalf("runs: %d %v", len(runs), err)
		}
		if r := runs[0]; r.Problems == 0 || len(r.Detail) == 0 || !strings.Contains(r.Detail[0], "supplier_pending") {
			t.Fatalf("broken books' run: %+v", r)
		}
		if runs[1].By != store.LedgerByConsole || runs[2].By != store.LedgerBySweep {
			t.Fatalf("order of runs: %s, %s", runs[1].By, runs[2].By)
		}
	})
}
