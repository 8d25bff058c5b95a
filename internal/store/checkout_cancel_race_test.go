package store_test

import (
	"testing"
	"time"

	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestCheckoutAndCancelSweepShareOneLockOrder: a checkout with a coupon is
// held once it has counted the coupon's use while the cancel sweep releases
// an unpaid order of the same SKU and coupon. Were the checkout to lock the
// coupon before the stock and the sweep the stock before the coupon, each
// would wait for the other and PostgreSQL would kill one as a deadlock.
// With one order (stock, then coupon) the sweep waits, and both succeed.
func TestCheckoutAndCancelSweepShareOneLockOrder(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0})
		sku := p.SKUs[0].ID
		wh := w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{sku: 10})
		w.coupon(w.seller, "SAVE1", "amount", 100, 5)
		unpaid := w.checkout(w.cust, withCoupon(cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 3}), "SAVE1"), "k1")
		w.clock.Advance(31 * time.Minute) // past its payment deadline

		h := testutil.Hold(t, db, "checkout.coupon.redeemed")
		var placed *order.Order
		checkout := testutil.Run(func() error {
			var err error
			placed, err = db.Checkout(w.ctx, w.cust, withCoupon(cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 2}), "SAVE1"), "k2")
			return err
		})
		h.Reached()
		cancel := testutil.Run(func() error {
			n, err := db.CancelUnpaidOrders(w.ctx, 100)
			if err == nil && n != 1 {
				t.Errorf("cancelled %d orders, want 1", n)
			}
			return err
		})
		testutil.BlockedOrEnded(t, db, cancel)
		h.Release()
		if err := checkout.Err(t); err != nil {
			t.Fatalf("checkout: %v", err)
		}
		if err := cancel.Err(t); err != nil {
			t.Fatalf("cancel sweep: %v", err)
		}
		if got, err := db.Order(w.ctx, w.cust, unpaid.ID); err != nil || got.Status != order.Cancelled {
			t.Fatalf("unpaid order: %v %v, want cancelled", got.Status, err)
		}
		if placed.Status != order.Unpaid || placed.Discount != 100 {
			t.Fatalf("new order %+v", placed)
		}
		if onHand, reserved := w.stock(wh, sku); onHand != 10 || reserved != 2 {
			t.Fatalf("stock: on hand %d, reserved %d; want 10, 2", onHand, reserved)
		}
		if used := w.int(`SELECT used FROM coupons WHERE code = 'SAVE1'`); used != 1 {
			t.Fatalf("coupon used %d times, want 1", used)
		}
	})
}
