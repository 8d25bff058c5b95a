package store_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/jobs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// provider is a payment provider as the outside world behaves: it refunds
// each idempotency key once however often it is asked, and it can be down
// (every call fails, nothing refunded), lose its answer (the refund is
// made, the caller hears an error) or take its time (a refund answers
// pending for its first slow asks, then done). It stands in for the
// provider only: the database is real.
type provider struct {
	mu      sync.Mutex
	down    error                   // every call fails with it
	lose    int                     // the next lose calls refund, then fail as if the answer were lost
	slow    int                     // a refund answers pending this many times before done
	asked   map[string]int          // asks, by key
	refunds map[string]money.Amount // made, by key
	calls   int
}

func newProvider() *provider {
	return &provider{refunds: map[string]money.Amount{}, asked: map[string]int{}}
}

func (p *provider) Name() string { return "sandbox" }

func (p *provider) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundState, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.down != nil {
		return nil, p.down
	}
	key := payment.RefundKeyFromProvider(r.RefundKey) // the tests read what was made by our keys
	if prev, ok := p.refunds[key]; ok && prev != r.Amount {
		return nil, errs.Invalidf("amount", "refund %s was made for %d, not %d", key, prev, r.Amount)
	}
	p.refunds[key] = r.Amount
	p.asked[key]++
	if p.lose > 0 {
		p.lose--
		return nil, errors.New("connection reset by peer (the refund went through)")
	}
	st := &payment.RefundState{RefundKey: r.RefundKey, ProviderRef: "re_" + r.RefundKey, Status: payment.RefundDone, Amount: r.Amount}
	if p.asked[key] <= p.slow {
		st.Status = payment.RefundPending
	}
	return st, nil
}

// state is what the provider did: refunds made by key, and calls.
func (p *provider) state() (map[string]money.Amount, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]money.Amount{}
	for k, v := range p.refunds {
		out[k] = v
	}
	return out, p.calls
}

func (p *provider) set(down error, lose int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.lose = down, lose
}

var errProviderDown = &errs.Error{Code: errs.Unavailable, Message: "the provider is down"}

// latePayment makes an order, opens its payment, lets the cancel sweep
// cancel it, and delivers the payment's callback: a late payment, owed
// back. It returns the payment and the callback to deliver again.
func (w *shopWorld) latePayment() (*store.Payment, store.CallbackInput) {
	w.t.Helper()
	p := w.product(w.a, "Tea", [2]int64{1999, 0})
	w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{p.SKUs[0].ID: 5})
	o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: p.SKUs[0].ID, Quantity: 2}), "")
	ref := fmt.Sprintf("late-%d", o.ID)
	if _, err := w.db.StartPayment(w.ctx, w.cust, o.ID, "sandbox", ref); err != nil {
		w.t.Fatal(err)
	}
	w.clock.Advance(31 * time.Minute)
	if n, err := w.db.CancelUnpaidOrders(w.ctx, 10); err != nil || n != 1 {
		w.t.Fatalf("cancel: %d %v", n, err)
	}
	in := store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: o.Currency, Payload: "{}"}
	out, pay, err := w.db.ApplyPayment(w.ctx, in)
	if err != nil || out != store.OutcomeLatePayment {
		w.t.Fatalf("late payment: %s %v", out, err)
	}
	return pay, in
}

// effectsWork is the effects sweep's line of `sharemall jobs status`.
func effectsWork(t *testing.T, db *store.DB) store.DueWork {
	t.Helper()
	due, err := db.JobsDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range due {
		if d.Sweep == store.SweepEffects {
			return d
		}
	}
	t.Fatal("jobs status has no effects sweep")
	return store.DueWork{}
}

