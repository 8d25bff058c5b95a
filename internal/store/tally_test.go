package store_test

import (
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

// TestBacklog measures how late each kind of background work is, by the
// rules each order was placed under, and is zero once the sweeps ran.
func TestBacklog(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		if b, err := db.Backlog(w.ctx); err != nil || b != (store.Backlog{}) {
			t.Fatalf("empty: %+v %v", b, err)
		}
		received, _ := w.order(commission.Line{Base: 1999, Quantity: 1})
		shipped, _ := w.order(commission.Line{Base: 1999, Quantity: 1})
		w.shipAndReceive(received)
		if _, err := db.ShipFulfilment(w.ctx, w.a, shipped, "SF Express", "SF0001"); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(10*day + 3*time.Hour) // after-sale 7 days, auto-confirm 10 days
		b, err := db.Backlog(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := store.Backlog{ConfirmReceipt: 3 * time.Hour, Settle: 3*day + 3*time.Hour, Figures: 10*day + 3*time.Hour}
		if b != want {
			t.Fatalf("backlog %+v, want %+v", b, want)
		}
		if _, err := db.FoldSalesEvents(w.ctx, 100); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmShippedOrders(w.ctx, 100); err != nil {
			t.Fatal(err)
		}
		w.settle(1)
		if b, err := db.Backlog(w.ctx); err != nil || b != (store.Backlog{}) {
			t.Fatalf("after the sweeps: %+v %v", b, err)
		}
	})
}
