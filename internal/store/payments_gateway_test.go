package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// openOrder places an unpaid order of 2 × 19.99 and opens a payment of it
// through provider; it returns the order and the payment.
func (w *shopWorld) openOrder(provider string) (*order.Order, *store.Payment) {
	w.t.Helper()
	p := w.product(w.a, "Tea", [2]int64{1999, 0})
	w.warehouse(w.a, fmt.Sprintf("Main %d", w.int(`SELECT COUNT(*) FROM warehouses`)), 0, []string{"CN"}, map[int64]int64{p.SKUs[0].ID: 5})
	o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: p.SKUs[0].ID, Quantity: 2}), "")
	return o, w.begin(o, provider)
}

// begin opens one more payment of o through provider.
func (w *shopWorld) begin(o *order.Order, provider string) *store.Payment {
	w.t.Helper()
	pay, err := w.db.BeginPayment(w.ctx, w.cust, store.PaymentStart{OrderID: o.ID, Provider: provider, Method: "qr",
		Reference: payment.NewReference(o.ID)})
	if err != nil {
		w.t.Fatal(err)
	}
	return pay
}

// paid is a provider's notification that pay was paid with amount.
func paid(event string, pay *store.Payment, amount money.Amount) *payment.Notification {
	return &payment.Notification{Kind: payment.NotifyPayment, EventID: event, Reference: pay.Reference, ProviderRef: "tx_" + pay.Reference,
		Payment: &payment.PaymentState{Reference: pay.Reference, Status: payment.PaymentPaid, Amount: amount, Currency: pay.Currency}}
}

// refundNote is a provider's notification of the refund under key.
func refundNote(event string, pay *store.Payment, key, status string, amount money.Amount) *payment.Notification {
	return &payment.Notification{Kind: payment.NotifyRefund, EventID: event, Reference: pay.Reference,
		Refund: &payment.RefundState{RefundKey: key, ProviderRef: "re_" + key, Status: status, Amount: amount}}
}

func (w *shopWorld) payment(id int64) *store.Payment {
	w.t.Helper()
	ps, _, err := w.db.OrderPayments(w.ctx, w.cust, w.int(`SELECT order_id FROM payments WHERE id = ?`, id))
	if err != nil {
		w.t.Fatal(err)
	}
	for i := range ps {
		if ps[i].ID == id {
			return &ps[i]
		}
	}
	w.t.Fatalf("no payment %d", id)
	return nil
}

// TestNotificationAppliedOnceAndChecked: a notification with another
// amount or currency is refused, audited and changes nothing; the right
// one pays the order (the provider's id of the payment recorded); the same
// event again, and another event saying the same, change nothing.
func TestNotificationAppliedOnceAndChecked(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		o, pay := w.openOrder("wechatpay")
		for i, n := range []*payment.Notification{paid("e-short", pay, pay.Amount-1), paid("e-cur", pay, pay.Amount)} {
			if i == 1 {
				n.Payment.Currency = "USD"
			}
			if _, _, err := db.ApplyNotification(w.ctx, "wechatpay", n, "{}"); err == nil {
				t.Fatalf("notification %d was accepted", i)
			}
		}
		if _, _, err := db.ApplyNotification(w.ctx, "alipay", paid("e-other", pay, pay.Amount), "{}"); err == nil {
			t.Fatal("another provider's notification paid the payment")
		}
		if got := w.payment(pay.ID); got.Status != store.PaymentPending {
			t.Fatalf("after refused notifications: %s", got.Status)
		}
		audits, err := db.AuditLog(w.ctx, store.AuditFilter{Action: "payment.notification_refused"})
		if err != nil || len(audits) != 3 {
			t.Fatalf("audit %d %v", len(audits), err)
		}
		out, got, err := db.ApplyNotification(w.ctx, "wechatpay", paid("e-1", pay, pay.Amount), "{}")
		if err != nil || out != store.OutcomeApplied || got.Status != store.PaymentPaid || got.ProviderRef != "tx_"+pay.Reference {
			t.Fatalf("%s %+v %v", out, got, err)
		}
		for _, ev := range []string{"e-1", "e-2"} {
			if out, _, err := db.ApplyNotification(w.ctx, "wechatpay", paid(ev, pay, pay.Amount), "{}"); err != nil || out != store.OutcomeDuplicate {
				t.Fatalf("%s again: %s %v", ev, out, err)
			}
		}
		if got, err := db.Order(w.ctx, w.cust, o.ID); err != nil || got.Status != order.Paid {
			t.Fatalf("order %v %v", got.Status, err)
		}
		outcomes, err := db.CallbackOutcomes(w.ctx, w.op, "wechatpay", pay.Reference)
		if err != nil || len(outcomes) != 5 || outcomes[0] != store.OutcomeBadAmount || outcomes[2] != store.OutcomeApplied {
			t.Fatalf("logged %v %v", outcomes, err)
		}
		w.checkLedger()
	})
}

