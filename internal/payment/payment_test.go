package payment_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
)

func TestSandboxSignature(t *testing.T) {
	s := &payment.Sandbox{Secret: []byte("k"), BaseURL: "http://x/"}
	url, ref, err := s.StartPayment(context.Background(), payment.Charge{Amount: 100, Currency: "CNY"})
	if err != nil || !strings.HasPrefix(url, "http://x/sandbox/pay/sbx_") || !strings.HasSuffix(url, ref) {
		t.Fatalf("%s %s %v", url, ref, err)
	}
	body := s.CallbackBody(ref, 100, "CNY")
	h := http.Header{}
	h.Set(payment.SignatureHeader, s.Sign(body))
	cb, err := s.VerifyCallback(h, body)
	if err != nil || cb.ProviderRef != ref || cb.Amount != 100 {
		t.Fatalf("%+v %v", cb, err)
	}
	other := &payment.Sandbox{Secret: []byte("other")}
	h.Set(payment.SignatureHeader, other.Sign(body))
	if _, err := s.VerifyCallback(h, body); err == nil {
		t.Fatal("a foreign signature was accepted")
	}
	h.Set(payment.SignatureHeader, s.Sign(body))
	if _, err := s.VerifyCallback(h, append(body, ' ')); err == nil {
		t.Fatal("a changed body was accepted")
	}
}

// TestSandboxSignedCallback: what the Pay button makes passes the same
// verification as a callback from outside, and only under its own secret.
func TestSandboxSignedCallback(t *testing.T) {
	s := &payment.Sandbox{Secret: []byte("k")}
	h, body := s.SignedCallback("sbx_1", 250, "CNY")
	cb, err := s.VerifyCallback(h, body)
	if err != nil || cb.ProviderRef != "sbx_1" || cb.Amount != 250 || cb.Currency != "CNY" || cb.Status != "paid" {
		t.Fatalf("%+v %v", cb, err)
	}
	if _, err := (&payment.Sandbox{Secret: []byte("other")}).VerifyCallback(h, body); err == nil {
		t.Fatal("verified under another secret")
	}
}

// TestSandboxRefundIsIdempotent: the same refund asked again under its key
// succeeds again (the outbox asks again after a crash); a refund without a
// key is refused as invalid, which the outbox takes as final.
func TestSandboxRefundIsIdempotent(t *testing.T) {
	s := &payment.Sandbox{}
	for range 3 {
		if err := s.Refund(context.Background(), "sbx_1", "payment:7", 1999, "CNY"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Refund(context.Background(), "sbx_1", "", 1999, "CNY"); errs.CodeOf(err) != errs.Invalid {
		t.Fatalf("no key: %v", err)
	}
}
