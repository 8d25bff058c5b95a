package payment_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

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
