package store_test

import (
	"fmt"
	"sync"
	"testing"

	"sharemall/internal/account"

	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// Every refused request names its field and changes nothing.
func TestAfterSaleRules(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		f, lines := w.order(commission.Line{Base: 5997, Quantity: 3})
		w.shipAndReceive(f)
		l := lines[0]
		for _, tc := range []struct {
			name   string
			kind   store.CaseKind
			qty    int64
			reason string
			code   errs.Code
			field  string
		}{
			{"unknown kind", "swap", 1, "x", errs.Invalid, "kind"},
			{"no quantity", store.RefundOnly, 0, "x", errs.Invalid, "quantity"},
			{"more than bought", store.RefundOnly, 4, "x", errs.Invalid, "quantity"},
			{"no reason", store.RefundOnly, 1, "  ", errs.Invalid, "reason"},
		} {
			_, err := db.OpenCase(w.ctx, w.cust, l, tc.kind, tc.qty, tc.reason)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Fatalf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}
		_, err := db.OpenCase(w.ctx, w.other, l, store.RefundOnly, 1, "not mine")
		wantErr(t, err, errs.NotFound, "")
		_, err = db.OpenCase(w.ctx, w.cust, 999999, store.RefundOnly, 1, "no line")
		wantErr(t, err, errs.NotFound, "")
		_, err = db.OpenCase(w.ctx, account.Actor{}, l, store.RefundOnly, 1, "who")
		wantErr(t, err, errs.Unauthorized, "")
		apiKey := w.cust
		apiKey.APIKeyID = 7 // an API key acts only for a supplier, never as a customer
		_, err = db.OpenCase(w.ctx, apiKey, l, store.RefundOnly, 1, "key")
		wantErr(t, err, errs.Forbidden, "")
		if cs, err := db.Cases(w.ctx, w.op, store.CaseFilter{}); err != nil || len(cs) != 0 || w.line(l).Held {
			t.Fatalf("refusals left cases %v (%v) or a hold", cs, err)
		}

		c := w.open(w.cust, l, store.RefundOnly, 1)
		_, err = db.OpenCase(w.ctx, w.cust, l, store.RefundOnly, 1, "again")
		wantErr(t, err, errs.Conflict, "order_line_id")
		// Visibility: the customer, its supplier and operators; nobody else.
		if _, err := db.AfterSaleCase(w.ctx, w.cust, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AfterSaleCase(w.ctx, w.a, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.AfterSaleCase(w.ctx, w.other, c.ID)
		wantErr(t, err, errs.NotFound, "")
		_, err = db.AfterSaleCase(w.ctx, w.b, c.ID)
		wantErr(t, err, errs.NotFound, "")
		for _, tc := range []struct {
			name  string
			cs    func() ([]store.AfterSaleCase, error)
			count int
		}{
			{"customer", func() ([]store.AfterSaleCase, error) { return db.Cases(w.ctx, w.cust, store.CaseFilter{}) }, 1},
			{"supplier A", func() ([]store.AfterSaleCase, error) { return db.Cases(w.ctx, w.a, store.CaseFilter{}) }, 1},
			{"open only", func() ([]store.AfterSaleCase, error) {
				return db.Cases(w.ctx, w.op, store.CaseFilter{Status: store.CaseOpen})
			}, 1},
			{"refunded only", func() ([]store.AfterSaleCase, error) {
				return db.Cases(w.ctx, w.op, store.CaseFilter{Status: store.CaseRefunded})
			}, 0},
			{"other customer", func() ([]store.AfterSaleCase, error) { return db.Cases(w.ctx, w.other, store.CaseFilter{}) }, 0},
			{"supplier B", func() ([]store.AfterSaleCase, error) { return db.Cases(w.ctx, w.b, store.CaseFilter{}) }, 0},
		} {
			if cs, err := tc.cs(); err != nil || len(cs) != tc.count {
				t.Fatalf("%s sees %d cases (%v), want %d", tc.name, len(cs), err, tc.count)
			}
		}
		_, err = db.Cases(w.ctx, w.op, store.CaseFilter{Status: "lost"})
		wantErr(t, err, errs.Invalid, "status")

		// Deciding: another supplier cannot, a customer may not, a rejection needs a note.
		_, err = db.DecideCase(w.ctx, w.b, c.ID, true, "", w.sandbox)
		wantErr(t, err, errs.NotFound, "")
		_, err = db.DecideCase(w.ctx, w.cust, c.ID, true, "", w.sandbox)
		wantErr(t, err, errs.Forbidden, "")
		_, err = db.DecideCase(w.ctx, w.a, c.ID, false, " ", w.sandbox)
		wantErr(t, err, errs.Invalid, "note")
		if got, _ := db.AfterSaleCase(w.ctx, w.op, c.ID); got.Status != store.CaseOpen || !w.line(l).Held {
			t.Fatalf("refused decisions changed the case %+v", got)
		}
		// Cancelling: only its customer; the hold ends; then nothing else.
		_, err = db.CancelCase(w.ctx, w.other, c.ID)
		wantErr(t, err, errs.NotFound, "")
		if c, err = db.CancelCase(w.ctx, w.cust, c.ID); err != nil || c.Status != store.CaseCancelled || w.line(l).Held {
			t.Fatalf("cancel %+v, %v", c, err)
		}
		_, err = db.DecideCase(w.ctx, w.a, c.ID, true, "", w.sandbox)
		wantErr(t, err, errs.Conflict, "status")

		// A rejection ends the case and the hold; a second case may follow.
		c = w.open(w.cust, l, store.RefundOnly, 3)
		if c, err = db.DecideCase(w.ctx, w.a, c.ID, false, "used", w.sandbox); err != nil || c.Status != store.CaseRejected || c.DecisionNote != "used" || w.line(l).Held {
			t.Fatalf("reject %+v, %v", c, err)
		}
		_, err = db.DecideCase(w.ctx, w.a, c.ID, true, "", w.sandbox)
		wantErr(t, err, errs.Conflict, "status")
		_, err = db.CancelCase(w.ctx, w.cust, c.ID)
		wantErr(t, err, errs.Conflict, "status")
		if got := w.line(l).Current; got.Quantity != 3 || got.Base != 5997 {
			t.Fatalf("line after rejection %+v", got)
		}

		// The window: open until after-sale days after receipt, then closed to the customer.
		w.clock.Advance(7 * day)
		_, err = db.OpenCase(w.ctx, w.cust, l, store.RefundOnly, 1, "late")
		wantErr(t, err, errs.Conflict, "order_line_id")
		w.clean()
	})
}

// Suppliers see and ship their own fulfilment orders; customers receive and track their own.
func TestFulfilment(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		f, lines := w.order(commission.Line{Base: 5997, Quantity: 3})
		order := w.line(lines[0]).OrderID
		q, err := db.FulfilmentQueue(w.ctx, w.a, store.FulfilmentFilter{Status: store.FulfilmentReleased})
		if err != nil || len(q) != 1 || q[0].ID != f || q[0].Ship.Address != "1 Test Road" || len(q[0].Lines) != 1 || q[0].Lines[0].Quantity != 3 {
			t.Fatalf("queue %+v, %v", q, err)
		}
		if q, err := db.FulfilmentQueue(w.ctx, w.b, store.FulfilmentFilter{}); err != nil || len(q) != 0 {
			t.Fatalf("supplier B sees %+v, %v", q, err)
		}
		_, err = db.FulfilmentQueue(w.ctx, w.cust, store.FulfilmentFilter{})
		wantErr(t, err, errs.Forbidden, "")
		_, err = db.FulfilmentQueue(w.ctx, w.a, store.FulfilmentFilter{Status: "lost"})
		wantErr(t, err, errs.Invalid, "status")

		_, err = db.ConfirmReceipt(w.ctx, w.cust, f)
		wantErr(t, err, errs.Conflict, "status")
		for _, tc := range []struct{ carrier, tracking, field string }{
			{"", "SF123456", "carrier"}, {"SF", "S1", "tracking_number"}, {"SF", "SF 123456", "tracking_number"},
		} {
			_, err := db.ShipFulfilment(w.ctx, w.a, f, tc.carrier, tc.tracking)
			wantErr(t, err, errs.Invalid, tc.field)
		}
		_, err = db.ShipFulfilment(w.ctx, w.b, f, "SF", "SF123456")
		wantErr(t, err, errs.NotFound, "")
		_, err = db.ShipFulfilment(w.ctx, w.cust, f, "SF", "SF123456")
		wantErr(t, err, errs.Forbidden, "")
		if tr, _ := db.Tracking(w.ctx, w.cust, order); tr[0].Status != store.FulfilmentReleased {
			t.Fatalf("refused shipments changed %+v", tr[0])
		}
		fo, err := db.ShipFulfilment(w.ctx, w.a, f, "SF Express", "SF123456")
		if err != nil || fo.Status != store.FulfilmentShipped || fo.ShippedAt == nil {
			t.Fatalf("ship %+v, %v", fo, err)
		}
		if _, err := db.ShipFulfilment(w.ctx, w.a, f, "SF Express", "SF123456"); err != nil {
			t.Fatalf("same shipment again: %v", err)
		}
		_, err = db.ShipFulfilment(w.ctx, w.a, f, "EMS", "EMS1234")
		wantErr(t, err, errs.Conflict, "status")

		_, err = db.Tracking(w.ctx, w.other, order)
		wantErr(t, err, errs.NotFound, "")
		tr, err := db.Tracking(w.ctx, w.cust, order)
		if err != nil || len(tr) != 1 || tr[0].Carrier != "SF Express" || tr[0].TrackingNumber != "SF123456" {
			t.Fatalf("tracking %+v, %v", tr, err)
		}
		_, err = db.ConfirmReceipt(w.ctx, w.other, f)
		wantErr(t, err, errs.NotFound, "")
		if fo, err = db.ConfirmReceipt(w.ctx, w.cust, f); err != nil || fo.Status != store.FulfilmentReceived || fo.ReceivedAt == nil {
			t.Fatalf("receive %+v, %v", fo, err)
		}
		if _, err = db.ConfirmReceipt(w.ctx, w.cust, f); err != nil {
			t.Fatalf("receive again: %v", err)
		}
	})
}

