package store_test

import (
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestHoldAtAPoint proves the interleaving harness on both engines: a
// withdrawal held at its point, with the wallet locked, makes a second
// request on the same wallet wait (BlockedOrEnded sees it waiting, not
// ended); once released, the first takes the money and the second is
// refused, whatever the engine.
func TestHoldAtAPoint(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 0, 10)
		d, me := f.distributor("Hana")
		f.fund(d, 500)

		h := testutil.Hold(t, db, "withdrawal.request.held")
		first := testutil.Run(func() error { _, err := db.RequestWithdrawal(f.ctx, me, d, 400, ""); return err })
		h.Reached()
		second := testutil.Run(func() error { _, err := db.RequestWithdrawal(f.ctx, me, d, 400, ""); return err })
		if testutil.BlockedOrEnded(t, db, second) {
			t.Fatalf("the second request ended (%v) while the first held the wallet", second.Err(t))
		}
		h.Release()
		if err := first.Err(t); err != nil {
			t.Fatalf("first: %v", err)
		}
		if err := second.Err(t); errs.CodeOf(err) != errs.Conflict || errs.FieldOf(err) != "amount" {
			t.Fatalf("second: %v, want a conflict on amount", err)
		}
		f.check()
	})
}
