package payment_test

import (
	"testing"
	"time"

	"sharemall/internal/payment"
)

// TestReconcile: every kind of difference, for payments and refunds, and
// nothing when statement and records agree; records outside the period
// are not missing from it.
func TestReconcile(t *testing.T) {
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	at := day.Add(10 * time.Hour)
	pays := map[string]payment.RecordedPayment{
		"ok":      {Reference: "ok", Amount: 100, Currency: "CNY", Paid: true, PaidAt: at},
		"amount":  {Reference: "amount", Amount: 100, Currency: "CNY", Paid: true, PaidAt: at},
		"open":    {Reference: "open", Amount: 100, Currency: "CNY", Status: "pending"},
		"notlist": {Reference: "notlist", Amount: 100, Currency: "CNY", Paid: true, PaidAt: at},
		"before":  {Reference: "before", Amount: 100, Currency: "CNY", Paid: true, PaidAt: day.Add(-time.Hour)},
	}
	refunds := map[string]payment.RecordedRefund{
		"case:1": {Key: "case:1", Reference: "ok", Amount: 40, Currency: "CNY", Done: true, DoneAt: at},
		"case:2": {Key: "case:2", Reference: "ok", Amount: 10, Currency: "CNY", Status: "due"},
		"case:3": {Key: "case:3", Reference: "ok", Amount: 10, Currency: "CNY", Done: true, DoneAt: at},
	}
	lines := []payment.StatementLine{
		{At: at, Kind: payment.LinePayment, Reference: "ok", Amount: 100, Fee: 1, Currency: "CNY"},
		{At: at, Kind: payment.LinePayment, Reference: "amount", Amount: 99, Fee: 1, Currency: "CNY"},
		{At: at, Kind: payment.LinePayment, Reference: "open", Amount: 100, Currency: "CNY"},
		{At: at, Kind: payment.LinePayment, Reference: "ghost", Amount: 5, Currency: "CNY"},
		{At: at, Kind: payment.LineRefund, Reference: "ok", RefundKey: "case:1", Amount: 40, Currency: "CNY"},
		{At: at, Kind: payment.LineRefund, Reference: "ok", RefundKey: "case:2", Amount: 10, Currency: "CNY"},
		{At: at, Kind: payment.LineRefund, Reference: "ok", RefundKey: "case:9", Amount: 10, Currency: "CNY"},
	}
	r := payment.Reconcile(lines, pays, refunds, day, day.AddDate(0, 0, 1))
	want := map[string]string{"amount": payment.AmountDiffers, "open": payment.StatusDiffers, "ghost": payment.MissingHere,
		"notlist": payment.MissingAtProvider, "ok case:2": payment.StatusDiffers, "ok case:9": payment.MissingHere,
		"ok case:3": payment.MissingAtProvider}
	if len(r.Differences) != len(want) || r.Fees["CNY"] != 2 || r.Lines != len(lines) {
		t.Fatalf("%+v", r)
	}
	for _, d := range r.Differences {
		k := d.Reference
		if d.RefundKey != "" {
			k += " " + d.RefundKey
		}
		if want[k] != d.Kind {
			t.Errorf("%s: %s, want %s", k, d.Kind, want[k])
		}
	}
	clean := payment.Reconcile(lines[:1], map[string]payment.RecordedPayment{"ok": pays["ok"]}, nil, day, day.AddDate(0, 0, 1))
	if len(clean.Differences) != 0 {
		t.Fatalf("%+v", clean.Differences)
	}
}
