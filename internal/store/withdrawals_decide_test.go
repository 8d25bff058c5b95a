package store_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

func (f *wdFixture) audits(action string) int {
	f.t.Helper()
	es, err := f.db.AuditLog(f.ctx, store.AuditFilter{Action: action})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(es)
}

// platform checks the paid-out and platform revenue totals.
func (f *wdFixture) platform(paid, revenue money.Amount) {
	f.t.Helper()
	if p, r := f.balance(ledger.WithdrawalsPaid, 0), f.balance(ledger.PlatformRevenue, 0); p != paid || r != revenue {
		f.t.Fatalf("withdrawals_paid %d, platform_revenue %d; want %d, %d", p, r, paid, revenue)
	}
}

func TestApproveAndRejectWithdrawal(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 200, 10) // fee 2%
		d, me := f.distributor("Dora")
		f.fund(d, 10000)

		// Approved with a payout reference: paid at once.
		w1 := f.request(me, d, 1000, "")
		paid, err := db.ApproveWithdrawal(f.ctx, f.op, w1.ID, "  BANK-1 ")
		if err != nil || paid.Status != wallet.Paid || paid.PayoutRef != "BANK-1" || paid.PaidAt == nil || paid.DecidedBy != f.op.AccountID {
			t.Fatalf("pay: %+v %v", paid, err)
		}
		f.wallet(d, 9000, 0, 0)
		f.platform(980, 20)
		journals := f.journals()
		// The same decision again is a no-op; a different one is refused.
		if again, err := db.ApproveWithdrawal(f.ctx, f.op, w1.ID, "BANK-1"); err != nil || again.Status != wallet.Paid {
			t.Fatalf("pay again: %+v %v", again, err)
		}
		_, err = db.ApproveWithdrawal(f.ctx, f.op, w1.ID, "BANK-2")
		wdErr(t, err, errs.Conflict, "payout_ref")
		_, err = db.ApproveWithdrawal(f.ctx, f.op, w1.ID, "")
		wdErr(t, err, errs.Conflict, "payout_ref")
		_, err = db.RejectWithdrawal(f.ctx, f.op, w1.ID, "changed my mind")
		wdErr(t, err, errs.Conflict, "status")
		f.wallet(d, 9000, 0, 0)
		f.platform(980, 20)

		// Approved without a reference: the hold stays until it is paid.
		w2 := f.request(me, d, 2000, "")
		approved, err := db.ApproveWithdrawal(f.ctx, f.op, w2.ID, "")
		if err != nil || approved.Status != wallet.Approved || approved.DecidedAt == nil || approved.PaidAt != nil {
			t.Fatalf("approve: %+v %v", approved, err)
		}
		f.wallet(d, 7000, 2000, 0)
		if again, err := db.ApproveWithdrawal(f.ctx, f.op, w2.ID, ""); err != nil || again.Status != wallet.Approved {
			t.Fatalf("approve again: %+v %v", again, err)
		}
		// Rejecting needs a reason, then releases the hold.
		for _, bad := range []string{"", "   ", strings.Repeat("x", 501), "bad\x00reason"} {
			_, err = db.RejectWithdrawal(f.ctx, f.op, w2.ID, bad)
			wdErr(t, err, errs.Invalid, "reason")
		}
		f.wallet(d, 7000, 2000, 0)
		rejected, err := db.RejectWithdrawal(f.ctx, f.op, w2.ID, "account closed")
		if err != nil || rejected.Status != wallet.Rejected || rejected.Reason != "account closed" {
			t.Fatalf("reject: %+v %v", rejected, err)
		}
		f.wallet(d, 9000, 0, 0)
		if again, err := db.RejectWithdrawal(f.ctx, f.op, w2.ID, "another reason"); err != nil || again.Reason != "account closed" {
			t.Fatalf("reject again: %+v %v", again, err)
		}
		_, err = db.ApproveWithdrawal(f.ctx, f.op, w2.ID, "")
		wdErr(t, err, errs.Conflict, "status")
		_, err = db.ApproveWithdrawal(f.ctx, f.op, w2.ID, "BANK-3")
		wdErr(t, err, errs.Conflict, "status")
		f.wallet(d, 9000, 0, 0)
		f.platform(980, 20)

		// An approved withdrawal outside a batch may be paid later by reference.
		w3 := f.request(me, d, 500, "")
		if _, err := db.ApproveWithdrawal(f.ctx, f.op, w3.ID, ""); err != nil {
			t.Fatal(err)
		}
		if p, err := db.ApproveWithdrawal(f.ctx, f.op, w3.ID, "BANK-4"); err != nil || p.Status != wallet.Paid {
			t.Fatalf("pay approved: %+v %v", p, err)
		}
		f.wallet(d, 8500, 0, 0)
		f.platform(980+490, 20+10)

		// Rejecting after a clawback left a debt pays the debt first.
		w4 := f.request(me, d, 1000, "")
		f.move(ledger.Code(ledger.DistributorAvailable, d), ledger.Code(ledger.Clearing, 0), 7500) // clawback takes what is available…
		f.owe(d, 400)                                                                              // …and the rest becomes debt
		f.wallet(d, 0, 1000, -400)
		if _, err := db.RejectWithdrawal(f.ctx, f.op, w4.ID, "clawback"); err != nil {
			t.Fatal(err)
		}
		f.wallet(d, 600, 0, 0)

		// Bad input and unknown ids.
		_, err = db.ApproveWithdrawal(f.ctx, f.op, w4.ID, strings.Repeat("r", 201))
		wdErr(t, err, errs.Invalid, "payout_ref")
		_, err = db.ApproveWithdrawal(f.ctx, f.op, 9999, "")
		wdErr(t, err, errs.NotFound, "")
		_, err = db.RejectWithdrawal(f.ctx, f.op, 9999, "x")
		wdErr(t, err, errs.NotFound, "")

		if f.audits("withdrawal.pay") != 2 || f.audits("withdrawal.approve") != 2 || f.audits("withdrawal.reject") != 2 {
			t.Fatalf("audit: pay %d, approve %d, reject %d", f.audits("withdrawal.pay"), f.audits("withdrawal.approve"), f.audits("withdrawal.reject"))
		}
		js, err := db.Journals(f.ctx, store.JournalFilter{Kind: "withdrawal.paid"})
		if err != nil || len(js) != 2 || js[0].Key != "withdrawal:1:paid" || len(js[0].Entries) != 3 {
			t.Fatalf("paid journals = %+v, %v", js, err)
		}
		if f.journals() <= journals {
			t.Fatal("no journals after the first payment")
		}
		f.check()
	})
}