func mustEffect(t *testing.T, db *store.DB, key string) *store.Effect {
	t.Helper()
	e, err := db.EffectByKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestLatePaymentRefundIsDueUntilConfirmed: a payment that came after its
// order was cancelled is owed back, not marked refunded: the money is in
// the suspense account while the provider is down, the ledger check
// holds, jobs status shows the refund due and then failing, the sweep
// retries it after its backoff, a redelivered callback says the refund is
// still due (not "duplicate"), and a refund the provider made but whose
// answer was lost is asked again under the same key and made once.
func TestLatePaymentRefundIsDueUntilConfirmed(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		b := &books{t: t, db: db, ctx: w.ctx}
		pay, callback := w.latePayment()
		key := store.PaymentRefundKey(pay.ID)
		if pay.Status != store.PaymentRefundDue || pay.RefundedAt != nil || pay.RefundedAmount != 0 {
			t.Fatalf("a late payment not yet refunded reads %+v", pay)
		}
		// The money arrived and is owed: clearing holds it, refunds_due owes it.
		b.balances(map[string]money.Amount{string(ledger.Clearing): -pay.Amount, string(ledger.RefundsDue): pay.Amount, string(ledger.Refunds): 0})
		b.clean()
		if d := effectsWork(t, db); d.Due != 1 || d.Failing != 0 {
			t.Fatalf("jobs status before the first call: %+v", d)
		}

		// The provider is down: the call right after the commit fails.
		p := newProvider()
		p.set(errProviderDown, 0)
		e, err := db.RunEffect(w.ctx, key, store.RefundersOf(p))
		if err != nil || e.Status != store.EffectDue || e.Attempts != 1 || !strings.Contains(e.LastError, "provider is down") {
			t.Fatalf("after a failed call: %+v %v", e, err)
		}
		if got, _ := db.PaymentByRef(w.ctx, "sandbox", pay.ProviderRef); got.Status != store.PaymentRefundDue {
			t.Fatalf("payment %s after a failed refund", got.Status)
		}
		b.balances(map[string]money.Amount{string(ledger.RefundsDue): pay.Amount, string(ledger.Refunds): 0})
		b.clean()
		if d := effectsWork(t, db); d.Due != 0 || d.Failing != 1 || d.RetryDue != 0 {
			t.Fatalf("jobs status after a failure: %+v", d)
		}
		fails, err := db.JobFailures(w.ctx, "")
		if err != nil || len(fails) != 1 || fails[0].Kind != store.SweepEffects || fails[0].Item != "refund "+key || fails[0].Attempts != 1 {
			t.Fatalf("failures %+v %v", fails, err)
		}

		// The provider delivers the callback again while the refund is due.
		out, again, err := db.ApplyPayment(w.ctx, callback)
		if err != nil || out != store.OutcomeRefundDue || again.Status != store.PaymentRefundDue {
			t.Fatalf("redelivered while due: %s %+v %v", out, again, err)
		}

		// The sweep (through the jobs runner, under its lease) leaves it
		// alone until its backoff passes, then retries.
		runner := jobs.NewRunner(db, slog.New(slog.DiscardHandler), p)
		if res, err := runner.RunDue(w.ctx); err != nil || res.Done[store.SweepEffects] != 0 || res.Failed[store.SweepEffects] != 0 {
			t.Fatalf("within the backoff: %+v %v", res, err)
		}
		if _, calls := p.state(); calls != 1 {
			t.Fatalf("%d calls within the backoff", calls)
		}
		w.clock.Advance(store.Backoff(1))
		if d := effectsWork(t, db); d.Failing != 1 || d.RetryDue != 1 {
			t.Fatalf("jobs status once the retry is due: %+v", d)
		}
		if res, err := runner.RunDue(w.ctx); err != nil || res.Failed[store.SweepEffects] != 1 {
			t.Fatalf("retry while down: %+v %v", res, err)
		}
		if e := mustEffect(t, db, key); e.Attempts != 2 || !e.NextAttemptAt.Equal(w.clock.Now().Add(store.Backoff(2))) {
			t.Fatalf("after two failures: %+v", e)
		}

		// The provider is back but its answer is lost on the way: it
		// refunded, we do not know it, the money stays owed on our side.
		p.set(nil, 1)
		w.clock.Advance(store.Backoff(2))
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); n != 0 || err == nil {
			t.Fatalf("lost answer: %d %v", n, err)
		}
		b.balances(map[string]money.Amount{string(ledger.RefundsDue): pay.Amount, string(ledger.Refunds): 0})
		b.clean()

		// The next retry asks again under the same key: the provider made
		// it once, and this time we hear it.
		w.clock.Advance(store.Backoff(3))
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); n != 1 || err != nil {
			t.Fatalf("retry: %d %v", n, err)
		}
		made, calls := p.state()
		if len(made) != 1 || made[key] != pay.Amount || calls != 4 {
			t.Fatalf("the provider made %v in %d calls", made, calls)
		}
		got, err := db.PaymentByRef(w.ctx, "sandbox", pay.ProviderRef)
		if err != nil || got.Status != store.PaymentRefunded || got.RefundedAmount != pay.Amount || got.RefundedAt == nil {
			t.Fatalf("after the refund: %+v %v", got, err)
		}
		b.balances(map[string]money.Amount{string(ledger.Clearing): -pay.Amount, string(ledger.RefundsDue): 0, string(ledger.Refunds): pay.Amount})
		b.clean()
		if d := effectsWork(t, db); d.Due != 0 || d.Failing != 0 {
			t.Fatalf("jobs status after the refund: %+v", d)
		}

		// Nothing more happens, however often it is asked.
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); n != 0 || err != nil {
			t.Fatalf("sweep after the refund: %d %v", n, err)
		}
		if out, _, err := db.ApplyPayment(w.ctx, callback); err != nil || out != store.OutcomeDuplicate {
			t.Fatalf("redelivered after the refund: %s %v", out, err)
		}
		if e, err := db.RunEffect(w.ctx, key, store.RefundersOf(p)); err != nil || e.Status != store.EffectDone {
			t.Fatalf("kicked after the refund: %+v %v", e, err)
		}
		if _, calls := p.state(); calls != 4 {
			t.Fatalf("%d calls after the refund was recorded", calls)
		}
		b.balances(map[string]money.Amount{string(ledger.RefundsDue): 0, string(ledger.Refunds): pay.Amount})
	})
}

