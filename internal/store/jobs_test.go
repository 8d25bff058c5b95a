package store_test

import (
	"fmt"
	"testing"
	"time"

	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// payOrder pays an order through the sandbox's store path, as a verified callback would.
func (w *shopWorld) payOrder(o *order.Order) {
	w.t.Helper()
	ref := fmt.Sprintf("ref-%d", o.ID)
	if _, err := w.db.StartPayment(w.ctx, w.cust, o.ID, "sandbox", ref); err != nil {
		w.t.Fatal(err)
	}
	if _, _, err := w.db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: o.Currency, Payload: "{}"}); err != nil {
		w.t.Fatal(err)
	}
}

// TestSweepsCancelConfirm: an unpaid order past its deadline is cancelled
// and its stock and coupon use released, exactly once; a shipped order is
// confirmed received after the auto-confirm days of the rules it was placed
// under, even when the rules changed since.
func TestSweepsCancelConfirm(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		sku := p.SKUs[0].ID
		wh := w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{sku: 10})
		w.coupon(w.seller, "SAVE1", "amount", 100, 5)

		unpaid := w.checkout(w.cust, withCoupon(cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 3}), "SAVE1"), "k1")
		if onHand, reserved := w.stock(wh, sku); onHand != 10 || reserved != 3 {
			t.Fatalf("after checkout: on hand %d, reserved %d", onHand, reserved)
		}
		paid := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 2}), "k2")
		w.payOrder(paid)

		// Not yet due: nothing happens.
		if n, err := db.CancelUnpaidOrders(w.ctx, 100); err != nil || n != 0 {
			t.Fatalf("early cancel: %d %v", n, err)
		}
		w.clock.Advance(31 * time.Minute)
		if n, err := db.CancelUnpaidOrders(w.ctx, 100); err != nil || n != 1 {
			t.Fatalf("cancel: %d %v", n, err)
		}
		if n, err := db.CancelUnpaidOrders(w.ctx, 100); err != nil || n != 0 {
			t.Fatalf("second cancel: %d %v", n, err)
		}
		if onHand, reserved := w.stock(wh, sku); onHand != 8 || reserved != 0 {
			t.Fatalf("after cancel: on hand %d, reserved %d (the paid order's 2 are committed)", onHand, reserved)
		}
		if used := w.int(`SELECT used FROM coupons WHERE code = 'SAVE1'`); used != 0 {
			t.Fatalf("coupon use not released: %d", used)
		}
		if st := w.int(`SELECT COUNT(*) FROM orders WHERE id = ? AND status = 'cancelled'`, unpaid.ID); st != 1 {
			t.Fatal("order not cancelled")
		}

		// Ship the paid order, then lengthen auto-confirm: the order keeps its 10 days.
		fid := w.int(`SELECT id FROM fulfilment_orders WHERE order_id = ?`, paid.ID)
		if _, err := db.ShipFulfilment(w.ctx, w.a, fid, "SF Express", "SF1234567"); err != nil {
			t.Fatal(err)
		}
		w.settings(func(s *program.Settings) { s.AutoConfirmDays = 30 })
		w.clock.Advance(9 * 24 * time.Hour)
		if n, err := db.ConfirmShippedOrders(w.ctx, 100); err != nil || n != 0 {
			t.Fatalf("confirm on day 9: %d %v", n, err)
		}
		w.clock.Advance(24*time.Hour + time.Second)
		if n, err := db.ConfirmShippedOrders(w.ctx, 100); err != nil || n != 1 {
			t.Fatalf("confirm on day 10: %d %v", n, err)
		}
		// Settlement waits the after-sale days after receipt, then settles once.
		w.clock.Advance(6 * 24 * time.Hour)
		if n, err := db.SettleMaturedLines(w.ctx, 100); err != nil || n != 0 {
			t.Fatalf("settle on day 6: %d %v", n, err)
		}
		w.clock.Advance(24*time.Hour + time.Second)
		if n, err := db.SettleMaturedLines(w.ctx, 100); err != nil || n != 1 {
			t.Fatalf("settle on day 7: %d %v", n, err)
		}
		if n, err := db.SettleMaturedLines(w.ctx, 100); err != nil || n != 0 {
			t.Fatalf("settle again: %d %v", n, err)
		}
		if st := w.int(`SELECT COUNT(*) FROM orders WHERE id = ? AND status = 'completed'`, paid.ID); st != 1 {
			t.Fatal("order not completed")
		}
		if problems, err := db.CheckLedger(w.ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger: %v %v", problems, err)
		}
	})
}

func withCoupon(in order.CheckoutInput, code string) order.CheckoutInput {
	in.CouponCode = code
	return in
}
