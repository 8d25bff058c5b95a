package store_test

import (
	"testing"

	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestPurchaseRoundTrips counts the round trips to PostgreSQL of a
// purchase's three steps: a 2-line order attributed to a seller with an
// upline, from two suppliers, opened and paid. PostgreSQL transactions are
// pipelined (internal/sqldb, pg.go): BEGIN goes with the first statement,
// writes nobody waits for go with the next statement, and independent
// reads share one round trip. A statement added to these paths in a way
// that costs a round trip of its own fails this test; raise the bound only
// knowing why. Through database/sql, a round trip per statement with BEGIN
// and COMMIT their own, the bench's purchase took 56; now it takes 30.
func TestPurchaseRoundTrips(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		if db.Engine() != store.Postgres {
			t.Skip("SQLite runs in the process: no round trips")
		}
		w := newShopWorld(t, db)
		tea := w.product(w.a, "Tea", [2]int64{1999, 0})
		cup := w.product(w.b, "Cup", [2]int64{500, 0})
		w.warehouse(w.a, "A", 0, []string{"CN"}, map[int64]int64{tea.SKUs[0].ID: 50})
		w.warehouse(w.b, "B", 0, []string{"CN"}, map[int64]int64{cup.SKUs[0].ID: 50})
		w.bind(w.cust, w.seller)
		in := cart("CN.44.03.05", order.Item{SKUID: tea.SKUs[0].ID, Quantity: 2}, order.Item{SKUID: cup.SKUs[0].ID, Quantity: 1})
		w.checkout(w.cust, in, "") // the first purchase creates ledger accounts; count the second

		step := func(name string, max int64, fn func()) {
			t.Helper()
			before := db.RoundTrips()
			fn()
			if n := db.RoundTrips() - before; n > max {
				t.Errorf("%s: %d round trips, want at most %d", name, n, max)
			} else {
				t.Logf("%s: %d round trips", name, n)
			}
		}
		var o *order.Order
		step("checkout", 13, func() { o = w.checkout(w.cust, in, "") })
		if o.SellerID != w.seller.ID || len(o.Fulfilments) != 2 {
			t.Fatalf("order %+v: want the seller's, with two parcels", o)
		}
		step("payment opened", 3, func() {
			if _, err := db.StartPayment(w.ctx, w.cust, o.ID, "sandbox", "rt-1"); err != nil {
				t.Fatal(err)
			}
		})
		step("payment applied", 12, func() {
			out, _, err := db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "rt-1", Amount: o.Total, Currency: o.Currency, Payload: "{}"})
			if err != nil || out != store.OutcomeApplied {
				t.Fatalf("payment: %s %v", out, err)
			}
		})
		if problems, err := db.CheckLedger(w.ctx); err != nil || len(problems) > 0 {
			t.Fatalf("ledger check: %v %v", problems, err)
		}
	})
}
