package store_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/ledger"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// failures returns the recorded failures of kind by item.
func (w *shopWorld) failures(kind string) map[string]store.JobFailure {
	w.t.Helper()
	list, err := w.db.JobFailures(w.ctx, kind)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[string]store.JobFailure{}
	for _, f := range list {
		out[f.Item] = f
	}
	return out
}

// wantItemsFailed checks a sweep's answer: done items, and count failed
// items recorded (an ItemsFailed error) or none (no error).
func wantItemsFailed(t *testing.T, what string, n int, err error, done, failed int) {
	t.Helper()
	var f *store.ItemsFailed
	switch {
	case failed == 0 && err != nil, failed > 0 && !errors.As(err, &f):
		t.Fatalf("%s: %d done, error %v; want %d done, %d failed", what, n, err, done, failed)
	case n != done || (failed > 0 && f.Count != failed):
		t.Fatalf("%s: %d done, error %v; want %d done, %d failed", what, n, err, done, failed)
	}
}

func id(v int64) string { return strconv.FormatInt(v, 10) }

func TestBackoffDoublesUpToTheCap(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := store.Backoff(int64(i + 1)); got != w {
			t.Fatalf("after %d failures: %v, want %v", i+1, got, w)
		}
	}
	if got := store.Backoff(1000); got != store.FailureBackoffCap {
		t.Fatalf("after 1000 failures: %v", got)
	}
}

// TestCancelSweepGoesOnPastABadOrder: an unpaid order that cannot be
// cancelled (its stock row was corrupted, so releasing it breaks the stock
// rule) is recorded with its error; the orders after it are cancelled. It is
// left alone until its backoff has passed, retried then, and cleared once
// the row is repaired.
func TestCancelSweepGoesOnPastABadOrder(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0}, [2]int64{2000, 0})
		tea, pot := p.SKUs[0].ID, p.SKUs[1].ID
		wh := w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{tea: 10, pot: 10})
		bad := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: tea, Quantity: 2}), "k1") // first due
		good1 := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: pot, Quantity: 1}), "k2")
		good2 := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: pot, Quantity: 1}), "k3")
		w.exec(`UPDATE stock SET reserved = 0 WHERE warehouse_id = ? AND sku_id = ?`, wh, tea)

		w.clock.Advance(31 * time.Minute)
		n, err := db.CancelUnpaidOrders(w.ctx, 100)
		wantItemsFailed(t, "first sweep", n, err, 2, 1)
		for _, o := range []*order.Order{good1, good2} {
			if w.int(`SELECT COUNT(*) FROM orders WHERE id = ? AND status = 'cancelled'`, o.ID) != 1 {
				t.Fatalf("order %d after the bad one was not cancelled", o.ID)
			}
		}
		f, ok := w.failures(store.SweepCancelUnpaid)[id(bad.ID)]
		if !ok || f.Attempts != 1 || !strings.Contains(f.LastError, "rule of the database") ||
			!f.NextAttemptAt.Equal(w.clock.Now().Add(time.Minute)) {
			t.Fatalf("failure = %+v (found %v)", f, ok)
		}
		if due, err := db.JobsDue(w.ctx); err != nil || due[0].Sweep != store.SweepCancelUnpaid || due[0].Due != 0 || due[0].Failing != 1 || due[0].RetryDue != 0 {
			t.Fatalf("due = %+v, %v", due, err)
		}

		// Before its backoff has passed the order is left alone.
		n, err = db.CancelUnpaidOrders(w.ctx, 100)
		wantItemsFailed(t, "within the backoff", n, err, 0, 0)
		if f := w.failures(store.SweepCancelUnpaid)[id(bad.ID)]; f.Attempts != 1 {
			t.Fatalf("retried within the backoff: %+v", f)
		}
		// Then retried: it fails again and waits twice as long.
		w.clock.Advance(time.Minute)
		n, err = db.CancelUnpaidOrders(w.ctx, 100)
		wantItemsFailed(t, "first retry", n, err, 0, 1)
		if f := w.failures(store.SweepCancelUnpaid)[id(bad.ID)]; f.Attempts != 2 || !f.NextAttemptAt.Equal(w.clock.Now().Add(2*time.Minute)) {
			t.Fatalf("after the first retry: %+v", f)
		}
		// Repaired, it is cancelled at its next attempt and forgotten.
		w.exec(`UPDATE stock SET reserved = 2 WHERE warehouse_id = ? AND sku_id = ?`, wh, tea)
		w.clock.Advance(time.Minute)
		if n, err = db.CancelUnpaidOrders(w.ctx, 100); n != 0 || err != nil {
			t.Fatalf("retried before its next attempt: %d %v", n, err)
		}
		w.clock.Advance(time.Minute)
		n, err = db.CancelUnpaidOrders(w.ctx, 100)
		wantItemsFailed(t, "retry after the repair", n, err, 1, 0)
		if len(w.failures("")) != 0 {
			t.Fatalf("failure kept: %v", w.failures(""))
		}
		if _, reserved := w.stock(wh, tea); reserved != 0 || w.int(`SELECT COUNT(*) FROM orders WHERE status = 'cancelled'`) != 3 {
			t.Fatalf("reserved %d after the retry", reserved)
		}
	})
}

