package store_test

import (
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestCustomerOrders: a customer's own orders by stage, newest first, and
// never those it sold; cancelling an unpaid order releases what it held.
func TestCustomerOrders(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		pa := w.product(w.a, "Tea", [2]int64{1000, 0})
		pb := w.product(w.b, "Cup", [2]int64{500, 0})
		wha := w.warehouse(w.a, "a", 0, []string{"CN"}, map[int64]int64{pa.SKUs[0].ID: 5})
		w.warehouse(w.b, "b", 0, []string{"CN"}, map[int64]int64{pb.SKUs[0].ID: 5})
		w.bind(w.cust, w.seller)
		unpaid := w.checkout(w.cust, cart("CN.11.01.01", order.Item{SKUID: pa.SKUs[0].ID, Quantity: 2}), "")
		paid := w.checkout(w.cust, cart("CN.11.01.01", order.Item{SKUID: pa.SKUs[0].ID, Quantity: 1}, order.Item{SKUID: pb.SKUs[0].ID, Quantity: 1}), "")
		w.payOrder(paid)
		ids := func(who account.Actor, stage store.OrderStage) []int64 {
			t.Helper()
			list, err := db.CustomerOrders(w.ctx, who, store.CustomerOrderFilter{Stage: stage})
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, o := range list {
				out = append(out, o.ID)
			}
			return out
		}
		same := func(got []int64, want ...int64) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("got %v, want %v", got, want)
				}
			}
		}
		same(ids(w.cust, ""), paid.ID, unpaid.ID)
		same(ids(w.cust, store.StageUnpaid), unpaid.ID)
		same(ids(w.cust, store.StageToShip), paid.ID)
		same(ids(w.cust, store.StageToReceive))
		same(ids(w.sellerActor, "")) // it sold them; it did not buy them
		fids := map[int64]int64{}
		for _, f := range paid.Fulfilments {
			fids[f.SupplierID] = f.ID
		}
		if _, err := db.ShipFulfilment(w.ctx, w.a, fids[w.supA.ID], "SF", "SF1234"); err != nil {
			t.Fatal(err)
		}
		same(ids(w.cust, store.StageToShip), paid.ID)
		same(ids(w.cust, store.StageToReceive), paid.ID)
		if _, err := db.ShipFulfilment(w.ctx, w.b, fids[w.supB.ID], "SF", "SF5678"); err != nil {
			t.Fatal(err)
		}
		same(ids(w.cust, store.StageToShip))
		for _, f := range fids {
			if _, err := db.ConfirmReceipt(w.ctx, w.cust, f); err != nil {
				t.Fatal(err)
			}
		}
		same(ids(w.cust, store.StageToReceive))
		same(ids(w.cust, store.StageDone), paid.ID)
		page, err := db.CustomerOrders(w.ctx, w.cust, store.CustomerOrderFilter{Before: paid.ID, Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != unpaid.ID {
			t.Fatalf("page before %d: %v %v", paid.ID, page, err)
		}
		_, err = db.CustomerOrders(w.ctx, w.cust, store.CustomerOrderFilter{Stage: "lost"})
		wantCode(t, err, errs.Invalid, "status")

		// Cancel: only its customer, only while unpaid, once.
		_, err = db.CancelOrder(w.ctx, w.sellerActor, unpaid.ID)
		wantCode(t, err, errs.NotFound, "")
		_, err = db.CancelOrder(w.ctx, w.cust, paid.ID)
		wantCode(t, err, errs.Conflict, "status")
		if _, reserved := w.stock(wha, pa.SKUs[0].ID); reserved != 2 {
			t.Fatalf("reserved %d before cancelling", reserved)
		}
		for range 2 {
			o, err := db.CancelOrder(w.ctx, w.cust, unpaid.ID)
			if err != nil || o.Status != order.Cancelled || o.CancelledAt == nil || o.Fulfilments[0].Status != order.FulfilmentCancelled {
				t.Fatalf("cancel: %+v %v", o, err)
			}
		}
		if onHand, reserved := w.stock(wha, pa.SKUs[0].ID); onHand != 4 || reserved != 0 {
			t.Fatalf("after cancel: on hand %d, reserved %d", onHand, reserved)
		}
		if got, err := db.OrderRefunded(w.ctx, w.cust, paid.ID); err != nil || got != 0 {
			t.Fatalf("refunded %v %v", got, err)
		}
		_, err = db.OrderRefunded(w.ctx, w.sellerActor, paid.ID)
		wantCode(t, err, errs.NotFound, "")
	})
}
