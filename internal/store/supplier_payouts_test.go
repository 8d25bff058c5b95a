package store_test

import (
	"bytes"
	"strings"
	"testing"

	"sharemall/internal/account"
	sbooks "sharemall/internal/books"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// supplier makes an approved supplier run by a new account; it returns the
// supplier's id and the account's actor.
func (f *wdFixture) supplier(name string) (int64, account.Actor) {
	f.t.Helper()
	a := f.account(name)
	s, err := f.db.ApplySupplier(f.ctx, a, catalog.SupplierApplication{Name: name, ContactEmail: strings.ToLower(name) + "@example.com"})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.db.SetSupplierStatus(f.ctx, f.op, s.ID, catalog.Approved, ""); err != nil {
		f.t.Fatal(err)
	}
	return s.ID, f.actor(a.AccountID)
}

// supplierLine books a line of base whose seller d earns 10%: supplier s
// is owed the other 90%.
func (f *wdFixture) supplierLine(s, d, lineID int64, base money.Amount) int64 {
	f.t.Helper()
	snap := commission.Snapshot{Currency: "CNY", SupplierID: s, SellerID: d, Rules: []commission.TierRule{commission.Rate(1000)}, Cap: 3000}
	if _, booked, err := f.db.BookLine(f.ctx, store.LineBooking{LineID: lineID, OrderID: lineID, Snapshot: snap,
		Line: commission.Line{Base: base, Quantity: 1}}); err != nil || !booked {
		f.t.Fatalf("book line %d: %v %v", lineID, booked, err)
	}
	return lineID
}

func (f *wdFixture) supplierBalance(s int64, pending, available, paying, paid money.Amount) {
	f.t.Helper()
	b, err := f.db.SupplierBalance(f.ctx, f.op, s)
	if err != nil {
		f.t.Fatal(err)
	}
	got := [4]money.Amount{b.Pending, b.Available, b.Paying, b.PaidOut}
	if want := [4]money.Amount{pending, available, paying, paid}; got != want {
		f.t.Fatalf("supplier %d: pending, available, paying, paid out = %v, want %v", s, got, want)
	}
}

func TestSupplierSettlementAndPayouts(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		k, _ := payoutKeys(t, "k1")
		db.UsePayoutKeys(k)
		s, sa := f.supplier("Cups")
		s2, _ := f.supplier("Plates")
		d, da := f.distributor("Ann")
		if _, err := db.SetPayoutDetails(f.ctx, sa, store.PayoutOwner{Kind: store.PayoutSupplier, ID: s}, alipayAccount()); err != nil {
			t.Fatal(err)
		}
		line := f.supplierLine(s, d, 8001, 10000)
		f.supplierBalance(s, 9000, 0, 0, 0)
		if _, err := db.CreateSupplierPayout(f.ctx, f.op, s, 100, "early"); !errs.Is(err, errs.Conflict) || errs.FieldOf(err) != "amount" {
			t.Fatalf("a payout before settlement: %v", err)
		}
		if settled, err := db.SettleLine(f.ctx, line); err != nil || !settled {
			t.Fatalf("settle: %v %v", settled, err)
		}
		f.supplierBalance(s, 0, 9000, 0, 0)
		for _, c := range []struct {
			actor    account.Actor
			supplier int64
			amount   money.Amount
			key      string
			code     errs.Code
			field    string
		}{
			{sa, s, 100, "k", errs.Forbidden, ""},
			{f.op, s, 100, "", errs.Invalid, "Idempotency-Key"},
			{f.op, s, 0, "k", errs.Invalid, "amount"},
			{f.op, s, 9001, "k", errs.Conflict, "amount"},
			{f.op, s2, 100, "k", errs.Conflict, "payout_details"},
			{f.op, 9999, 100, "k", errs.NotFound, ""},
		} {
			if _, err := db.CreateSupplierPayout(f.ctx, c.actor, c.supplier, c.amount, c.key); !errs.Is(err, c.code) || errs.FieldOf(err) != c.field {
				t.Fatalf("%+v: %v", c, err)
			}
		}
		p1, err := db.CreateSupplierPayout(f.ctx, f.op, s, 5000, "2026-01:cups")
		if err != nil {
			t.Fatal(err)
		}
		if p1.Status != sbooks.SupplierPayoutApproved || p1.PayoutTo == nil || p1.PayoutTo.Account != "1*********0" {
			t.Fatalf("payout = %+v", p1)
		}
		if again, err := db.CreateSupplierPayout(f.ctx, f.op, s, 5000, "2026-01:cups"); err != nil || again.ID != p1.ID {
			t.Fatalf("replay = %+v, %v", again, err)
		}
		if _, err := db.CreateSupplierPayout(f.ctx, f.op, s, 5001, "2026-01:cups"); !errs.Is(err, errs.Conflict) || errs.FieldOf(err) != "Idempotency-Key" {
			t.Fatalf("key reused: %v", err)
		}
		f.supplierBalance(s, 0, 4000, 5000, 0)
		p2, err := db.CreateSupplierPayout(f.ctx, f.op, s, 1000, "2026-01:cups:2")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RejectSupplierPayout(f.ctx, f.op, p2.ID, ""); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "reason" {
			t.Fatalf("no reason: %v", err)
		}
		if r, err := db.RejectSupplierPayout(f.ctx, f.op, p2.ID, "the account name does not match"); err != nil || r.Status != sbooks.SupplierPayoutRejected {
			t.Fatalf("reject = %+v, %v", r, err)
		}
		f.supplierBalance(s, 0, 4000, 5000, 0)
		b, ps, err := db.CreateSupplierPayoutBatch(f.ctx, f.op)
		if err != nil || len(ps) != 1 || ps[0].ID != p1.ID || ps[0].Status != sbooks.SupplierPayoutExported {
			t.Fatalf("batch = %+v %+v, %v", b, ps, err)
		}
		if _, _, err := db.CreateSupplierPayoutBatch(f.ctx, f.op); !errs.Is(err, errs.Conflict) {
			t.Fatalf("an empty batch: %v", err)
		}
		if _, err := db.RejectSupplierPayout(f.ctx, f.op, p1.ID, "late"); !errs.Is(err, errs.Conflict) || errs.FieldOf(err) != "status" {
			t.Fatalf("rejecting an exported payout: %v", err)
		}
		var file bytes.Buffer
		if err := db.SupplierPayoutBatchExport(f.ctx, f.op, b.ID, store.PayoutExportOptions{Format: store.ExportAlipay}, &file); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(file.String(), store.SupplierPayoutReference(p1.ID)+","+testAlipay+","+testReal+",50.00,Sharemall supplier payout") {
			t.Fatalf("alipay file = %q", file.String())
		}
		if err := db.SupplierPayoutBatchExport(f.ctx, f.op, b.ID, store.PayoutExportOptions{Format: store.ExportBank}, &file); !errs.Is(err, errs.Conflict) {
			t.Fatalf("bank file of an alipay-only batch: %v", err)
		}
		if _, _, err := db.MarkSupplierPayoutBatchPaid(f.ctx, f.op, b.ID, "ALIPAY-77"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.MarkSupplierPayoutBatchPaid(f.ctx, f.op, b.ID, "ALIPAY-77"); err != nil {
			t.Fatalf("paid again, same reference: %v", err)
		}
		if _, _, err := db.MarkSupplierPayoutBatchPaid(f.ctx, f.op, b.ID, "OTHER"); !errs.Is(err, errs.Conflict) || errs.FieldOf(err) != "payout_ref" {
			t.Fatalf("paid again, other reference: %v", err)
		}
		f.supplierBalance(s, 0, 4000, 0, 5000)
		f.check()

		// What the supplier sees: its payouts and its statement.
		list, err := db.SupplierPayouts(f.ctx, sa, s, "", 0)
		if err != nil || len(list) != 2 || list[0].ID != p2.ID {
			t.Fatalf("payouts = %+v, %v", list, err)
		}
		for _, who := range []account.Actor{da, f.actor(f.account("Zed").AccountID)} {
			if _, err := db.SupplierBalance(f.ctx, who, s); !errs.Is(err, errs.NotFound) {
				t.Fatalf("someone else's balance: %v", err)
			}
		}
		day := f.clock.Now().In(mustLocation(t, db)).Format("2006-01-02")
		st, err := db.SupplierStatement(f.ctx, sa, s, day, day)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, l := range st.Lines {
			kinds = append(kinds, l.Kind)
		}
		if st.Opening != 0 || st.Closing != 4000 || strings.Join(kinds, " ") != "settle supplier_payout.hold supplier_payout.hold supplier_payout.reject" {
			t.Fatalf("statement = %+v (kinds %v)", st, kinds)
		}
		var csvOut bytes.Buffer
		if err := store.StatementCSV(&csvOut, st, mustLocation(t, db)); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(csvOut.String(), day+",,,closing,,,,40.00,CNY\n") || strings.Count(csvOut.String(), "\n") != 7 {
			t.Fatalf("statement csv = %q", csvOut.String())
		}
		if _, err := db.SupplierStatement(f.ctx, sa, s, "2026-02-01", "2026-01-01"); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "to" {
			t.Fatalf("backwards period: %v", err)
		}
		if _, err := db.SupplierStatement(f.ctx, sa, s, "yesterday", day); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "from" {
			t.Fatalf("bad from: %v", err)
		}
		lines, err := db.AuditLog(f.ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, l := range lines {
			seen[l.Action] = true
			noPlaintext(t, string(l.Old)+string(l.New))
		}
		for _, a := range []string{"supplier_payout.create", "supplier_payout.reject", "supplier_payout_batch.create", "supplier_payout_batch.export", "supplier_payout_batch.paid"} {
			if !seen[a] {
				t.Fatalf("no audit line %s", a)
			}
		}
	})
}

// TestSupplierPayoutRacingRefund: a payout of the whole available payable
// held after its covered debit, uncommitted, while a refund after
// settlement claws the same line's share back from the same payable. The
// payout's debit locks the payable's row, so the refund waits (PostgreSQL:
// its deferred balance update blocks on the row; SQLite: the one writer),
// then drives the payable below zero: the supplier owes, nothing is paid
// twice and the books balance. Run the other way round, the refund
// commits first and the payout is refused: never above what is available.
func TestSupplierPayoutRacingRefund(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		k, _ := payoutKeys(t, "k1")
		db.UsePayoutKeys(k)
		s, sa := f.supplier("Cups")
		d, _ := f.distributor("Ann")
		if _, err := db.SetPayoutDetails(f.ctx, sa, store.PayoutOwner{Kind: store.PayoutSupplier, ID: s}, bankCard()); err != nil {
			t.Fatal(err)
		}
		line := f.supplierLine(s, d, 8101, 10000)
		if settled, err := db.SettleLine(f.ctx, line); err != nil || !settled {
			t.Fatalf("settle: %v %v", settled, err)
		}
		h := testutil.Hold(t, db, "supplier_payout.held")
		pay := testutil.Run(func() error { _, err := db.CreateSupplierPayout(f.ctx, f.op, s, 9000, "all"); return err })
		h.Reached()
		refund := testutil.Run(func() error { _, _, err := db.RefundLine(f.ctx, line, "rma-1", commission.Line{}); return err })
		testutil.BlockedOrEnded(t, db, refund)
		h.Release()
		if err := pay.Err(t); err != nil {
			t.Fatalf("payout: %v", err)
		}
		if err := refund.Err(t); err != nil {
			t.Fatalf("refund: %v", err)
		}
		f.supplierBalance(s, 0, -9000, 9000, 0)
		f.wallet(d, 0, 0, 0) // the seller's 10% clawed back from its wallet
		f.check()

		// The other order: the refund first, then a payout finds nothing.
		line2 := f.supplierLine(s, d, 8102, 2000)
		if _, err := db.SettleLine(f.ctx, line2); err != nil {
			t.Fatal(err)
		}
		f.supplierBalance(s, 0, -7200, 9000, 0)
		if _, err := db.CreateSupplierPayout(f.ctx, f.op, s, 1, "more"); !errs.Is(err, errs.Conflict) || errs.FieldOf(err) != "amount" {
			t.Fatalf("a payout from a payable in debt: %v", err)
		}
		f.check()
	})
}
