package store_test

import (
	"maps"
	"testing"
	"time"

	"sharemall/internal/commission"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestTallyCountsTheMoneyWork follows the worked example through booking, a
// refund of one unit and settlement: the tally counts each once, with the
// commission distributors earn (tiers and area, not markup or fees).
func TestTallyCountsTheMoneyWork(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		f, lines := w.order(commission.Line{Base: 5997, Markup: 300, Quantity: 3})
		got := db.Tally()
		if got.CommissionBooked["CNY"] != (store.Count{N: 1, Amount: 599 + 299}) || len(got.CommissionSettled) != 0 || len(got.Refunds) != 0 {
			t.Fatalf("after booking: %+v", got)
		}
		w.shipAndReceive(f)
		w.clock.Advance(2 * day)
		c := w.open(w.cust, lines[0], store.RefundOnly, 1)
		w.approve(c.ID)
		w.approve(c.ID) // again: nothing more is refunded, nothing more counted
		if got := db.Tally(); got.Refunds["CNY"] != (store.Count{N: 1, Amount: 2099}) {
			t.Fatalf("after the refund: %+v", got)
		}
		w.clock.Advance(6 * day)
		w.settle(1)
		w.settle(0)
		got = db.Tally()
		if got.CommissionSettled["CNY"] != (store.Count{N: 1, Amount: 399 + 199}) || got.CommissionBooked["CNY"].N != 1 {
			t.Fatalf("after settlement: %+v", got)
		}
	})
}

// TestOldestDue measures how late each kind of background work is, by the
// rules each order was placed under, and is zero once the sweeps ran.
func TestOldestDue(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		ages := func() map[string]time.Duration {
			t.Helper()
			due, err := db.JobsDue(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]time.Duration{}
			for _, d := range due {
				if d.Err != "" {
					t.Fatalf("%s: %s", d.Sweep, d.Err)
				}
				if age := d.OldestAge(db.Now()); age != 0 {
					out[d.Sweep] = age
				}
			}
			return out
		}
		if got := ages(); len(got) != 0 {
			t.Fatalf("empty: %v", got)
		}
		received, _ := w.order(commission.Line{Base: 1999, Quantity: 1})
		shipped, _ := w.order(commission.Line{Base: 1999, Quantity: 1})
		w.shipAndReceive(received)
		if _, err := db.ShipFulfilment(w.ctx, w.a, shipped, "SF Express", "SF0001"); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(10*day + 3*time.Hour) // after-sale 7 days, auto-confirm 10 days
		want := map[string]time.Duration{store.SweepConfirmReceipt: 3 * time.Hour, store.SweepSettle: 3*day + 3*time.Hour,
			store.SweepFigures: 10*day + 3*time.Hour, store.SweepInsight: 10*day + 3*time.Hour, store.SweepSimLines: 10*day + 3*time.Hour}
		if got := ages(); !maps.Equal(got, want) {
			t.Fatalf("oldest due %v, want %v", got, want)
		}
		if _, err := db.FoldSalesEvents(w.ctx, 100); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmShippedOrders(w.ctx, 100); err != nil {
			t.Fatal(err)
		}
		w.settle(1)
		if _, err := db.FoldInsight(w.ctx, 100); err != nil { // the sales events and the settlement
			t.Fatal(err)
		}
		if _, err := db.FoldSimLines(w.ctx, 100); err != nil {
			t.Fatal(err)
		}
		if got := ages(); len(got) != 0 {
			t.Fatalf("after the sweeps: %v", got)
		}
	})
}
