package store_test

import (
	"testing"
	"time"

	"sharemall/internal/fraud"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// The distributor's wallet lock orders hold, release and settle
// (books/holds.go, docs/fraud.md "Hold and settle"). Each test holds one
// side after it took the lock and runs the other beside it: the other
// waits, and sees the first's decision once it commits.

// holdRaceWorld: a seller with an order from an innocent customer, received,
// whose lines are due to settle, and an order by a friend sharing the
// seller's phone that the next fraud sweep flags (a hold).
func holdRaceWorld(t *testing.T, db *store.DB) (*fraudWorld, *order.Order) {
	w := newFraudWorld(t, db)
	w.buy(w.sellerActor, w.x, "+8613900000001", "8 Home Lane")
	o := w.buy(w.customer(), w.seller, "+8613700000002", "99 Other Road")
	w.buy(w.customer(), w.seller, "+8613900000001", "3 Friend Street")
	return w, o
}

func (w *fraudWorld) settleAll(o *order.Order) error {
	for _, l := range o.Lines {
		if _, err := w.db.SettleLine(w.ctx, l.ID); err != nil {
			return err
		}
	}
	return nil
}

// TestFraudHoldWaitsForSettle: a settlement holding the seller's wallet
// lock settles into the wallet; the sweep's new hold waits for it and
// covers only what settles later.
func TestFraudHoldWaitsForSettle(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w, o := holdRaceWorld(t, db)
		h := testutil.Hold(t, db, "settle.wallets.locked")
		settle := testutil.Run(func() error { return w.settleAll(o) })
		h.Reached()
		sweep := testutil.Run(func() error { _, err := db.SweepFraud(w.ctx, 500); return err })
		testutil.BlockedOrEnded(t, db, sweep)
		h.Release()
		if err := settle.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := sweep.Err(t); err != nil {
			t.Fatal(err)
		}
		if got := w.wallet(w.seller.ID); got.Available != 1000 {
			t.Fatalf("seller %+v: settled before the hold, want 1000 available", got)
		}
		if hold := w.held(w.seller.ID); !hold.Held || hold.Pending != 0 {
			t.Fatalf("hold %+v", hold)
		}
		w.checkLedger()
	})
}

// TestFraudSettleWaitsForHold: the sweep holding the seller's wallet lock
// while it holds its settlement; the settlement waits, then sees the hold:
// the seller's share stays pending, the sponsor's is paid.
func TestFraudSettleWaitsForHold(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w, o := holdRaceWorld(t, db)
		h := testutil.Hold(t, db, "hold.wallets.locked")
		sweep := testutil.Run(func() error { _, err := db.SweepFraud(w.ctx, 500); return err })
		h.Reached()
		settle := testutil.Run(func() error { return w.settleAll(o) })
		testutil.BlockedOrEnded(t, db, settle)
		h.Release()
		if err := sweep.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := settle.Err(t); err != nil {
			t.Fatal(err)
		}
		if got := w.wallet(w.seller.ID); got.Available != 0 {
			t.Fatalf("seller %+v: held, want nothing available", got)
		}
		if got := w.wallet(w.mid.ID); got.Available != 500 {
			t.Fatalf("sponsor %+v: want its 500 settled", got)
		}
		if hold := w.held(w.seller.ID); !hold.Held || hold.Pending != 1000 {
			t.Fatalf("hold %+v", hold)
		}
		w.checkLedger()
	})
}

// TestFraudSettleWaitsForRelease: a review releasing the hold holds the
// wallet lock; a settlement waits and then pays the seller, and nothing is
// left held back without a hold.
func TestFraudSettleWaitsForRelease(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w, o := holdRaceWorld(t, db)
		sig := w.sweep()
		if len(sig) != 1 {
			t.Fatalf("signals %+v", sig)
		}
		w.clock.Advance(time.Minute)
		h := testutil.Hold(t, db, "fraud.review.locked")
		review := testutil.Run(func() error {
			_, err := db.ReviewFraudSignal(w.ctx, w.op, sig[0].ID, fraud.Dismissed, "her own phone is on the account")
			return err
		})
		h.Reached()
		settle := testutil.Run(func() error { return w.settleAll(o) })
		testutil.BlockedOrEnded(t, db, settle)
		h.Release()
		if err := review.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := settle.Err(t); err != nil {
			t.Fatal(err)
		}
		if got := w.wallet(w.seller.ID); got.Available != 1000 {
			t.Fatalf("seller %+v: want 1000 available", got)
		}
		if hold := w.held(w.seller.ID); hold.Held || hold.Pending != 0 {
			t.Fatalf("hold %+v", hold)
		}
		w.checkLedger()
	})
}