// TestSecondPaymentOfAnOrderIsRefunded: the rule that an order is paid by
// one payment. The customer opened two (one per provider) and paid both;
// their notifications race. The first transaction to claim the order (a
// conditional UPDATE of orders WHERE status = 'unpaid', READ COMMITTED on
// PostgreSQL; SQLite's one writer serializes them) pays it; the other finds
// the order paid and is owed back whole: refund_due, its money booked into
// refunds_due and its refund an effect, made through its own provider.
// Forced interleaving: the first is held after claiming its payment, before
// the order; the second runs meanwhile (on PostgreSQL it claims its own
// payment and then waits on, or beats, the order's row).
func TestSecondPaymentOfAnOrderIsRefunded(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		o, first := w.openOrder("wechatpay")
		second := w.begin(o, "alipay")

		h := testutil.Hold(t, db, "payment.claimed")
		var outA, outB string
		a := testutil.Run(func() error {
			var err error
			outA, _, err = db.ApplyNotification(w.ctx, "wechatpay", paid("wx-1", first, first.Amount), "{}")
			return err
		})
		h.Reached()
		b := testutil.Run(func() error {
			var err error
			outB, _, err = db.ApplyNotification(w.ctx, "alipay", paid("ali-1", second, second.Amount), "{}")
			return err
		})
		testutil.BlockedOrEnded(t, db, b)
		h.Release()
		if err := errors.Join(a.Err(t), b.Err(t)); err != nil {
			t.Fatal(err)
		}
		outs := map[string]int{outA: 1}
		outs[outB]++
		if outs[store.OutcomeApplied] != 1 || outs[store.OutcomeDoublePayment] != 1 {
			t.Fatalf("outcomes %s, %s: want one applied, one double_payment", outA, outB)
		}
		loser := second
		if outA == store.OutcomeDoublePayment {
			loser = first
		}
		if got := w.payment(loser.ID); got.Status != store.PaymentRefundDue {
			t.Fatalf("the second payment is %s", got.Status)
		}
		w.checkLedger()
		// Its refund goes through its own provider, with its id of the payment.
		p := newNamedProvider(loser.Provider)
		e, err := db.RunEffect(w.ctx, store.PaymentRefundKey(loser.ID), store.RefundersOf(newNamedProvider("sandbox"), p))
		if err != nil || e.Status != store.EffectDone {
			t.Fatalf("%+v %v", e, err)
		}
		if reqs := p.requests(); len(reqs) != 1 || reqs[0].Reference != loser.Reference || reqs[0].ProviderRef != "tx_"+loser.Reference || reqs[0].Total != loser.Amount {
			t.Fatalf("asked %+v", reqs)
		}
		got := w.payment(loser.ID)
		if got.Status != store.PaymentRefunded || got.RefundedAmount != loser.Amount {
			t.Fatalf("after the refund: %+v", got)
		}
		w.checkLedger()
	})
}

