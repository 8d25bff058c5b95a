package store

import (
	"context"
	"fmt"

	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/payment"
)

// Notification outcomes beyond the callback ones (payments.go), as logged
// in payment_callbacks and payment_events.
const (
	OutcomeOpen          = "open"           // the provider says the payment is not paid yet: nothing changes
	OutcomeClosed        = "closed"         // the provider closed the payment unpaid: it is failed here
	OutcomeRefundDone    = "refund_done"    // the provider confirmed a refund: the refund effect is done and booked
	OutcomeRefundPending = "refund_pending" // the provider accepted a refund, money not back yet
	OutcomeRefundFailed  = "refund_failed"  // the provider gave up on a refund: its effect is failed, for a person
)

// ApplyNotification applies a verified notification from provider once, in
// one transaction with its event row: the same event (provider, EventID)
// again is a duplicate and changes nothing. A payment notification that
// says paid takes the path of ApplyPayment (amount and currency checked
// against the payment, the first payment of an order pays it, any later
// one is owed back whole); closed fails a pending payment. A refund
// notification confirms (or fails) the refund effect whose key it names.
// A notification about no payment or refund of ours, or with another
// amount or currency, is refused: logged in payment_callbacks, written in
// the audit log, and nothing else changes. Every notification is logged
// in payment_callbacks with its outcome.
func (db *DB) ApplyNotification(ctx context.Context, provider string, n *payment.Notification, payload string) (string, *Payment, error) {
	var outcome string
	var p *Payment
	err := db.Write(ctx, func(tx *Tx) error {
		fresh, err := tx.ExecN(ctx, `INSERT INTO payment_events (provider, event_id, kind, reference, outcome, at)
			VALUES (?, ?, ?, ?, '', ?) ON CONFLICT (provider, event_id) DO NOTHING`, provider, n.EventID, n.Kind, n.Reference, ts(tx.Now()))
		if err != nil {
			return err
		}
		if fresh == 0 {
			outcome = OutcomeDuplicate
			if p, err = tx.payment(ctx, `reference = ?`, n.Reference); errs.Is(err, errs.NotFound) {
				err = nil
			}
			if err != nil {
				return err
			}
			if p != nil && p.Status == PaymentRefundDue {
				outcome = OutcomeRefundDue // the caller makes the refund again
			}
			return tx.logCallback(ctx, provider, n.Reference, payload, outcome)
		}
		switch {
		case n.Kind == payment.NotifyPayment && n.Payment != nil:
			outcome, p, err = tx.applyPaymentState(ctx, provider, n.Reference, n.ProviderRef, n.Payment)
		case n.Kind == payment.NotifyRefund && n.Refund != nil:
			outcome, p, err = tx.applyRefundState(ctx, provider, n.Refund)
		default:
			err = errs.Invalidf("kind", "must be a payment or a refund notification, not %q", n.Kind)
		}
		if err != nil {
			return err
		}
		if err := tx.ExecLater(ctx, `UPDATE payment_events SET outcome = ? WHERE provider = ? AND event_id = ?`, outcome, provider, n.EventID); err != nil {
			return err
		}
		return tx.logCallback(ctx, provider, n.Reference, payload, outcome)
	})
	if refused := refusedOutcome(err); refused != "" {
		if lerr := db.refuseNotification(ctx, provider, n, payload, refused, err); lerr != nil {
			err = lerr
		}
	}
	return outcome, p, errs.Wrap("store.ApplyNotification", err)
}

// refusedOutcome is the outcome logged for a notification refused with err
// ("" when err is not a refusal: an outage is retried by the provider).
func refusedOutcome(err error) string {
	switch {
	case err == nil:
		return ""
	case errs.Is(err, errs.NotFound) && (errs.FieldOf(err) == "reference" || errs.FieldOf(err) == "refund_key" || errs.FieldOf(err) == "provider_ref"):
		return OutcomeUnknownPayment
	case errs.FieldOf(err) == "amount" || errs.FieldOf(err) == "currency":
		return OutcomeBadAmount
	case errs.Is(err, errs.Invalid):
		return OutcomeBadPayload
	}
	return ""
}

