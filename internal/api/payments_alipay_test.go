package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/alipay/alipayfake"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestAlipaySecondPaymentRefundedThroughTheFake: the rule that an order is
// paid by one payment, against Alipay's fake. The customer opens an Alipay
// QR payment, then pays the order with the sandbox instead; then pays the
// Alipay code too. Its notification comes forged (refused, nothing
// changes), so the payment query sweep finds it paid at Alipay: it is a
// double payment, refunded whole through Alipay by the effects sweep. The
// ledger checks at each step.
func TestAlipaySecondPaymentRefundedThroughTheFake(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		fake := alipayfake.New(alipayfake.Options{})
		t.Cleanup(fake.Close)
		client, err := alipay.New(fake.Config(), &http.Client{Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ta := newTestAPI(t, db, func(c *Config) { c.Gateways = []payment.Gateway{client} })
		// Alipay's fake and its client keep real time: so does the server here.
		ta.clock.Advance(time.Since(ta.clock.Now()))
		fake.SetClock(db.Now)
		ctx := context.Background()
		w := newOrderWorld(t, ta)
		id := ta.do("POST", "/api/v1/orders", w.cust, w.cart(1)).must(t, 201).id()
		pay := "/api/v1/orders/" + itoa(id) + "/pay"
		ali := ta.do("POST", pay, w.cust, map[string]any{"provider": "alipay", "method": "qr"}).must(t, 201)
		ref, _ := ali.Body["reference"].(string)
		if ali.Body["qr_code"] == nil {
			t.Fatalf("%s", ali.Raw)
		}
		sb := ta.do("POST", pay, w.cust, map[string]any{"provider": "sandbox"}).must(t, 201)
		sandboxRef, _ := sb.Body["reference"].(string)
		if page := ta.do("POST", "/sandbox/pay/"+sandboxRef, "", nil); page.Status != http.StatusSeeOther {
			t.Fatalf("sandbox pay: %d %s", page.Status, page.Raw)
		}

		fake.WrongNotifySignature(true)
		ds, err := fake.Pay(ref)
		if err != nil || len(ds) == 0 || ds[0].Body == "success" {
			t.Fatalf("a forged notification was acknowledged: %+v %v", ds, err)
		}
		if p := w.paymentOf(t, id, ref); p["status"] != "pending" {
			t.Fatalf("after a forged notification: %v", p)
		}
		ta.clock.Advance(store.PaymentQueryAfter)
		via := map[string]store.Querier{"alipay": client}
		if n, err := ta.db.QueryOpenPayments(ctx, via, 10); err != nil || n != 1 {
			t.Fatalf("the query sweep: %d %v", n, err)
		}
		if p := w.paymentOf(t, id, ref); p["status"] != "refund_due" {
			t.Fatalf("the second payment: %v", p)
		}
		ta.ledgerClean(t)
		if n, err := ta.db.RunDueEffects(ctx, store.RefundersOf(client), 10); err != nil || n != 1 {
			t.Fatalf("the refund: %d %v", n, err)
		}
		p := w.paymentOf(t, id, ref)
		if p["status"] != "refunded" || p["refunded_amount"] != "19.99" {
			t.Fatalf("after the refund: %v", p)
		}
		if tr, _ := fake.Trade(ref); tr.Refunded != 1999 || tr.Refunds != 1 {
			t.Fatalf("at Alipay: %+v", tr)
		}
		if got := w.paymentOf(t, id, sandboxRef); got["status"] != "paid" {
			t.Fatalf("the first payment: %v", got)
		}
		ta.ledgerClean(t)
	})
}
