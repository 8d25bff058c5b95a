package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/sqldb"
)

// SweepPaymentQuery is the sweep that asks providers about payments left
// open: a lost or late notification must not leave a paid order unpaid.
const SweepPaymentQuery = "payment_query"

// Payments open less than PaymentQueryAfter are left to their notification;
// those open longer than PaymentQueryFor are no longer asked about (their
// orders were cancelled long since; a payment that arrives later still
// notifies, and is refunded as late).
const (
	PaymentQueryAfter = 5 * time.Minute
	PaymentQueryFor   = 48 * time.Hour
)

// Querier asks a provider for a payment's state: the part of
// payment.Gateway the sweep uses.
type Querier interface {
	Name() string
	Query(ctx context.Context, reference string) (*payment.PaymentState, error)
}

// QueryOpenPayments is the payment query sweep: up to limit payments of the
// providers in via, pending for longer than PaymentQueryAfter (and less
// than PaymentQueryFor), oldest first, each asked about once. What a
// provider answers is applied as its notification would be
// (ApplyNotification, with event id "query:{reference}:{status}", so one
// answer takes effect once): paid there is paid here (or owed back, when
// the order was cancelled or paid by another payment), closed there is
// failed here, open changes nothing. A provider that cannot answer now is
// asked again next run; the error is then an ItemsFailed.
func (db *DB) QueryOpenPayments(ctx context.Context, via map[string]Querier, limit int) (int, error) {
	t := &sweepTally{kind: SweepPaymentQuery}
	if len(via) == 0 {
		return 0, nil
	}
	names := make([]string, 0, len(via))
	for name := range via {
		names = append(names, name)
	}
	slices.Sort(names)
	now := db.Now()
	args := []any{ts(now.Add(-PaymentQueryAfter)), ts(now.Add(-PaymentQueryFor))}
	for _, n := range names {
		args = append(args, n)
	}
	ids, err := db.dueIDs(ctx, `SELECT id FROM payments WHERE status = 'pending' AND created_at <= ? AND created_at >= ?
		AND provider IN (`+sqldb.Placeholders(len(names))+`) ORDER BY created_at, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return t.result("store.QueryOpenPayments", err)
	}
	for _, id := range ids {
		changed, err := db.queryPayment(ctx, id, via)
		switch {
		case err != nil && ctx.Err() != nil:
			return t.result("store.QueryOpenPayments", err)
		case err != nil:
			t.mu.Lock()
			t.failed++
			t.last = fmt.Errorf("%s %d: %w", t.kind, id, err)
			t.mu.Unlock()
		case changed:
			t.add(1)
		}
	}
	return t.result("store.QueryOpenPayments", nil)
}

// queryPayment asks payment id's provider about it and applies the answer;
// it reports whether the payment changed.
func (db *DB) queryPayment(ctx context.Context, id int64, via map[string]Querier) (bool, error) {
	var p *Payment
	if err := db.Read(ctx, func(tx *Tx) error {
		var err error
		p, err = tx.payment(ctx, `id = ?`, id)
		return err
	}); err != nil {
		return false, err
	}
	q := via[p.Provider]
	if q == nil || p.Status != PaymentPending {
		return false, nil
	}
	st, err := q.Query(ctx, p.Reference)
	if err != nil {
		return false, err
	}
	if st == nil {
		return false, errors.New("the provider answered no payment state")
	}
	if st.Reference != "" && st.Reference != p.Reference {
		return false, errs.Invalidf("reference", "the provider answered about %s, not %s", st.Reference, p.Reference)
	}
	n := &payment.Notification{Kind: payment.NotifyPayment, EventID: "query:" + p.Reference + ":" + st.Status,
		Reference: p.Reference, ProviderRef: st.ProviderRef, Payment: st}
	outcome, _, err := db.ApplyNotification(ctx, p.Provider, n, fmt.Sprintf(`{"query":%q,"status":%q}`, p.Reference, st.Status))
	if err != nil {
		return false, err
	}
	return outcome != OutcomeOpen && outcome != OutcomeDuplicate, nil
}
