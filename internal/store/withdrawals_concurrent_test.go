package store_test

import (
	"sync"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

// race fires n calls of fn at once and returns their results.
func race[T any](n int, fn func(i int) (T, error)) ([]T, []error) {
	out, errList := make([]T, n), make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			out[i], errList[i] = fn(i)
		}()
	}
	start.Done()
	done.Wait()
	return out, errList
}

// TestWithdrawalsConcurrent: 100 simultaneous requests of 1.00 on a wallet
// holding 10.00 take exactly 10.00, never more, on either engine.
func TestWithdrawalsConcurrent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 0, 100)
		d, me := f.distributor("Dora")
		f.fund(d, 1000)
		_, errList := race(100, func(int) (*wallet.Withdrawal, error) {
			return db.RequestWithdrawal(f.ctx, me, d, 100, "")
		})
		ok := 0
		for _, err := range errList {
			switch {
			case err == nil:
				ok++
			case errs.CodeOf(err) != errs.Conflict || errs.FieldOf(err) != "amount" || !store.IsNotCovered(err):
				t.Fatalf("unexpected refusal: %v", err)
			}
		}
		if ok != 10 {
			t.Fatalf("%d requests succeeded, want 10", ok)
		}
		f.wallet(d, 0, 1000, 0)
		if f.rows() != 10 {
			t.Fatalf("%d withdrawals stored, want 10", f.rows())
		}
		f.check()
	})
}

// TestWithdrawalLimitsConcurrent: the daily limit and the Idempotency-Key
// hold under simultaneous requests too.
func TestWithdrawalLimitsConcurrent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 0, 3)
		d, me := f.distributor("Dora")
		f.fund(d, 100000)
		_, errList := race(20, func(int) (*wallet.Withdrawal, error) {
			return db.RequestWithdrawal(f.ctx, me, d, 100, "")
		})
		ok := 0
		for _, err := range errList {
			switch {
			case err == nil:
				ok++
			case errs.CodeOf(err) != errs.TooMany || errs.FieldOf(err) != "daily_limit":
				t.Fatalf("unexpected refusal: %v", err)
			}
		}
		if ok != 3 {
			t.Fatalf("%d requests succeeded under a limit of 3", ok)
		}
		f.wallet(d, 100000-300, 300, 0)

		// The same key sent 20 times at once makes one withdrawal.
		other, otherActor := f.distributor("Otto")
		f.fund(other, 1000)
		ws, errList := race(20, func(int) (*wallet.Withdrawal, error) {
			return db.RequestWithdrawal(f.ctx, otherActor, other, 250, "same-key")
		})
		for i, err := range errList {
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if ws[i].ID != ws[0].ID {
				t.Fatalf("request %d made withdrawal %d, request 0 made %d", i, ws[i].ID, ws[0].ID)
			}
		}
		f.wallet(other, 750, 250, 0)
		if f.rows() != 4 {
			t.Fatalf("%d withdrawals", f.rows())
		}
		f.check()
	})
}

// TestDecisionsConcurrent: racing approvals, rejections and batch payments
// of the same withdrawals book each outcome once.
func TestDecisionsConcurrent(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 0, 100)
		d, me := f.distributor("Dora")
		f.fund(d, 10000)
		w := f.request(me, d, 1000, "")
		// Half pay it, half reject it: exactly one outcome wins.
		_, errList := race(10, func(i int) (*wallet.Withdrawal, error) {
			if i%2 == 0 {
				return db.ApproveWithdrawal(f.ctx, f.op, w.ID, "BANK-1")
			}
			return db.RejectWithdrawal(f.ctx, f.op, w.ID, "no")
		})
		got, err := db.Withdrawal(f.ctx, f.op, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, err := range errList {
			// The winner's kind of call succeeds (repeats are no-ops), the other kind is refused.
			won := (i%2 == 0) == (got.Status == wallet.Paid)
			if won && err != nil || !won && errs.CodeOf(err) != errs.Conflict {
				t.Fatalf("call %d (%s won): %v", i, got.Status, err)
			}
		}
		available, paidJournals := money.Amount(10000), 0
		if got.Status == wallet.Paid {
			available, paidJournals = 9000, 1
		}
		f.wallet(d, available, 0, 0)
		f.platform(10000-available, 0)

		// Several operators create a batch at once: one gets it.
		for _, amount := range []money.Amount{100, 200, 300} {
			w := f.request(me, d, amount, "")
			if _, err := db.ApproveWithdrawal(f.ctx, f.op, w.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		batches, errList := race(5, func(int) (*store.PayoutBatch, error) {
			b, _, err := db.CreatePayoutBatch(f.ctx, f.op)
			return b, err
		})
		var batch *store.PayoutBatch
		for i, err := range errList {
			switch {
			case err == nil && batch == nil:
				batch = batches[i]
			case err == nil:
				t.Fatalf("two batches: %d and %d", batch.ID, batches[i].ID)
			case errs.CodeOf(err) != errs.Conflict:
				t.Fatalf("create batch: %v", err)
			}
		}
		if batch == nil {
			t.Fatal("no batch created")
		}
		// …and mark it paid at once: every call succeeds, one books.
		_, errList = race(5, func(int) (*store.PayoutBatch, error) {
			b, _, err := db.MarkBatchPaid(f.ctx, f.op, batch.ID, "BATCH-1")
			return b, err
		})
		for _, err := range errList {
			if err != nil {
				t.Fatalf("mark paid: %v", err)
			}
		}
		if js, err := db.Journals(f.ctx, store.JournalFilter{Kind: "withdrawal.paid", Limit: 1000}); err != nil || len(js) != paidJournals+3 {
			t.Fatalf("paid journals: %d, %v", len(js), err)
		}
		f.wallet(d, available-600, 0, 0)
		f.check()
	})
}