// TestSettleChunkIsolatesABadLine: four lines due together make one chunk
// of settlement; the second cannot be booked (its supplier's pending
// account was corrupted to another currency). The chunk is settled again
// line by line: the three good lines settle, the bad one is recorded, and
// it settles once repaired and its backoff has passed.
func TestSettleChunkIsolatesABadLine(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		c := w.customer(w.seller)
		var orders []*order.Order
		for _, sku := range []int64{w.tea, w.cup, w.tea, w.tea} {
			orders = append(orders, w.buy(c, "CN.44.03.05", order.Item{SKUID: sku, Quantity: 1}))
		}
		for _, o := range orders {
			fid := w.int(`SELECT id FROM fulfilment_orders WHERE order_id = ?`, o.ID)
			who := w.a
			if o == orders[1] {
				who = w.b
			}
			if _, err := db.ShipFulfilment(w.ctx, who, fid, "SF Express", "SF1234567"); err != nil {
				t.Fatal(err)
			}
		}
		w.clock.Advance(11 * 24 * time.Hour)
		if n, err := db.ConfirmShippedOrders(w.ctx, 100); n != 4 || err != nil {
			t.Fatalf("confirm: %d %v", n, err)
		}
		w.clock.Advance(8 * 24 * time.Hour)
		badLine := w.int(`SELECT id FROM order_lines WHERE order_id = ?`, orders[1].ID)
		pending := ledger.Code(ledger.SupplierPending, w.supB.ID)
		if err := db.ExecUnguarded(w.ctx, `UPDATE ledger_accounts SET currency = 'USD' WHERE code = '`+pending+`'`); err != nil {
			t.Fatal(err)
		}

		n, err := db.SettleMaturedLines(w.ctx, 100)
		wantItemsFailed(t, "settle", n, err, 3, 1)
		if got := w.int(`SELECT COUNT(*) FROM commission_lines WHERE status = 'settled'`); got != 3 {
			t.Fatalf("%d lines settled, want the 3 good ones", got)
		}
		f, ok := w.failures(store.SweepSettle)[id(badLine)]
		if !ok || f.Attempts != 1 || !strings.Contains(f.LastError, "is in USD, not CNY") {
			t.Fatalf("failure of line %d = %+v (found %v; all %v)", badLine, f, ok, w.failures(""))
		}
		if n, err := db.SettleMaturedLines(w.ctx, 100); n != 0 || err != nil {
			t.Fatalf("within the backoff: %d %v", n, err)
		}

		if err := db.ExecUnguarded(w.ctx, `UPDATE ledger_accounts SET currency = 'CNY' WHERE code = '`+pending+`'`); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Minute)
		n, err = db.SettleMaturedLines(w.ctx, 100)
		wantItemsFailed(t, "retry", n, err, 1, 0)
		if len(w.failures("")) != 0 || w.int(`SELECT COUNT(*) FROM orders WHERE status = 'completed'`) != 4 {
			t.Fatalf("after the retry: failures %v", w.failures(""))
		}
		if problems, err := db.CheckLedger(w.ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger: %v %v", problems, err)
		}
	})
}