// refuseNotification logs a refused notification and audits it, in a
// transaction of its own (the refused one changed nothing).
func (db *DB) refuseNotification(ctx context.Context, provider string, n *payment.Notification, payload, outcome string, cause error) error {
	return errs.Wrap("store.refuseNotification", db.Write(context.WithoutCancel(ctx), func(tx *Tx) error {
		if err := tx.logCallback(ctx, provider, n.Reference, payload, outcome); err != nil {
			return err
		}
		return tx.audit(ctx, 0, "payment.notification_refused", "payment:"+n.Reference, nil, map[string]any{
			"provider": provider, "event_id": n.EventID, "kind": n.Kind, "outcome": outcome, "reason": cause.Error()})
	}))
}

// applyPaymentState applies what provider says of the payment with our
// reference.
func (tx *Tx) applyPaymentState(ctx context.Context, provider, reference, providerRef string, st *payment.PaymentState) (string, *Payment, error) {
	p, err := tx.payment(ctx, `reference = ?`, reference)
	if errs.Is(err, errs.NotFound) || (err == nil && p.Provider != provider) {
		return "", nil, errs.E(errs.NotFound, "reference", "no payment %s through %s", reference, provider)
	} else if err != nil {
		return "", nil, err // an outage is not an unknown payment: the provider must deliver again
	}
	if providerRef == "" {
		providerRef = st.ProviderRef
	}
	if providerRef != "" && providerRef != p.ProviderRef && p.ProviderRef == p.Reference {
		// The provider tells its id of the payment (WeChat transaction_id):
		// refunds and statements name it.
		if _, err := tx.Exec(ctx, `UPDATE payments SET provider_ref = ? WHERE id = ?`, providerRef, p.ID); err != nil {
			return "", nil, err
		}
		p.ProviderRef = providerRef
	}
	switch st.Status {
	case payment.PaymentPaid:
		return tx.applyPaid(ctx, p, st.Amount, st.Currency)
	case payment.PaymentClosed:
		if _, err := tx.Exec(ctx, `UPDATE payments SET status = 'failed' WHERE id = ? AND status = 'pending'`, p.ID); err != nil {
			return "", nil, err
		}
		p, err = tx.payment(ctx, `id = ?`, p.ID)
		return OutcomeClosed, p, err
	case payment.PaymentOpen:
		return OutcomeOpen, p, nil
	}
	return "", nil, errs.Invalidf("status", "must be open, paid or closed, not %q", st.Status)
}

// applyRefundState applies what provider says of the refund whose key is
// ours (a refund effect's idempotency key). Confirming it is the same
// conditional update the outbox's executor makes (CompleteEffect), so a
// notification and an executor's answer racing book it once.
func (tx *Tx) applyRefundState(ctx context.Context, provider string, r *payment.RefundState) (string, *Payment, error) {
	e, err := tx.effect(ctx, `idempotency_key = ? AND provider = ? AND kind = ?`, payment.RefundKeyFromProvider(r.RefundKey), provider, EffectRefund)
	if errs.Is(err, errs.NotFound) {
		return "", nil, errs.E(errs.NotFound, "refund_key", "no refund %s through %s", r.RefundKey, provider)
	} else if err != nil {
		return "", nil, err
	}
	if r.Amount != 0 && r.Amount != e.Amount {
		return "", nil, errs.Invalidf("amount", "the refund %s is of %d, not %d", e.Key, e.Amount, r.Amount)
	}
	var pl refundPayload
	if err := pl.Decode(e.Payload); err != nil {
		return "", nil, err
	}
	var outcome string
	switch r.Status {
	case payment.RefundDone:
		outcome = OutcomeRefundDone
		done, err := tx.completeEffect(ctx, e)
		if err != nil {
			return "", nil, err
		}
		if !done {
			outcome = OutcomeDuplicate
		}
	case payment.RefundFailed:
		outcome = OutcomeRefundFailed
		if err := books.GiveUpEffect(ctx, tx.Tx, e.ID, fmt.Sprintf("%s gave up on the refund: a person must act", provider)); err != nil {
			return "", nil, err
		}
	case payment.RefundPending:
		outcome = OutcomeRefundPending
	default:
		return "", nil, errs.Invalidf("status", "must be pending, done or failed, not %q", r.Status)
	}
	if err := tx.remoteRefund(ctx, e.ID, r); err != nil {
		return "", nil, err
	}
	p, err := tx.payment(ctx, `id = ?`, pl.PaymentID)
	return outcome, p, err
}

// remoteRefund keeps what the provider last said of a refund.
func (tx *Tx) remoteRefund(ctx context.Context, effectID int64, r *payment.RefundState) error {
	return books.NoteRemote(ctx, tx.Tx, effectID, r.Status, r.ProviderRef)
}
