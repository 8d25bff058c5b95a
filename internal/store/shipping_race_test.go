package store_test

import (
	"testing"

	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/shipping"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// feeParcel is a paid order of two lines of supplier A in one parcel with
// a shipping fee of 10.00 + 5.00 (two pieces), shipped and received.
func feeParcel(t *testing.T, db *store.DB) (*shopWorld, *order.Order) {
	t.Helper()
	w := newShopWorld(t, db)
	p := w.product(w.a, "Tea", [2]int64{1000, 0}, [2]int64{2000, 0})
	k1, k2 := p.SKUs[0].ID, p.SKUs[1].ID
	w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{k1: 5, k2: 5})
	tmpl, err := db.SaveShippingTemplate(w.ctx, w.a, &shipping.Template{Name: "Express", Basis: shipping.PerPiece, Default: piece(1, 1000, 1, 500)})
	if err == nil {
		err = db.SetShippingTemplate(w.ctx, w.a, 0, 0, tmpl.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: k1, Quantity: 1}, order.Item{SKUID: k2, Quantity: 1}), "")
	if len(o.Fulfilments) != 1 || o.Shipping != 1500 {
		t.Fatalf("order %+v", o)
	}
	w.payOrder(o)
	return w, o
}

// TestParcelFeeSettlesWhenTwoSettlementsTakeItsLastLines: two settlements
// each settle one of a parcel's two lines; the first is held after it
// checked the parcel's lines (the second's not settled yet). The second
// waits for the fee row the first locked, then its check (a statement of
// its own, after the lock) sees the first's line settled and settles the
// fee. Checked without the lock, each would miss the other and the fee
// would stay pending for ever.
func TestParcelFeeSettlesWhenTwoSettlementsTakeItsLastLines(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w, o := feeParcel(t, db)
		h := testutil.Hold(t, db, "settle.parcel.checked")
		first := testutil.Run(func() error { _, err := db.SettleLine(w.ctx, o.Lines[0].ID); return err })
		h.Reached()
		second := testutil.Run(func() error { _, err := db.SettleLine(w.ctx, o.Lines[1].ID); return err })
		testutil.BlockedOrEnded(t, db, second)
		h.Release()
		if err := first.Err(t); err != nil {
			t.Fatalf("first: %v", err)
		}
		if err := second.Err(t); err != nil {
			t.Fatalf("second: %v", err)
		}
		fid := o.Fulfilments[0].ID
		if n := w.int(`SELECT COUNT(*) FROM parcel_fees WHERE fulfilment_id = ? AND status = 'settled'`, fid); n != 1 {
			t.Fatal("the parcel's fee was left pending after both its lines settled")
		}
		if b, _ := db.Balance(w.ctx, "supplier_pending:"+itoa(w.supA.ID)); b != 0 {
			t.Fatalf("supplier pending %d", b)
		}
		w.checkLedger()
	})
}

// TestParcelFeeRefundedWhenTwoCasesTakeItsLastUnits: two after-sale cases
// each refund the whole of one of a parcel's two lines; the first is held
// with the fee row locked, after its check found the second's line not yet
// refunded (so it keeps the fee). The second refunds its line and waits for
// the row; checking after the first committed, it gives the fee back, once.
// Checked without the lock, the second would miss the first's refund too.
func TestParcelFeeRefundedWhenTwoCasesTakeItsLastUnits(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w, o := feeParcel(t, db)
		sandbox := &payment.Sandbox{Secret: []byte("s")}
		var cases [2]int64
		for i, l := range o.Lines {
			c, err := db.OpenCase(w.ctx, w.cust, l.ID, store.RefundOnly, 1, "broken")
			if err != nil {
				t.Fatal(err)
			}
			cases[i] = c.ID
		}
		h := testutil.Hold(t, db, "refund.parcel.checked")
		first := testutil.Run(func() error { _, err := db.DecideCase(w.ctx, w.a, cases[0], true, "", sandbox); return err })
		h.Reached()
		second := testutil.Run(func() error { _, err := db.DecideCase(w.ctx, w.a, cases[1], true, "", sandbox); return err })
		testutil.BlockedOrEnded(t, db, second)
		h.Release()
		if err := first.Err(t); err != nil {
			t.Fatalf("first: %v", err)
		}
		if err := second.Err(t); err != nil {
			t.Fatalf("second: %v", err)
		}
		pay, err := db.PaymentByRef(w.ctx, "sandbox", "ref-"+itoa(o.ID))
		if err != nil || pay.RefundedAmount != 1000+2000+1500 {
			t.Fatalf("refunded %+v %v, want goods and the fee back", pay, err)
		}
		if n := w.int(`SELECT COUNT(*) FROM journals WHERE idempotency_key LIKE 'refund:parcel:%'`); n != 1 {
			t.Fatalf("%d fee refunds", n)
		}
		w.checkLedger()
	})
}