// TestRefundRecordedOnceWhenConfirmedTwice: the executor that heard the
// provider confirm is held just before recording it (as if it had died
// there); once its claim has run out, the sweep asks the provider again
// under the same key and records the refund. When the first executor
// goes on, it finds the refund recorded: one refund at the provider, one
// journal, the books clean.
func TestRefundRecordedOnceWhenConfirmedTwice(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		pay, _ := w.latePayment()
		key := store.PaymentRefundKey(pay.ID)
		p := newProvider()

		h := testutil.Hold(t, db, "effect.complete")
		first := testutil.Run(func() error {
			e, err := db.RunEffect(w.ctx, key, store.RefundersOf(p))
			if err == nil && e.Status != store.EffectDone {
				err = fmt.Errorf("first executor: effect %s", e.Status)
			}
			return err
		})
		h.Reached()
		w.clock.Advance(store.EffectClaim)
		sweep := testutil.Run(func() error {
			n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10)
			if err == nil && n != 1 {
				err = fmt.Errorf("the sweep made %d", n)
			}
			return err
		})
		testutil.BlockedOrEnded(t, db, sweep)
		h.Release()
		errFirst, errSweep := first.Err(t), sweep.Err(t)
		// On SQLite the sweep queues behind the held write and finds the
		// refund made; on PostgreSQL it claims, asks again and records it.
		if errFirst != nil || (errSweep != nil && !strings.Contains(errSweep.Error(), "the sweep made 0")) {
			t.Fatalf("first %v, sweep %v", errFirst, errSweep)
		}
		made, calls := p.state()
		if len(made) != 1 || made[key] != pay.Amount || (db.Engine() == store.Postgres && calls != 2) {
			t.Fatalf("the provider made %v in %d calls", made, calls)
		}
		got, err := db.PaymentByRef(w.ctx, "sandbox", pay.ProviderRef)
		if err != nil || got.Status != store.PaymentRefunded || got.RefundedAmount != pay.Amount {
			t.Fatalf("payment %+v %v", got, err)
		}
		if n := w.int(`SELECT COUNT(*) FROM journals WHERE kind = 'refund.paid'`); n != 1 {
			t.Fatalf("%d refund.paid journals", n)
		}
		(&books{t: t, db: db, ctx: w.ctx}).balances(map[string]money.Amount{string(ledger.RefundsDue): 0, string(ledger.Refunds): pay.Amount})
		(&books{t: t, db: db, ctx: w.ctx}).clean()
	})
}

