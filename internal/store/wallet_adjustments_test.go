package store_test

import (
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

func (f *wdFixture) adjust(d int64, dir string, amount money.Amount, key string) (*store.WalletAdjustment, bool) {
	f.t.Helper()
	a, created, err := f.db.AdjustWallet(f.ctx, f.op, d, store.AdjustmentInput{Amount: amount, Direction: dir,
		Reason: "correction " + key, Key: key})
	if err != nil {
		f.t.Fatal(err)
	}
	return a, created
}

// TestWalletAdjustments: an operator credits and debits a wallet by hand,
// each its own balanced journal with the reason, idempotent by key; a
// credit pays the debt first, a debit beyond what is available becomes
// debt (and the wallet cannot withdraw); every adjustment is audited and
// listed to the distributor, and the ledger check still balances.
func TestWalletAdjustments(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d, me := f.distributor("Hana")
		other, otherActor := f.distributor("Ivo")
		f.fund(d, 300)

		a, created := f.adjust(d, "credit", 500, "k1")
		if !created || a.ToDebt != 0 || a.JournalKey != "adjustment:"+itoa(d)+":k1" {
			t.Fatalf("credit: %+v created %v", a, created)
		}
		f.wallet(d, 800, 0, 0)
		journals := f.journals()
		if again, created := f.adjust(d, "credit", 500, "k1"); created || again.ID != a.ID {
			t.Fatalf("the same key again: %+v created %v", again, created)
		}
		if f.journals() != journals {
			t.Fatal("the same key booked twice")
		}
		_, _, err := db.AdjustWallet(f.ctx, f.op, d, store.AdjustmentInput{Amount: 600, Direction: "credit", Reason: "correction k1", Key: "k1"})
		wantCode(t, err, errs.Conflict, "key")

		// A debit beyond what is available becomes debt; the wallet cannot withdraw.
		a, _ = f.adjust(d, "debit", 1000, "k2")
		if a.ToDebt != 200 {
			t.Fatalf("debit: %+v", a)
		}
		f.wallet(d, 0, 0, -200)
		_, err = db.RequestWithdrawal(f.ctx, me, d, 100, "")
		if errs.CodeOf(err) != errs.Conflict && errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("withdrawal from a wallet in debt: %v", err)
		}
		// A credit pays the debt first.
		a, _ = f.adjust(d, "credit", 250, "k3")
		if a.ToDebt != 200 {
			t.Fatalf("credit over debt: %+v", a)
		}
		f.wallet(d, 50, 0, 0)
		if b := f.balance(ledger.Adjustments, 0); b != -500+1000-250 {
			t.Fatalf("adjustments account %d", b)
		}

		bad := []struct {
			name  string
			actor account.Actor
			d     int64
			in    store.AdjustmentInput
			code  errs.Code
			field string
		}{
			{"zero", f.op, d, store.AdjustmentInput{Amount: 0, Direction: "credit", Reason: "r", Key: "b1"}, errs.Invalid, "amount"},
			{"negative", f.op, d, store.AdjustmentInput{Amount: -5, Direction: "credit", Reason: "r", Key: "b1"}, errs.Invalid, "amount"},
			{"direction", f.op, d, store.AdjustmentInput{Amount: 5, Direction: "up", Reason: "r", Key: "b1"}, errs.Invalid, "direction"},
			{"no reason", f.op, d, store.AdjustmentInput{Amount: 5, Direction: "credit", Reason: " ", Key: "b1"}, errs.Invalid, "reason"},
			{"no key", f.op, d, store.AdjustmentInput{Amount: 5, Direction: "credit", Reason: "r"}, errs.Invalid, "key"},
			{"bad key", f.op, d, store.AdjustmentInput{Amount: 5, Direction: "credit", Reason: "r", Key: "a b"}, errs.Invalid, "key"},
			{"unknown", f.op, 999999, store.AdjustmentInput{Amount: 5, Direction: "credit", Reason: "r", Key: "b1"}, errs.NotFound, ""},
			{"not an operator", me, d, store.AdjustmentInput{Amount: 5, Direction: "credit", Reason: "r", Key: "b1"}, errs.Forbidden, ""},
		}
		for _, tc := range bad {
			_, _, err := db.AdjustWallet(f.ctx, tc.actor, tc.d, tc.in)
			if errs.CodeOf(err) != tc.code || errs.FieldOf(err) != tc.field {
				t.Errorf("%s: got %v, want %s on %q", tc.name, err, tc.code, tc.field)
			}
		}

		list, err := db.WalletAdjustments(f.ctx, me, d, 0, 10)
		if err != nil || len(list) != 3 || list[1].Reason != "correction k2" || list[1].Direction != "debit" || list[1].By != f.op.AccountID {
			t.Fatalf("the distributor's adjustments: %+v %v", list, err)
		}
		_, err = db.WalletAdjustments(f.ctx, otherActor, d, 0, 10)
		wantCode(t, err, errs.NotFound, "")
		if list, err := db.WalletAdjustments(f.ctx, otherActor, other, 0, 10); err != nil || len(list) != 0 {
			t.Fatalf("another distributor's own list: %+v %v", list, err)
		}
		js, err := db.Journals(f.ctx, store.JournalFilter{Kind: "adjustment.debit", Limit: 10})
		if err != nil || len(js) != 1 || js[0].Memo != "correction k2" {
			t.Fatalf("the debit's journal: %+v %v", js, err)
		}
		if n := f.audits("wallet.adjust"); n != 3 {
			t.Fatalf("%d audit entries, want 3", n)
		}
		f.check()
	})
}

// TestAdjustmentsRacingOnOneKey: two adjustments with one key at once book
// once; the second answers with the first (held after it locked the wallet,
// the first makes the second wait, which then finds the key taken).
func TestAdjustmentsRacingOnOneKey(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		d, _ := f.distributor("Hana")
		in := store.AdjustmentInput{Amount: 700, Direction: "credit", Reason: "missed commission", Key: "once"}
		h := testutil.Hold(t, db, "adjustment.wallet.locked")
		var first *store.WalletAdjustment
		var firstNew bool
		op1 := testutil.Run(func() (err error) { first, firstNew, err = db.AdjustWallet(f.ctx, f.op, d, in); return err })
		h.Reached()
		var second *store.WalletAdjustment
		var secondNew bool
		op2 := testutil.Run(func() (err error) { second, secondNew, err = db.AdjustWallet(f.ctx, f.op, d, in); return err })
		testutil.BlockedOrEnded(t, db, op2)
		h.Release()
		if err := op1.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := op2.Err(t); err != nil {
			t.Fatal(err)
		}
		if !firstNew || secondNew || first.ID != second.ID {
			t.Fatalf("first %+v (new %v), second %+v (new %v)", first, firstNew, second, secondNew)
		}
		f.wallet(d, 700, 0, 0)
		if n := f.audits("wallet.adjust"); n != 1 {
			t.Fatalf("%d audit entries", n)
		}
		f.check()
	})
}