// TestPendingRefundDoneByRetry: the provider accepts the refund of a late
// payment but the money is not back yet (pending): the effect stays due,
// the ledger still owes it (refunds_due) and the payment shows it pending;
// asked again after its backoff under the same key, the provider says done.
func TestPendingRefundDoneByRetry(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		bk := &books{t: t, db: db, ctx: w.ctx}
		pay, _ := w.latePayment()
		key := store.PaymentRefundKey(pay.ID)
		p := newProvider()
		p.slow = 1
		e, err := db.RunEffect(w.ctx, key, store.RefundersOf(p))
		if err != nil || e.Status != store.EffectDue || e.LastError != "pending at sandbox" {
			t.Fatalf("pending: %+v %v", e, err)
		}
		if got := w.payment(pay.ID); got.Status != store.PaymentRefundDue {
			t.Fatalf("payment %s while its refund is pending", got.Status)
		}
		_, refunds, _ := db.OrderPayments(w.ctx, w.cust, pay.OrderID)
		if rs := refunds[pay.ID]; len(rs) != 1 || rs[0].Status != store.RefundPending || rs[0].Remote != payment.RefundPending || rs[0].Amount != pay.Amount {
			t.Fatalf("refunds %+v", rs)
		}
		bk.balances(map[string]money.Amount{string(ledger.RefundsDue): pay.Amount, string(ledger.Refunds): 0})
		w.checkLedger()
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); err != nil || n != 0 {
			t.Fatalf("within the backoff: %d %v", n, err)
		}
		w.clock.Advance(store.Backoff(1))
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); err != nil || n != 1 {
			t.Fatalf("after the backoff: %d %v", n, err)
		}
		if made, _ := p.state(); made[key] != pay.Amount {
			t.Fatalf("made %v", made)
		}
		got := w.payment(pay.ID)
		if got.Status != store.PaymentRefunded || got.RefundedAmount != pay.Amount {
			t.Fatalf("after done: %+v", got)
		}
		_, refunds, _ = db.OrderPayments(w.ctx, w.cust, pay.OrderID)
		if rs := refunds[pay.ID]; len(rs) != 1 || rs[0].Status != store.RefundDone || rs[0].DoneAt == nil || rs[0].RemoteRef != "re_"+payment.ProviderRefundKey(key) {
			t.Fatalf("refunds %+v", rs)
		}
		bk.balances(map[string]money.Amount{string(ledger.RefundsDue): 0, string(ledger.Refunds): pay.Amount})
		w.checkLedger()
	})
}

// TestPendingRefundDoneByNotification: the provider times out on the refund
// (an error: nothing known), then accepts it as pending, then its refund
// notification confirms it: done and booked once, however often the
// notification comes, and the executor asking afterwards changes nothing.
// A notification of another amount is refused.
func TestPendingRefundDoneByNotification(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		pay, _ := w.latePayment()
		key := store.PaymentRefundKey(pay.ID)
		p := newProvider()
		p.set(context.DeadlineExceeded, 0)
		if e, err := db.RunEffect(w.ctx, key, store.RefundersOf(p)); err != nil || e.Status != store.EffectDue || e.Attempts != 1 {
			t.Fatalf("timed out: %+v %v", e, err)
		}
		p.set(nil, 0)
		p.slow = 10
		if e, err := db.RunEffect(w.ctx, key, store.RefundersOf(p)); err != nil || e.Status != store.EffectDue {
			t.Fatalf("pending: %+v %v", e, err)
		}
		if _, _, err := db.ApplyNotification(w.ctx, "sandbox", refundNote("r-bad", pay, key, payment.RefundDone, pay.Amount-1), "{}"); err == nil {
			t.Fatal("a refund notification of another amount was accepted")
		}
		for i, ev := range []string{"r-1", "r-1", "r-2"} {
			out, got, err := db.ApplyNotification(w.ctx, "sandbox", refundNote(ev, pay, key, payment.RefundDone, pay.Amount), "{}")
			want := store.OutcomeDuplicate
			if i == 0 {
				want = store.OutcomeRefundDone
			}
			if err != nil || out != want || got.Status != store.PaymentRefunded || got.RefundedAmount != pay.Amount {
				t.Fatalf("%s: %s %+v %v", ev, out, got, err)
			}
		}
		w.clock.Advance(time.Hour)
		if n, err := db.RunDueEffects(w.ctx, store.RefundersOf(p), 10); err != nil || n != 0 {
			t.Fatalf("the sweep after the notification: %d %v", n, err)
		}
		if got := w.int(`SELECT COUNT(*) FROM journals WHERE idempotency_key = ?`, "refund:"+key+":paid"); got != 1 {
			t.Fatalf("%d paid journals", got)
		}
		w.checkLedger()
	})
}

