package store_test

import (
	"testing"

	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestOrderCompletesWhenTwoSettlementsTakeItsLastLines: two settlement
// transactions (chunks) each settle one of an order's last two lines; the
// first is held after its completion check, which could not yet see the
// second's claim. The second must then see the first's: on PostgreSQL under
// READ COMMITTED a check run in the statement that waited for the order's
// lock reads a snapshot from before the first committed, misses its claim
// too, and the order stays paid for ever.
func TestOrderCompletesWhenTwoSettlementsTakeItsLastLines(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1000, 0}, [2]int64{2000, 0})
		k1, k2 := p.SKUs[0].ID, p.SKUs[1].ID
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{k1: 5, k2: 5})
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: k1, Quantity: 1}, order.Item{SKUID: k2, Quantity: 1}), "")
		w.payOrder(o)
		if len(o.Fulfilments) != 1 || len(o.Lines) != 2 {
			t.Fatalf("order %+v", o)
		}
		fid := o.Fulfilments[0].ID
		if _, err := db.ShipFulfilment(w.ctx, w.a, fid, "SF Express", "SF1234567"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmReceipt(w.ctx, w.cust, fid); err != nil {
			t.Fatal(err)
		}

		h := testutil.Hold(t, db, "settle.lines.completed")
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
		if got, err := db.Order(w.ctx, w.cust, o.ID); err != nil || got.Status != order.Completed {
			t.Fatalf("order after both lines settled: %v %v, want completed", got.Status, err)
		}
		if problems, err := db.CheckLedger(w.ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger: %v %v", problems, err)
		}
	})
}
