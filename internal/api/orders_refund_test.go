package api

import (
	"context"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/store"
)

// downProvider is the sandbox provider while it is down: every refund fails.
type downProvider struct{}

func (downProvider) Name() string { return "sandbox" }

func (downProvider) Refund(context.Context, payment.RefundRequest) (*payment.RefundState, error) {
	return nil, &errs.Error{Code: errs.Unavailable, Message: "the provider is down"}
}

// lateOrder places an order, opens its payment and lets the cancel sweep
// cancel it; it returns the signed callback the sandbox would send for it.
func (w *orderWorld) lateOrder(t *testing.T) (ref string, headers map[string]string, body []byte) {
	t.Helper()
	_, ref = w.unpaidOrder(t)
	w.ta.clock.Advance(31 * time.Minute)
	if _, err := w.ta.db.CancelUnpaidOrders(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	secret, err := w.ta.db.ProviderSecret(context.Background(), "sandbox", payment.NewSecret)
	if err != nil {
		t.Fatal(err)
	}
	sb := &payment.Sandbox{Secret: []byte(secret)}
	body = sb.CallbackBody(ref, 1999, "CNY")
	return ref, map[string]string{payment.SignatureHeader: sb.Sign(body)}, body
}

// TestLatePaymentRefundedThroughTheProvider: a payment for a cancelled
// order is refunded through the provider at once, and the answer says so:
// refunded, with the amount that went back.
func TestLatePaymentRefundedThroughTheProvider(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		_, h, body := w.lateOrder(t)
		res := ta.post("/api/v1/payments/sandbox/callback", h, body).must(t, 200)
		p := res.Body["payment"].(map[string]any)
		if res.Body["outcome"] != "late_payment" || p["status"] != "refunded" || p["refunded_amount"] != "19.99" || p["refunded_at"] == nil {
			t.Fatalf("%s", res.Raw)
		}
		if again := ta.post("/api/v1/payments/sandbox/callback", h, body).must(t, 200); again.Body["outcome"] != "duplicate" {
			t.Fatalf("%s", again.Raw)
		}
	})
}

// TestLatePaymentRedeliveredRetriesItsRefund: the refund of a late payment
// failed at the provider (the payment stays refund_due); when the provider
// delivers the callback again, it is not answered "duplicate" and left:
// the refund is made now, before its backoff, and the answer shows it.
func TestLatePaymentRedeliveredRetriesItsRefund(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		w := newOrderWorld(t, ta)
		ctx := context.Background()
		ref, h, body := w.lateOrder(t)
		out, pay, err := ta.db.ApplyPayment(ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: 1999, Currency: "CNY", Payload: string(body)})
		if err != nil || out != store.OutcomeLatePayment {
			t.Fatalf("%s %v", out, err)
		}
		if e, err := ta.db.RunEffect(ctx, store.PaymentRefundKey(pay.ID), store.RefundersOf(downProvider{})); err != nil || e.Attempts != 1 {
			t.Fatalf("the failed refund: %+v %v", e, err)
		}
		res := ta.post("/api/v1/payments/sandbox/callback", h, body).must(t, 200)
		p := res.Body["payment"].(map[string]any)
		if res.Body["outcome"] != "refund_due" || p["status"] != "refunded" || p["refunded_amount"] != "19.99" {
			t.Fatalf("redelivered: %s", res.Raw)
		}
		if problems, err := ta.db.CheckLedger(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("ledger: %v %v", problems, err)
		}
	})
}