// TestRefundFailedAtTheProvider: a provider that gives up on a refund (its
// answer, or its notification) leaves the effect failed for a person,
// still owed in the ledger.
func TestRefundFailedAtTheProvider(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		pay, _ := w.latePayment()
		key := store.PaymentRefundKey(pay.ID)
		out, _, err := db.ApplyNotification(w.ctx, "sandbox", refundNote("r-f", pay, key, payment.RefundFailed, pay.Amount), "{}")
		if err != nil || out != store.OutcomeRefundFailed {
			t.Fatalf("%s %v", out, err)
		}
		if e := mustEffect(t, db, key); e.Status != store.EffectFailed {
			t.Fatalf("effect %+v", e)
		}
		if got := w.payment(pay.ID); got.Status != store.PaymentRefundDue {
			t.Fatalf("payment %s", got.Status)
		}
		w.checkLedger()
	})
}

// TestQueryOpenPayments: the sweep asks the provider about payments open
// longer than PaymentQueryAfter: paid there is paid here, closed there is
// failed here, open changes nothing, a provider that cannot answer is
// asked again next run.
func TestQueryOpenPayments(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		o, pay := w.openOrder("wechatpay")
		q := &querier{name: "wechatpay", states: map[string]*payment.PaymentState{}}
		via := map[string]store.Querier{"wechatpay": q}
		if n, err := db.QueryOpenPayments(w.ctx, via, 10); err != nil || n != 0 || q.asked != 0 {
			t.Fatalf("a fresh payment was asked about: %d %v %d", n, err, q.asked)
		}
		w.clock.Advance(store.PaymentQueryAfter)
		q.err = errors.New("timeout")
		if _, err := db.QueryOpenPayments(w.ctx, via, 10); err == nil {
			t.Fatal("a failed query was not reported")
		}
		q.err = nil
		q.states[pay.Reference] = &payment.PaymentState{Reference: pay.Reference, ProviderRef: "tx1", Status: payment.PaymentOpen}
		if n, err := db.QueryOpenPayments(w.ctx, via, 10); err != nil || n != 0 {
			t.Fatalf("open: %d %v", n, err)
		}
		q.states[pay.Reference] = &payment.PaymentState{Reference: pay.Reference, ProviderRef: "tx1", Status: payment.PaymentPaid,
			Amount: pay.Amount, Currency: pay.Currency}
		if n, err := db.QueryOpenPayments(w.ctx, via, 10); err != nil || n != 1 {
			t.Fatalf("paid: %d %v", n, err)
		}
		if got, _ := db.Order(w.ctx, w.cust, o.ID); got.Status != order.Paid {
			t.Fatalf("order %s", got.Status)
		}
		// Another payment of another order, closed at the provider.
		_, other := w.openOrder("wechatpay")
		w.clock.Advance(store.PaymentQueryAfter)
		q.states[other.Reference] = &payment.PaymentState{Reference: other.Reference, Status: payment.PaymentClosed}
		if n, err := db.QueryOpenPayments(w.ctx, via, 10); err != nil || n != 1 {
			t.Fatalf("closed: %d %v", n, err)
		}
		if got := w.payment(other.ID); got.Status != store.PaymentFailed {
			t.Fatalf("closed there: %s here", got.Status)
		}
		w.checkLedger()
	})
}

type querier struct {
	name   string
	mu     sync.Mutex
	states map[string]*payment.PaymentState
	err    error
	asked  int
}

func (q *querier) Name() string { return q.name }

func (q *querier) Query(ctx context.Context, ref string) (*payment.PaymentState, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.asked++
	if q.err != nil {
		return nil, q.err
	}
	return q.states[ref], nil
}

// namedProvider is a provider under another name that records what it is asked.
type namedProvider struct {
	*provider
	name string
	mu   sync.Mutex
	reqs []payment.RefundRequest
}

func newNamedProvider(name string) *namedProvider {
	return &namedProvider{provider: newProvider(), name: name}
}

func (p *namedProvider) Name() string { return p.name }

func (p *namedProvider) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundState, error) {
	p.mu.Lock()
	p.reqs = append(p.reqs, r)
	p.mu.Unlock()
	return p.provider.Refund(ctx, r)
}

func (p *namedProvider) requests() []payment.RefundRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]payment.RefundRequest(nil), p.reqs...)
}