// TestFoldGoesOnPastACorruptEvent: a sales event whose base was corrupted
// beyond any real line's cannot fold (folding it would wrap the sums); the
// events around it fold, it is recorded, and it folds once repaired.
func TestFoldGoesOnPastACorruptEvent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newFiguresWorld(t, db)
		c := w.customer(w.seller)
		for range 3 {
			w.buy(c, "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 1})
		}
		bad := w.int(`SELECT id FROM sales_events ORDER BY id LIMIT 1 OFFSET 1`)
		w.exec(`UPDATE sales_events SET base = ? WHERE id = ?`, int64(9_000_000_000_000_000_000), bad)

		n, err := db.FoldSalesEvents(w.ctx, 100)
		wantItemsFailed(t, "fold", n, err, 2, 1)
		if f, ok := w.failures(store.SweepFigures)[id(bad)]; !ok || !strings.Contains(f.LastError, "the row is corrupt") {
			t.Fatalf("failure = %+v (found %v)", f, ok)
		}
		if got := w.int(`SELECT own_sales FROM distributor_sales WHERE distributor_id = ?`, w.seller.ID); got != 2000 {
			t.Fatalf("seller's own sales %d, want the two good events' 2000", got)
		}
		if n, err := db.FoldSalesEvents(w.ctx, 100); n != 0 || err != nil {
			t.Fatalf("within the backoff: %d %v", n, err)
		}

		w.exec(`UPDATE sales_events SET base = 1000 WHERE id = ?`, bad)
		w.clock.Advance(time.Minute)
		n, err = db.FoldSalesEvents(w.ctx, 100)
		wantItemsFailed(t, "retry", n, err, 1, 0)
		if got := w.int(`SELECT own_sales FROM distributor_sales WHERE distributor_id = ?`, w.seller.ID); got != 3000 || len(w.failures("")) != 0 {
			t.Fatalf("own sales %d, failures %v", got, w.failures(""))
		}
	})
}

// TestGradesGoOnPastABadDistributor: one distributor whose figures cannot
// be read fails the grades batch; the sweep looks at the others one by one
// (the seller is upgraded), records the bad one, and looks at it once
// repaired. SQLite only: it is the engine that lets a figure hold a value
// of the wrong type (as an overflowing sum there does); PostgreSQL's types
// leave no per-distributor row to corrupt, and the mechanism is the one
// the tests above prove on both engines.
func TestGradesGoOnPastABadDistributor(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		if db.Engine() != store.SQLite {
			t.Skip("no per-distributor fault to plant on PostgreSQL")
		}
		w := newFiguresWorld(t, db)
		silver, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Silver", Rank: 1, OwnSalesMin: 500})
		if err != nil {
			t.Fatal(err)
		}
		w.buy(w.customer(w.seller), "CN.44.03.05", order.Item{SKUID: w.tea, Quantity: 1})
		if n, err := db.FoldSalesEvents(w.ctx, 100); n != 1 || err != nil {
			t.Fatalf("fold: %d %v", n, err)
		}
		w.exec(`UPDATE distributor_sales SET own_sales = 'corrupt' WHERE distributor_id = ?`, w.mid.ID)

		n, err := db.UpgradeGrades(w.ctx, 100)
		wantItemsFailed(t, "grades", n, err, 2, 1) // root and seller looked at, mid failed
		if got, err := db.Distributor(w.ctx, w.op, w.seller.ID); err != nil || got.GradeID != silver.ID {
			t.Fatalf("seller not upgraded past the bad row: %+v %v", got, err)
		}
		if _, ok := w.failures(store.SweepGrades)[id(w.mid.ID)]; !ok {
			t.Fatalf("failures = %v", w.failures(""))
		}
		w.exec(`UPDATE distributor_sales SET own_sales = 0 WHERE distributor_id = ?`, w.mid.ID)
		w.clock.Advance(time.Minute)
		n, err = db.UpgradeGrades(w.ctx, 100)
		wantItemsFailed(t, "retry", n, err, 1, 0)
		if len(w.failures("")) != 0 {
			t.Fatalf("failures = %v", w.failures(""))
		}
	})
}

// TestRecordFailureKeepsAnyErrorText: an error's text may quote corrupt
// data; it is kept as valid UTF-8 without NUL (PostgreSQL refuses both in
// TEXT), cut to a bounded length.
func TestRecordFailureKeepsAnyErrorText(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		long := "bad \xff\x00 row: " + strings.Repeat("长", 1000)
		if err := db.RecordFailure(w.ctx, "test", "1", errors.New(long)); err != nil {
			t.Fatal(err)
		}
		f := w.failures("test")["1"]
		if !strings.HasPrefix(f.LastError, "bad ?? row: 长") || len(f.LastError) > 2000 || f.Attempts != 1 {
			t.Fatalf("kept %q (%d bytes)", f.LastError[:20], len(f.LastError))
		}
		if err := db.RecordFailure(w.ctx, "test", "1", errors.New("again")); err != nil {
			t.Fatal(err)
		}
		if f := w.failures("test")["1"]; f.Attempts != 2 || f.LastError != "again" || !f.NextAttemptAt.Equal(w.clock.Now().Add(2*time.Minute)) {
			t.Fatalf("second failure: %+v", f)
		}
		if err := db.ClearFailure(w.ctx, "test", "1"); err != nil || len(w.failures("")) != 0 {
			t.Fatalf("clear: %v %v", err, w.failures(""))
		}
	})
}
