package payment_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
)

func TestSandboxStartAndNotification(t *testing.T) {
	ctx := context.Background()
	s := &payment.Sandbox{Secret: []byte("k"), BaseURL: "http://x/"}
	ref := payment.NewReference(12345)
	if !payment.ValidReference(ref) || len(ref) > 32 {
		t.Fatalf("reference %q", ref)
	}
	st, err := s.Start(ctx, payment.ChargeRequest{Reference: ref, Amount: 100, Currency: "CNY", Method: payment.MethodRedirect})
	if err != nil || st.RedirectURL != "http://x/sandbox/pay/"+ref || st.ProviderRef != ref {
		t.Fatalf("%+v %v", st, err)
	}
	qr, err := s.Start(ctx, payment.ChargeRequest{Reference: ref, Amount: 100, Currency: "CNY", Method: payment.MethodQR})
	if err != nil || qr.QRCode != "http://x/sandbox/pay/"+ref || qr.RedirectURL != "" {
		t.Fatalf("qr: %+v %v", qr, err)
	}
	for _, bad := range []payment.ChargeRequest{{Reference: "a b", Method: payment.MethodRedirect}, {Reference: ref, Method: payment.MethodJSAPI}} {
		if _, err := s.Start(ctx, bad); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
	h, body := s.SignedCallback(ref, 100, "CNY")
	n, err := s.ParseNotification(ctx, h, body)
	if err != nil || n.Kind != payment.NotifyPayment || n.Reference != ref || n.Payment.Amount != 100 || n.Payment.Status != payment.PaymentPaid || n.EventID == "" {
		t.Fatalf("%+v %v", n, err)
	}
	if _, err := (&payment.Sandbox{Secret: []byte("other")}).ParseNotification(ctx, h, body); errs.FieldOf(err) != payment.SignatureHeader {
		t.Fatalf("verified under another secret: %v", err)
	}
	if _, err := s.ParseNotification(ctx, h, append(body, ' ')); err == nil {
		t.Fatal("a changed body was accepted")
	}
	if _, err := (&payment.Sandbox{}).ParseNotification(ctx, h, body); err == nil {
		t.Fatal("a sandbox without a secret verified a notification")
	}
	w := httptest.NewRecorder()
	s.Acknowledge(w, nil)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"ok":true`) {
		t.Fatalf("ack %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	s.Acknowledge(w, errs.Invalidf("x", "bad"))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("nack %d", w.Code)
	}
}

// TestSandboxRefundIsIdempotent: the same refund asked again under its key
// answers the same done refund (the outbox asks again after a crash); a
// refund without a key or above the payment is refused as invalid, which
// the outbox takes as final.
func TestSandboxRefundIsIdempotent(t *testing.T) {
	s := &payment.Sandbox{}
	var first *payment.RefundState
	for range 3 {
		st, err := s.Refund(context.Background(), payment.RefundRequest{Reference: "sm1x00", RefundKey: "payment:7", Amount: 1999, Total: 1999, Currency: "CNY"})
		if err != nil || st.Status != payment.RefundDone || st.Amount != 1999 {
			t.Fatal(st, err)
		}
		if first != nil && st.ProviderRef != first.ProviderRef {
			t.Fatalf("refund id changed: %s, %s", first.ProviderRef, st.ProviderRef)
		}
		first = st
	}
	for _, bad := range []payment.RefundRequest{{Amount: 1}, {RefundKey: "k", Amount: 0}, {RefundKey: "k", Amount: 2, Total: 1}} {
		if _, err := s.Refund(context.Background(), bad); errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("%+v: %v", bad, err)
		}
	}
}

func TestChoose(t *testing.T) {
	sb := &payment.Sandbox{}
	one := payment.GatewaysOf(sb)
	if g, m, err := one.Choose("", ""); err != nil || g != sb || m != payment.MethodRedirect {
		t.Fatal(g, m, err)
	}
	two := payment.GatewaysOf(sb, payment.WithNotifyURL(&named{Sandbox: sb, name: "other"}, "http://n"))
	for _, c := range []struct {
		provider, method, field string
	}{{"", "", "provider"}, {"nope", "", "provider"}, {"sandbox", "jsapi", "method"}} {
		if _, _, err := two.Choose(c.provider, payment.Method(c.method)); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != c.field {
			t.Fatalf("%+v: %v", c, err)
		}
	}
	if _, _, err := (payment.Gateways{}).Choose("", ""); errs.CodeOf(err) != errs.Conflict {
		t.Fatal(err)
	}
}

type named struct {
	*payment.Sandbox
	name string
}

func (n *named) Name() string { return n.name }

func TestReadSandboxStatement(t *testing.T) {
	good := "time,kind,reference,provider_ref,refund_key,amount,fee,currency\n" +
		"2026-12-03T10:00:00Z,payment,sm1xab,sm1xab,,1999,12,CNY\n" +
		"2026-12-03T11:00:00Z,refund,sm1xab,sm1xab,case:4,500,0,CNY\n"
	ls, err := payment.ReadSandboxStatement(strings.NewReader(good))
	if err != nil || len(ls) != 2 || ls[0].Amount != 1999 || ls[0].Fee != 12 || ls[1].RefundKey != "case:4" {
		t.Fatal(ls, err)
	}
	for _, bad := range []string{"", "a,b\n", strings.Replace(good, "1999", "19.99", 1), strings.Replace(good, "case:4", "", 1),
		strings.Replace(good, ",payment,", ",pay,", 1)} {
		if _, err := payment.ReadSandboxStatement(strings.NewReader(bad)); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "file" {
			t.Fatalf("%q: %v", bad, err)
		}
	}
}
