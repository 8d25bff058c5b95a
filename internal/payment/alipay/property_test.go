package alipay_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"

	"sharemall/internal/money"
	"sharemall/internal/payment"
)

// TestAnySubjectAndAmountSignAndVerify: whatever the subject (Chinese, the
// characters of the signing string itself: & = + % / " \, spaces at its
// ends) and amount, Alipay (the fake, with its own signing code) accepts
// the request, and the notification of the payment verifies and reads
// back the same amount. Values are signed raw, not URL-encoded, on both
// sides.
func TestAnySubjectAndAmountSignAndVerify(t *testing.T) {
	e := newEnv(t)
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		subject := rapid.StringMatching(`[ a-zA-Z0-9&=+%/"\\?#:;,.订单测试商品（）¥—]{1,40}`).Draw(rt, "subject")
		if strings.TrimSpace(subject) == "" || utf8.RuneCountInString(subject) > 256 {
			rt.Skip("no subject")
		}
		amount := money.Amount(rapid.Int64Range(1, 100_000_000_00).Draw(rt, "amount"))
		ref := fmt.Sprintf("SMprop%05d", n)
		c := e.charge(ref, amount, payment.MethodQR)
		c.Subject = subject
		if _, err := e.client.Start(context.Background(), c); err != nil {
			rt.Fatalf("start: %v", err)
		}
		ds, err := e.fake.Pay(ref)
		if err != nil || len(ds) != 1 || ds[0].Body != "success" {
			rt.Fatalf("pay: %+v %v", ds, err)
		}
		got, bad := e.notifications()
		last := got[len(got)-1]
		if len(bad) != 0 || last.Reference != ref || last.Payment.Amount != amount {
			rt.Fatalf("notification %+v, errors %v", last, bad)
		}
		ps, err := e.client.Query(context.Background(), ref)
		if err != nil || ps.Amount != amount || ps.Status != payment.PaymentPaid {
			rt.Fatalf("query %+v %v", ps, err)
		}
	})
}
