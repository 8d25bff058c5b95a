package store_test

import (
	"testing"

	"sharemall/internal/commission"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestAfterSaleRefundsShareOneLockOrder: a return received after
// settlement claws back from the seller's and sponsor's wallets and puts the
// units back on hand; a refund that empties an unshipped fulfilment order of
// the same SKU and warehouse settles the order's other line (the same
// earners' wallets) and puts its units back too. Both lock the wallets
// before the stock row, so with the return held between the two the refund
// waits for it instead of deadlocking (PostgreSQL answered "deadlock
// detected" when the refund took the stock row first).
func TestAfterSaleRefundsShareOneLockOrder(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		// Order A: received and settled, then returned (an operator's late case).
		fa, la := w.order(commission.Line{Base: 1999, Quantity: 1})
		w.shipAndReceive(fa)
		w.clock.Advance(8 * day)
		w.settle(1)
		ret := w.open(w.op, la[0], store.ReturnRefund, 1)
		w.approve(ret.ID)
		if _, err := db.ReturnShipped(w.ctx, w.cust, ret.ID, "SF Express", "SF7777"); err != nil {
			t.Fatal(err)
		}
		// Order B: two lines, unshipped; the first refunded (its case ended),
		// the second's refund empties the fulfilment order.
		_, lb := w.order(commission.Line{Base: 1999, Quantity: 1}, commission.Line{Base: 1999, Quantity: 1})
		w.approve(w.open(w.cust, lb[0], store.RefundOnly, 1).ID)
		last := w.open(w.cust, lb[1], store.RefundOnly, 1)

		h := testutil.Hold(t, db, "aftersale.refund.restock")
		returned := testutil.Run(func() error { _, err := db.ReturnReceived(w.ctx, w.a, ret.ID, w.sandbox); return err })
		h.Reached()
		refunded := testutil.Run(func() error { _, err := db.DecideCase(w.ctx, w.a, last.ID, true, "sorry", w.sandbox); return err })
		testutil.BlockedOrEnded(t, db, refunded)
		h.Release()
		if err := returned.Err(t); err != nil {
			t.Fatalf("return received: %v", err)
		}
		if err := refunded.Err(t); err != nil {
			t.Fatalf("refund emptying the fulfilment order: %v", err)
		}
		if got := w.onHand(); got != 100-3+3 {
			t.Fatalf("on hand %d, want every unit back", got)
		}
		if l := w.line(lb[0]); l.Status != store.LineSettled {
			t.Fatalf("the refunded sibling line is %s, want settled with the cancelled fulfilment order", l.Status)
		}
		w.clean()
	})
}
