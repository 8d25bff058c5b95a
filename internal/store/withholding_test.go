package store_test

import (
	"bytes"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// Tax is withheld when a withdrawal is paid, at the rate of the day it was
// requested; a rejected withdrawal returns every cent; the report and the
// ledger agree.
func TestWithholding(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		s, err := db.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []money.Rate{-1, 10000, 12000} {
			s2 := *s
			s2.Withdrawal.WithholdingRate = bad
			if _, err := db.UpdateSettings(f.ctx, f.op, &s2, s.Version); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "withdrawal.withholding_rate_bp" {
				t.Fatalf("rate %d: %v", bad, err)
			}
		}
		s.Withdrawal = program.Withdrawal{Minimum: 100, FeeRate: 100, DailyLimit: 5, WithholdingRate: 1000} // fee 1%, tax 10%
		if _, err := db.UpdateSettings(f.ctx, f.op, s, s.Version); err != nil {
			t.Fatal(err)
		}
		d, a := f.distributor("Ann")
		f.fund(d, 10000)
		w1, err := db.RequestWithdrawal(f.ctx, a, d, 5000, "")
		if err != nil {
			t.Fatal(err)
		}
		if w1.Fee != 50 || w1.Net != 4950 || w1.Withheld != 500 || w1.Payable() != 4450 {
			t.Fatalf("withdrawal = %+v", w1)
		}
		w2, err := db.RequestWithdrawal(f.ctx, a, d, 3333, "")
		if err != nil {
			t.Fatal(err)
		}
		if w2.Withheld != 333 {
			t.Fatalf("withheld = %d, want floor(3333 × 10%%) = 333", w2.Withheld)
		}
		f.wallet(d, 10000-5000-3333, 5000+3333, 0)
		// Rejected: the hold comes back whole; no tax is booked.
		if _, err := db.RejectWithdrawal(f.ctx, f.op, w2.ID, "wrong card"); err != nil {
			t.Fatal(err)
		}
		f.wallet(d, 10000-5000, 5000, 0)
		if got := f.balance(ledger.TaxWithheld, 0); got != 0 {
			t.Fatalf("tax withheld after a reject = %d", got)
		}
		// Paid: the tax moves to its account by its own journal.
		if _, err := db.ApproveWithdrawal(f.ctx, f.op, w1.ID, "BANK-1"); err != nil {
			t.Fatal(err)
		}
		if got := f.balance(ledger.TaxWithheld, 0); got != 500 {
			t.Fatalf("tax withheld = %d, want 500", got)
		}
		if got := f.balance(ledger.WithdrawalsPaid, 0); got != 4450 {
			t.Fatalf("withdrawals paid = %d, want 4450 (the net less the tax)", got)
		}
		js, err := db.Journals(f.ctx, store.JournalFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, j := range js {
			found = found || j.Key == "withdrawal:"+itoa(w1.ID)+":withholding"
		}
		if !found {
			t.Fatal("no withholding journal")
		}
		// A clawback after the payout meets the wallet, never the tax.
		f.owe(d, 7000)
		if got := f.balance(ledger.TaxWithheld, 0); got != 500 {
			t.Fatalf("tax withheld after a clawback = %d", got)
		}
		f.check()

		// The month's report: the program's time zone, per distributor.
		month := f.clock.Now().In(mustLocation(t, db)).Format("2006-01")
		rows, err := db.WithholdingReport(f.ctx, f.op, month, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].DistributorID != d || rows[0].Withdrawals != 1 || rows[0].Gross != 5000 || rows[0].Fee != 50 ||
			rows[0].Withheld != 500 || rows[0].Paid != 4450 {
			t.Fatalf("report = %+v", rows)
		}
		var buf bytes.Buffer
		if err := store.WithholdingCSV(&buf, rows); err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(store.WithholdingHeader, ",") + "\n" + month + "," + itoa(d) + ",shop of Ann,CNY,1,50.00,0.50,5.00,44.50\n"; buf.String() != want {
			t.Fatalf("csv = %q, want %q", buf.String(), want)
		}
		if rows, err := db.WithholdingReport(f.ctx, a, month, 0); err != nil || len(rows) != 1 {
			t.Fatalf("own report = %v, %v", rows, err)
		}
		_, b := f.distributor("Bob")
		if _, err := db.WithholdingReport(f.ctx, b, month, d); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another's report: %v", err)
		}
		if _, err := db.WithholdingReport(f.ctx, f.op, "2026-13", 0); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "month" {
			t.Fatalf("bad month: %v", err)
		}
		if rows, err := db.WithholdingReport(f.ctx, f.op, "2025-12", 0); err != nil || len(rows) != 0 {
			t.Fatalf("another month = %v, %v", rows, err)
		}
	})
}
