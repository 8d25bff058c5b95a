package store_test

import (
	"testing"

	"sharemall/internal/commission"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// earning books a line (lineID, in an order of the same id) whose whole
// commission, 10% of base, is distributor d's as the seller, so settling it
// credits d's wallet and refunding it after settlement claws back from it.
func (f *wdFixture) earning(d, lineID int64, base money.Amount) int64 {
	f.t.Helper()
	snap := commission.Snapshot{Currency: "CNY", SupplierID: 501, SellerID: d,
		Rules: []commission.TierRule{commission.Rate(1000)}, Cap: 3000}
	if _, booked, err := f.db.BookLine(f.ctx, store.LineBooking{LineID: lineID, OrderID: lineID, Snapshot: snap,
		Line: commission.Line{Base: base, Quantity: 1}}); err != nil || !booked {
		f.t.Fatalf("book line %d: booked %v, %v", lineID, booked, err)
	}
	return lineID
}

// notBoth fails the test when d's wallet has money available while it owes:
// later earnings pay the debt first, so the two never stand side by side.
func (f *wdFixture) notBoth(d int64) {
	f.t.Helper()
	if a, debt := f.balance(ledger.DistributorAvailable, d), f.balance(ledger.DistributorDebt, d); a > 0 && debt < 0 {
		f.t.Fatalf("distributor %d has %d available and owes %d at once", d, a, -debt)
	}
}

// TestRejectRacingSettlementThatPaysTheDebt: a reject held after it has
// read the wallet's debt while a settlement pays part of that debt. Unless
// the reject has locked the wallet before reading, the settlement commits
// meanwhile and the reject then pays the same debt a second time: the debt
// account ends in credit. With the lock, the settlement waits and finds the
// debt already paid.
func TestRejectRacingSettlementThatPaysTheDebt(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d, me := f.distributor("Hana")
		f.fund(d, 500)
		w := f.request(me, d, 500, "")
		f.owe(d, 200) // a clawback after the request: nothing available, so all of it is debt
		line := f.earning(d, 7001, 1000)
		f.wallet(d, 0, 500, -200)

		h := testutil.Hold(t, db, "withdrawal.reject.debt_read")
		reject := testutil.Run(func() error {
			_, err := db.RejectWithdrawal(f.ctx, f.op, w.ID, "the bank account is closed")
			return err
		})
		h.Reached()
		settle := testutil.Run(func() error { _, err := db.SettleLine(f.ctx, line); return err })
		testutil.BlockedOrEnded(t, db, settle)
		h.Release()
		if err := reject.Err(t); err != nil {
			t.Fatalf("reject: %v", err)
		}
		if err := settle.Err(t); err != nil {
			t.Fatalf("settle: %v", err)
		}
		// In either order: the hold pays the 200 owed and 300 goes back; the
		// settlement's 100 lands in available.
		f.check()
		f.wallet(d, 400, 0, 0)
	})
}

// TestRejectRacingClawback: a reject held after it has read the wallet's
// debt (none) while a refund after settlement claws back from the wallet
// (nothing available: all of it held by the withdrawal, so it books debt).
// Unless the reject has locked the wallet before reading, it then returns
// the whole hold to available and the wallet has money available and debt
// at once. With the lock, the clawback waits and takes from what came back.
func TestRejectRacingClawback(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d, me := f.distributor("Hana")
		line := f.earning(d, 7002, 1000)
		if settled, err := db.SettleLine(f.ctx, line); err != nil || !settled {
			t.Fatalf("settle: %v %v", settled, err)
		}
		f.fund(d, 400)
		w := f.request(me, d, 500, "")
		f.wallet(d, 0, 500, 0)

		h := testutil.Hold(t, db, "withdrawal.reject.debt_read")
		reject := testutil.Run(func() error {
			_, err := db.RejectWithdrawal(f.ctx, f.op, w.ID, "the bank account is closed")
			return err
		})
		h.Reached()
		refund := testutil.Run(func() error { _, _, err := db.RefundLine(f.ctx, line, "rma-1", commission.Line{}); return err })
		testutil.BlockedOrEnded(t, db, refund)
		h.Release()
		if err := reject.Err(t); err != nil {
			t.Fatalf("reject: %v", err)
		}
		if err := refund.Err(t); err != nil {
			t.Fatalf("refund: %v", err)
		}
		f.check()
		f.notBoth(d)
		// In either order the 100 clawed back comes out of the 500 returned.
		f.wallet(d, 400, 0, 0)
	})
}