func TestPayoutBatch(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 100, 10) // fee 1%
		d1, a1 := f.distributor("Ann Lee")
		d2, a2 := f.distributor("=HYPERLINK(evil)")
		f.fund(d1, 10000)
		f.fund(d2, 10000)

		_, _, err := db.CreatePayoutBatch(f.ctx, f.op)
		wdErr(t, err, errs.Conflict, "")

		w1 := f.request(a1, d1, 1000, "")
		w2 := f.request(a2, d2, 2050, "")
		w3 := f.request(a1, d1, 300, "") // stays requested
		w4 := f.request(a2, d2, 400, "") // paid alone
		for _, w := range []*wallet.Withdrawal{w1, w2, w4} {
			if _, err := db.ApproveWithdrawal(f.ctx, f.op, w.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ApproveWithdrawal(f.ctx, f.op, w4.ID, "SINGLE-1"); err != nil {
			t.Fatal(err)
		}
		b, ws, err := db.CreatePayoutBatch(f.ctx, f.op)
		if err != nil || b.Status != store.BatchExported || b.CreatedBy != f.op.AccountID || len(ws) != 2 || ws[0].ID != w1.ID || ws[1].ID != w2.ID || ws[0].BatchID != b.ID {
			t.Fatalf("batch: %+v %+v %v", b, ws, err)
		}
		// Nothing is left for a second batch.
		_, _, err = db.CreatePayoutBatch(f.ctx, f.op)
		wdErr(t, err, errs.Conflict, "")

		var csv bytes.Buffer
		if err := db.PayoutBatchCSV(f.ctx, f.op, b.ID, &csv); err != nil {
			t.Fatal(err)
		}
		want := "withdrawal_id,distributor_id,account_holder,amount,currency,reference\n" +
			itoa(w1.ID) + "," + itoa(d1) + ",Ann Lee,9.90,CNY,sharemall-w" + itoa(w1.ID) + "\n" +
			itoa(w2.ID) + "," + itoa(d2) + ",'=HYPERLINK(evil),20.30,CNY,sharemall-w" + itoa(w2.ID) + "\n"
		if csv.String() != want {
			t.Fatalf("bank file:\n%s\nwant:\n%s", csv.String(), want)
		}
		err = db.PayoutBatchCSV(f.ctx, a1, b.ID, &csv)
		wdErr(t, err, errs.Forbidden, "")
		err = db.PayoutBatchCSV(f.ctx, f.op, 9999, &csv)
		wdErr(t, err, errs.NotFound, "")

		// A batched withdrawal is decided by its batch only.
		_, err = db.RejectWithdrawal(f.ctx, f.op, w1.ID, "no")
		wdErr(t, err, errs.Conflict, "status")
		_, err = db.ApproveWithdrawal(f.ctx, f.op, w1.ID, "OTHER")
		wdErr(t, err, errs.Conflict, "status")

		_, _, err = db.MarkBatchPaid(f.ctx, f.op, b.ID, " ")
		wdErr(t, err, errs.Invalid, "payout_ref")
		_, _, err = db.MarkBatchPaid(f.ctx, a1, b.ID, "BATCH-1")
		wdErr(t, err, errs.Forbidden, "")
		_, _, err = db.MarkBatchPaid(f.ctx, f.op, 9999, "BATCH-1")
		wdErr(t, err, errs.NotFound, "")
		f.wallet(d1, 8700, 1300, 0)
		f.wallet(d2, 7550, 2050, 0)
		f.platform(396, 4)

		b, ws, err = db.MarkBatchPaid(f.ctx, f.op, b.ID, "BATCH-1")
		if err != nil || b.Status != store.BatchPaid || b.PayoutRef != "BATCH-1" || b.PaidAt == nil || len(ws) != 2 {
			t.Fatalf("mark paid: %+v %v", b, err)
		}
		for _, w := range ws {
			if w.Status != wallet.Paid || w.PayoutRef != "BATCH-1" || w.PaidAt == nil {
				t.Fatalf("withdrawal after batch paid: %+v", w)
			}
		}
		f.wallet(d1, 8700, 300, 0)
		f.wallet(d2, 7550, 0, 0)
		f.platform(396+990+2030, 4+10+20)
		journals := f.journals()

		// Marking it paid again with the same reference changes nothing.
		if again, ws, err := db.MarkBatchPaid(f.ctx, f.op, b.ID, "BATCH-1"); err != nil || again.Status != store.BatchPaid || len(ws) != 2 {
			t.Fatalf("mark paid again: %+v %v", again, err)
		}
		_, _, err = db.MarkBatchPaid(f.ctx, f.op, b.ID, "BATCH-2")
		wdErr(t, err, errs.Conflict, "payout_ref")
		if f.journals() != journals || f.audits("payout_batch.paid") != 1 || f.audits("payout_batch.create") != 1 {
			t.Fatalf("repeat marked again: %d journals (had %d), %d audits", f.journals(), journals, f.audits("payout_batch.paid"))
		}
		f.platform(396+990+2030, 4+10+20)

		// The batch reads back, and a requested withdrawal is still waiting.
		if got, ws, err := db.PayoutBatch(f.ctx, f.op, b.ID); err != nil || got.PayoutRef != "BATCH-1" || len(ws) != 2 {
			t.Fatalf("read batch: %+v %v", got, err)
		}
		if w, _ := db.Withdrawal(f.ctx, f.op, w3.ID); w.Status != wallet.Requested || w.BatchID != 0 {
			t.Fatalf("w3 = %+v", w)
		}
		f.check()
	})
}

// TestLedgerCheckFindsLostHold: a withdrawal decided behind the ledger's
// back (its row changed, no journal) is named by the ledger check.
func TestLedgerCheckFindsLostHold(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d, me := f.distributor("Dora")
		f.fund(d, 1000)
		w := f.request(me, d, 300, "")
		f.request(me, d, 200, "")
		f.check()
		if err := db.ExecRaw(f.ctx, `UPDATE withdrawals SET status = 'rejected' WHERE id = ?`, w.ID); err != nil {
			t.Fatal(err)
		}
		problems, err := db.CheckLedger(f.ctx)
		if err != nil || len(problems) != 2 || problems[0].Account != ledger.Code(ledger.DistributorWithdrawing, d) ||
			problems[1].Journal != fmt.Sprintf("withdrawal:%d:reject", w.ID) {
			t.Fatalf("problems = %v, %v", problems, err)
		}
	})
}
