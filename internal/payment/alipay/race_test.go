package alipay_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
)

// TestRefundSameKeyFromTwoServers forces the interleaving the outbox can
// make: server A's refund is made at Alipay but its answer is still in
// flight (held by the fake) when server B asks for the same refund key.
// B gets fund_change N and confirms through the refund query; A's call
// then times out and confirms the same way. One refund at Alipay, both
// answer done. There is no lock of ours: the order is Alipay's, which
// takes an out_request_no once.
func TestRefundSameKeyFromTwoServers(t *testing.T) {
	e := newEnv(t)
	e.startPaid(t, "SMrace001", 8000)
	a, err := alipay.New(e.fake.Config(), &http.Client{Timeout: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.TimeoutRefunds(1)
	type result struct {
		st  *payment.RefundState
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := a.Refund(context.Background(), refund("SMrace001", "RFrace1", 3000))
		done <- result{st, err}
	}()
	// Wait until A's refund is made and held.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if tr, _ := e.fake.Trade("SMrace001"); tr.Refunds == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("A's refund never reached the fake")
		}
		time.Sleep(5 * time.Millisecond)
	}
	st, err := e.client.Refund(context.Background(), refund("SMrace001", "RFrace1", 3000))
	if err != nil || st.Status != payment.RefundDone || st.Amount != 3000 {
		t.Fatalf("B: %+v %v", st, err)
	}
	select {
	case r := <-done:
		t.Fatalf("A answered (%+v %v) before B: the interleaving did not happen", r.st, r.err)
	default:
	}
	r := <-done
	if r.err != nil || r.st.Status != payment.RefundDone || r.st.Amount != 3000 {
		t.Fatalf("A: %+v %v", r.st, r.err)
	}
	if tr, _ := e.fake.Trade("SMrace001"); tr.Refunded != 3000 || tr.Refunds != 1 {
		t.Fatalf("at Alipay: %+v", tr)
	}
}

// TestExpiredPaymentIsClosed: a payment started with an expiry, opened
// by the payer and not paid in time is closed at Alipay, and the query
// says so.
func TestExpiredPaymentIsClosed(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	e.fake.SetClock(func() time.Time { return now })
	c := e.charge("SMexp0001", 700, payment.MethodRedirect)
	c.ExpiresAt = now.Add(15 * time.Minute)
	st, err := e.client.Start(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	get(t, st.RedirectURL)
	if ps, err := e.client.Query(context.Background(), "SMexp0001"); err != nil || ps.Status != payment.PaymentOpen {
		t.Fatalf("before the expiry: %+v %v", ps, err)
	}
	now = now.Add(16 * time.Minute)
	if _, err := e.fake.Pay("SMexp0001"); err == nil {
		t.Fatal("paid after the expiry")
	}
	if ps, err := e.client.Query(context.Background(), "SMexp0001"); err != nil || ps.Status != payment.PaymentClosed {
		t.Fatalf("after the expiry: %+v %v", ps, err)
	}
}