// Concurrent approvals of one case refund it once. An approval answered
// while another is calling the provider says the refund is due.
func TestAfterSaleConcurrentApprovals(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		_, lines := w.order(commission.Line{Base: 5997, Markup: 300, Quantity: 3})
		c := w.open(w.cust, lines[0], store.RefundOnly, 1)
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				got, err := db.DecideCase(w.ctx, w.a, c.ID, true, "", w.sandbox)
				if err == nil && got.Status != store.CaseRefunded && got.Status != store.CaseRefundDue {
					err = fmt.Errorf("status %s", got.Status)
				}
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil && !errs.Is(err, errs.Conflict) {
				t.Fatal(err)
			}
		}
		if got, err := db.AfterSaleCase(w.ctx, w.op, c.ID); err != nil || got.Status != store.CaseRefunded {
			t.Fatalf("case after concurrent approvals %+v %v", got, err)
		}
		if l := w.line(lines[0]); l.Current.Quantity != 2 || l.Current.Base != 3998 || l.Current.Markup != 200 || l.Held {
			t.Fatalf("line after concurrent approvals %+v", l.Current)
		}
		if w.onHand() != 98 {
			t.Fatalf("on hand %d: 100 − 3 sold + the unshipped unit back once", w.onHand())
		}
		w.clean()
	})
}