// TestAfterSaleRefundIsDueUntilConfirmed: approving a refund books it in
// the same transaction (the line's shares recomputed, the money owed in
// refunds_due) even when the provider is down; the case is refund_due and
// keeps holding its line; approving again tries again (the provider makes
// it, but its answer is lost); the sweep asks again under the same key
// and the provider makes it once; only then is the case refunded, the
// hold released and the refund shown on the payment. A return received is
// the same.
func TestAfterSaleRefundIsDueUntilConfirmed(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		b := &books{t: t, db: db, ctx: w.ctx}
		_, lines := w.order(commission.Line{Base: 5997, Markup: 300, Quantity: 3})
		c := w.open(w.cust, lines[0], store.RefundOnly, 1)
		key := store.CaseRefundKey(c.ID)
		p := newProvider()
		p.set(errProviderDown, 0)

		c, err := db.DecideCase(w.ctx, w.a, c.ID, true, "sorry", p)
		if err != nil || c.Status != store.CaseRefundDue || c.Amount != 2099 || c.RefundedAt != nil {
			t.Fatalf("approved while the provider is down: %+v %v", c, err)
		}
		if l := w.line(lines[0]); !l.Held || l.Current.Quantity != 2 || l.Current.Base != 3998 || l.Current.Markup != 200 {
			t.Fatalf("line while the refund is due: held %v, %+v", l.Held, l.Current)
		}
		b.balances(map[string]money.Amount{string(ledger.RefundsDue): 2099, string(ledger.Refunds): 0})
		b.clean()
		if e := mustEffect(t, db, key); e.Status != store.EffectDue || e.Amount != 2099 || e.Attempts != 1 {
			t.Fatalf("effect %+v", e)
		}

		// Approving again tries again now, changing nothing else: this time
		// the provider makes the refund but its answer is lost, so for us
		// the refund is still due and the line still held.
		p.set(nil, 1)
		if c, err = db.DecideCase(w.ctx, w.a, c.ID, true, "", p); err != nil || c.Status != store.CaseRefundDue {
			t.Fatalf("approved again: %+v %v", c, err)
		}
		if e := mustEffect(t, db, key); e.Attempts != 2 {
			t.Fatalf("approving again did not retry: %+v", e)
		}
		if l := w.line(lines[0]); l.Current.Quantity != 2 || !l.Held {
			t.Fatalf("approving again changed the line %+v", l.Current)
		}

		// The sweep asks again after the backoff, under the same key.
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); n != 0 || err != nil {
			t.Fatalf("within the backoff: %d %v", n, err)
		}
		if w.line(lines[0]).Held != true {
			t.Fatal("the hold was released before the refund was made")
		}
		w.clock.Advance(store.Backoff(2))
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); n != 1 || err != nil {
			t.Fatalf("retry: %d %v", n, err)
		}
		c, err = db.AfterSaleCase(w.ctx, w.op, c.ID)
		if err != nil || c.Status != store.CaseRefunded || c.RefundedAt == nil || c.RefundRef == "" || w.line(lines[0]).Held {
			t.Fatalf("after the refund: %+v (held %v) %v", c, w.line(lines[0]).Held, err)
		}
		if made, calls := p.state(); len(made) != 1 || made[key] != 2099 || calls != 3 {
			t.Fatalf("the provider made %v in %d calls", made, calls)
		}
		b.balances(map[string]money.Amount{string(ledger.RefundsDue): 0, string(ledger.Refunds): 2099})
		b.clean()
		if refunded := w.paymentRefunded(c.OrderID); refunded != 2099 {
			t.Fatalf("the payment shows %d refunded", refunded)
		}

		// A return: booked when the goods are received, refunded once the provider answers.
		f2, l2 := w.order(commission.Line{Base: 3998, Quantity: 2})
		w.shipAndReceive(f2)
		r := w.open(w.cust, l2[0], store.ReturnRefund, 2)
		w.approve(r.ID)
		p.set(errProviderDown, 0)
		r, err = db.ReturnReceived(w.ctx, w.a, r.ID, p)
		if err != nil || r.Status != store.CaseRefundDue || r.ReturnReceivedAt == nil || !w.line(l2[0]).Held {
			t.Fatalf("return received while the provider is down: %+v %v", r, err)
		}
		b.balances(map[string]money.Amount{string(ledger.RefundsDue): 3998, string(ledger.Refunds): 2099})
		b.clean()
		p.set(nil, 0)
		if r, err = db.ReturnReceived(w.ctx, w.a, r.ID, p); err != nil || r.Status != store.CaseRefunded || w.line(l2[0]).Held {
			t.Fatalf("received again once the provider is back: %+v %v", r, err)
		}
		b.balances(map[string]money.Amount{string(ledger.RefundsDue): 0, string(ledger.Refunds): 2099 + 3998})
		b.clean()
	})
}

