package store_test

import (
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/binding"
	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestOperatorMovesBinding: an operator moves a customer's binding with a
// reason: a new binding event (moved_by_operator, the old and the new
// distributor), audited; orders placed before keep their seller, later
// ones follow the new binding. A move the binding rule could never make
// (to the customer itself or its own team), to a distributor not active,
// or without a reason changes nothing.
func TestOperatorMovesBinding(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{10000, 0})
		sku := p.SKUs[0].ID
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{sku: 100})
		buy := cart("CN.44.03.05", order.Item{SKUID: sku, Quantity: 1})
		w.bind(w.cust, w.seller)
		before := w.checkout(w.cust, buy, "")

		const why = "the customer was registered under the wrong shop"
		bad := []struct {
			name     string
			actor    account.Actor
			customer int64
			to       int64
			reason   string
			code     errs.Code
			field    string
		}{
			{"no reason", w.op, w.cust.AccountID, w.x.ID, " ", errs.Invalid, "reason"},
			{"no distributor", w.op, w.cust.AccountID, 0, why, errs.Invalid, "distributor_id"},
			{"unknown distributor", w.op, w.cust.AccountID, 999999, why, errs.Invalid, "distributor_id"},
			{"unknown customer", w.op, 999999, w.x.ID, why, errs.NotFound, ""},
			{"not an operator", w.cust, w.cust.AccountID, w.x.ID, why, errs.Forbidden, ""},
			{"itself", w.op, w.sellerActor.AccountID, w.seller.ID, why, errs.Invalid, "distributor_id"},
			{"its own team", w.op, w.midActor.AccountID, w.seller.ID, why, errs.Invalid, "distributor_id"},
		}
		for _, tc := range bad {
			_, err := db.MoveBinding(w.ctx, tc.actor, tc.customer, tc.to, tc.reason)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Errorf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		w.suspend(w.x)
		_, err := db.MoveBinding(w.ctx, w.op, w.cust.AccountID, w.x.ID, why)
		wantCode(t, err, errs.Conflict, "distributor_id")
		w.reinstate(w.x)

		b, err := db.MoveBinding(w.ctx, w.op, w.cust.AccountID, w.x.ID, why)
		if err != nil {
			t.Fatal(err)
		}
		last := b.Events[len(b.Events)-1]
		if b.DistributorID != w.x.ID || last.Outcome != binding.MovedByOperator || last.Reason != why ||
			last.PreviousDistributorID != w.seller.ID || last.DistributorID != w.x.ID || last.VisitID != 0 {
			t.Fatalf("binding after the move: %+v, last event %+v", b, last)
		}
		// Moving it where it is records nothing more.
		again, err := db.MoveBinding(w.ctx, w.op, w.cust.AccountID, w.x.ID, why)
		if err != nil || len(again.Events) != len(b.Events) {
			t.Fatalf("the same move again: %d events, was %d (%v)", len(again.Events), len(b.Events), err)
		}
		es, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "binding.moved_by_operator"})
		if err != nil || len(es) != 1 || es[0].ActorAccountID != w.op.AccountID || !strings.Contains(string(es[0].New), why) ||
			!strings.Contains(string(es[0].Old), "distributor_id") {
			t.Fatalf("audit: %+v %v", es, err)
		}

		after := w.checkout(w.cust, buy, "")
		if after.SellerID != w.x.ID {
			t.Fatalf("the next order's seller %d, want %d", after.SellerID, w.x.ID)
		}
		if o, err := db.Order(w.ctx, w.op, before.ID); err != nil || o.SellerID != w.seller.ID {
			t.Fatalf("the earlier order changed: %+v %v", o, err)
		}

		// A customer never bound before can be bound by an operator too.
		fresh := w.account(account.Customer)
		if b, err := db.MoveBinding(w.ctx, w.op, fresh.AccountID, w.seller.ID, why); err != nil || b.DistributorID != w.seller.ID ||
			b.Events[0].PreviousDistributorID != 0 {
			t.Fatalf("first binding by an operator: %+v %v", b, err)
		}
	})
}