// TestPaymentLookupFailureIsNotUnknown: a callback whose payment cannot be
// read (here the table is gone from under it) is that failure, not an
// unknown payment: nothing is logged as unknown_payment, and once the
// database is back the same callback applies.
func TestPaymentLookupFailureIsNotUnknown(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		p := w.product(w.a, "Tea", [2]int64{1999, 0})
		w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{p.SKUs[0].ID: 5})
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: p.SKUs[0].ID, Quantity: 1}), "")
		if _, err := db.StartPayment(w.ctx, w.cust, o.ID, "sandbox", "ref-out"); err != nil {
			t.Fatal(err)
		}
		in := store.CallbackInput{Provider: "sandbox", ProviderRef: "ref-out", Amount: o.Total, Currency: o.Currency, Payload: "{}"}
		w.exec(`ALTER TABLE payments RENAME TO payments_away`)
		_, _, err := db.ApplyPayment(w.ctx, in)
		w.exec(`ALTER TABLE payments_away RENAME TO payments`)
		if err == nil || errs.Is(err, errs.NotFound) {
			t.Fatalf("a failed lookup answered %v", err)
		}
		if outs, err := db.CallbackOutcomes(w.ctx, w.op, "sandbox", "ref-out"); err != nil || len(outs) != 0 {
			t.Fatalf("logged %v %v", outs, err)
		}
		if out, _, err := db.ApplyPayment(w.ctx, in); err != nil || out != store.OutcomeApplied {
			t.Fatalf("once back: %s %v", out, err)
		}
		// An unknown reference is still unknown.
		in.ProviderRef = "nope"
		_, _, err = db.ApplyPayment(w.ctx, in)
		wantCode(t, err, errs.NotFound, "provider_ref")
	})
}

// paymentRefunded is what the payment of an order shows refunded.
func (w *asWorld) paymentRefunded(orderID int64) money.Amount {
	return money.Amount(w.db.OrdersIntForTest(w.ctx, `SELECT refunded_amount FROM payments WHERE order_id = ?`, orderID))
}

// TestEffectsMigrationDown: the schema goes back before the outbox only
// when no refund is still owed (it would be lost); then forward again, a
// payment shows as refunded what its refunded cases gave back.
func TestEffectsMigrationDown(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newASWorld(t, db)
		_, lines := w.order(commission.Line{Base: 5997, Markup: 300, Quantity: 3})
		c := w.open(w.cust, lines[0], store.RefundOnly, 1)
		p := newProvider()
		p.set(errProviderDown, 0)
		if c, err := db.DecideCase(w.ctx, w.a, c.ID, true, "", p); err != nil || c.Status != store.CaseRefundDue {
			t.Fatalf("%+v %v", c, err)
		}
		if err := db.MigrateDownToForTest(w.ctx, 17); err == nil {
			t.Fatal("migrated down with a refund still due")
		}
		// The migrations after 00018 went down before it refused: up again.
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		p.set(nil, 0)
		if c, err := db.DecideCase(w.ctx, w.a, c.ID, true, "", p); err != nil || c.Status != store.CaseRefunded {
			t.Fatalf("%+v %v", c, err)
		}
		if err := db.MigrateDownToForTest(w.ctx, 17); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(w.ctx); err != nil {
			t.Fatal(err)
		}
		if got := w.paymentRefunded(c.OrderID); got != 2099 {
			t.Fatalf("after the migration the payment shows %d refunded", got)
		}
		w.clean()
	})
}
