package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/sqldb"
)

// The effects outbox. A call to an outside provider (a refund now; payouts
// and webhooks later) is recorded as an effect in the same transaction as
// the state that needs it, and executed after the commit: at once by the
// request that made it (RunEffect), and by the effects sweep
// (RunDueEffects) until the provider confirms. Every call carries the
// effect's idempotency key, so a call repeated after a crash (the provider
// confirmed, we never recorded it) or by two servers is made once at the
// provider; recording the confirmation is a conditional update, so its
// consequences (a journal, a case refunded) happen once too.
//
// An executor claims an effect before calling (claimed_until), so two
// servers do not call at the same time; a crashed executor's claim runs
// out after EffectClaim and the effect is due again. A failed call is
// retried after Backoff(attempts); a call the provider refuses for good
// (an invalid request, an unknown payment) marks the effect failed: it
// waits for a person, and a redelivered callback or a repeated decision
// (RunEffect) tries it again.

// SweepEffects is the effects sweep's name.
const SweepEffects = "effects"

// Effect kinds.
const EffectRefund = books.EffectRefund // money back to a customer through its payment's provider

// Effect statuses (books.EffectDue and the others).
const (
	EffectDue    = books.EffectDue
	EffectDone   = books.EffectDone
	EffectFailed = books.EffectFailed
)

// EffectClaim is how long an executor holds an effect while it calls the
// provider: a provider call takes far less, and an executor that died lets
// go after it.
const EffectClaim = 5 * time.Minute

// Effect is a call to an outside provider that state committed in the
// database needs (books.Effect).
type Effect = books.Effect

// Refunders are the providers this process can refund through, by name.
type Refunders map[string]Refunder

// RefundersOf lists providers by their names; nil ones are left out, and
// a Refunders among them gives all of its own.
func RefundersOf(rs ...Refunder) Refunders {
	out := Refunders{}
	for _, r := range rs {
		if set, ok := r.(Refunders); ok {
			maps.Copy(out, set)
		} else if r != nil {
			out[r.Name()] = r
		}
	}
	return out
}

// Name is empty: a set of refunders is no provider of its own. It lets a
// server pass every gateway it runs where one Refunder is asked for (an
// after-sale decision refunds at once through its payment's provider).
func (rs Refunders) Name() string { return "" }

// Refund is refused: a set refunds through the provider each payment names
// (RefundersOf unpacks it), never as one provider.
func (rs Refunders) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundState, error) {
	return nil, errs.E(errs.Invalid, "provider", "refund %s: name the provider", r.RefundKey)
}

// recordEffect records an effect due now, in the caller's transaction
// (books.RecordEffect).
func (tx *Tx) recordEffect(ctx context.Context, kind, key, provider, payload string, amount money.Amount, currency string) error {
	return books.RecordEffect(ctx, tx.Tx, kind, key, provider, payload, amount, currency)
}

// RunEffect makes the effect with key now, through via, unless it is done or
// another executor holds it: what a request does right after committing the
// state that made it due, and what a redelivered callback or a repeated
// decision does to retry it (without waiting out its backoff; a failed
// effect is tried again too). A provider's failure is recorded on the
// effect, which the sweep retries, and is not an error here. It returns the
// effect as it stands after.
func (db *DB) RunEffect(ctx context.Context, key string, via Refunders) (*Effect, error) {
	e, err := db.EffectByKey(ctx, key)
	if err != nil {
		return nil, errs.Wrap("store.RunEffect", err)
	}
	var failed *effectError
	if _, err := db.execute(ctx, e.ID, via, true); err != nil && !errors.As(err, &failed) {
		return nil, errs.Wrap("store.RunEffect", err)
	}
	e, err = db.EffectByKey(context.WithoutCancel(ctx), key)
	return e, errs.Wrap("store.RunEffect", err)
}

// RunDueEffects is the effects sweep: it makes up to limit due effects whose
// provider via has, each claimed, called and recorded on its own. Effects
// of providers this process does not run are left to one that does. A
// call that failed is recorded and retried after its backoff; the error is
// then an ItemsFailed.
func (db *DB) RunDueEffects(ctx context.Context, via Refunders, limit int) (int, error) {
	t := &sweepTally{kind: SweepEffects}
	if len(via) == 0 {
		return 0, nil
	}
	names := make([]string, 0, len(via))
	for name := range via {
		names = append(names, name)
	}
	slices.Sort(names)
	now := ts(db.Now())
	args := []any{now, now}
	for _, name := range names {
		args = append(args, name)
	}
	ids, err := db.dueIDs(ctx, `SELECT id FROM effects WHERE status = 'due' AND next_attempt_at <= ? AND claimed_until <= ?
		AND provider IN (`+sqldb.Placeholders(len(names))+`) ORDER BY next_attempt_at, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return t.result("store.RunDueEffects", err)
	}
	for _, id := range ids {
		done, err := db.execute(ctx, id, via, false)
		var failed *effectError
		switch {
		case errors.As(err, &failed):
			t.mu.Lock()
			t.failed++
			t.last = fmt.Errorf("%s %d: %w", t.kind, id, failed.cause)
			t.mu.Unlock()
		case err != nil:
			return t.result("store.RunDueEffects", err)
		case done:
			t.add(1)
		}
	}
	return t.result("store.RunDueEffects", nil)
}

// callRefund asks r for refund effect e, naming the payment as it stands
// now (the provider's id of it may have come since the effect was
// recorded). An answer that is not about e is an error.
func (db *DB) callRefund(ctx context.Context, r Refunder, e *Effect) (*payment.RefundState, error) {
	var pl refundPayload
	if err := pl.Decode(e.Payload); err != nil {
		return nil, err
	}
	var p *Payment
	if err := db.Read(ctx, func(tx *Tx) error {
		var err error
		p, err = tx.payment(ctx, `id = ?`, pl.PaymentID)
		return err
	}); err != nil {
		return nil, err
	}
	st, err := r.Refund(ctx, payment.RefundRequest{Reference: p.Reference, ProviderRef: p.ProviderRef, RefundKey: payment.ProviderRefundKey(e.Key),
		Amount: e.Amount, Total: p.Amount, Currency: e.Currency, Reason: refundReason(pl)})
	switch {
	case err != nil:
		return nil, err
	case st == nil || (st.Status != payment.RefundPending && st.Status != payment.RefundDone && st.Status != payment.RefundFailed):
		return nil, fmt.Errorf("store: refund %s: %s answered no refund state", e.Key, e.Provider)
	case st.Amount != 0 && st.Amount != e.Amount:
		return nil, errs.E(errs.Invalid, "amount", "%s answered refund %s of %d, not %d", e.Provider, e.Key, st.Amount, e.Amount)
	}
	return st, nil
}

// refundReason is what the payer's statement says of a refund.
func refundReason(pl refundPayload) string {
	if pl.CaseID != 0 {
		return fmt.Sprintf("after-sale case %d", pl.CaseID)
	}
	return "payment not needed: the order was cancelled or already paid"
}

// effectError is a provider's failure to make an effect, recorded on it.
type effectError struct{ cause error }

func (e *effectError) Error() string { return "the provider failed: " + e.cause.Error() }
func (e *effectError) Unwrap() error { return e.cause }

// execute claims effect id, calls its provider and records the outcome. It
// reports whether this call made it done. force skips the backoff and
// takes a failed effect again. A provider failure is an *effectError,
// already recorded.
func (db *DB) execute(ctx context.Context, id int64, via Refunders, force bool) (bool, error) {
	e, err := db.claimEffect(ctx, id, force)
	if err != nil || e == nil {
		return false, err
	}
	// Whatever happens to the caller from here, what the provider did is
	// recorded: the write after the call must not be cancelled with it.
	record := context.WithoutCancel(ctx)
	r := via[e.Provider]
	if r == nil {
		return false, db.releaseEffect(record, id) // not ours to make: another process runs its provider
	}
	var cause error
	var state *payment.RefundState
	switch e.Kind {
	case EffectRefund:
		state, cause = db.callRefund(ctx, r, e)
	default:
		cause = fmt.Errorf("store: effect %s: unknown kind %q", e.Key, e.Kind)
	}
	if state != nil && cause == nil {
		if err := db.Write(record, func(tx *Tx) error { return tx.remoteRefund(record, e.ID, state) }); err != nil {
			return false, err
		}
		switch state.Status {
		case payment.RefundPending:
			// Accepted, the money not back yet: the effect stays due and is
			// asked again under its key after its backoff (or a refund
			// notification confirms it first).
			return false, db.Write(record, func(tx *Tx) error {
				return books.FailEffect(record, tx.Tx, e.ID, EffectDue, "pending at "+e.Provider, tx.Now().Add(Backoff(e.Attempts+1)))
			})
		case payment.RefundFailed:
			cause = errs.E(errs.Invalid, "", "%s gave up on the refund: a person must act", e.Provider)
		}
	}
	if cause != nil {
		if ctx.Err() != nil {
			// We are stopping; the provider may or may not have acted. Let
			// go, and the next executor asks again under the same key.
			return false, errors.Join(sqldb.MapErr(ctx.Err()), db.releaseEffect(record, id))
		}
		if err := db.effectFailed(record, e, cause); err != nil {
			return false, err
		}
		return false, &effectError{cause: cause}
	}
	var done bool
	err = db.Write(record, func(tx *Tx) error {
		var err error
		done, err = tx.completeEffect(record, e)
		return err
	})
	return done, err
}

// claimEffect takes effect id for this executor until now+EffectClaim, when
// it is due (force: whatever its backoff, failed too) and no one holds it.
// It returns nil when the effect is not to be made now.
func (db *DB) claimEffect(ctx context.Context, id int64, force bool) (*Effect, error) {
	var e *Effect
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		e, err = books.ClaimEffect(ctx, tx.Tx, id, tx.Now().Add(EffectClaim), force)
		return err
	})
	return e, err
}

// releaseEffect lets go of a claim without an attempt counted.
func (db *DB) releaseEffect(ctx context.Context, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		return books.ReleaseEffect(ctx, tx.Tx, id)
	})
}

// effectFailed records a failed call: one more attempt, the next after the
// backoff, or none when the provider refused the call for good.
func (db *DB) effectFailed(ctx context.Context, e *Effect, cause error) error {
	status := EffectDue
	if refusedForGood(cause) {
		status = EffectFailed
	}
	return db.Write(ctx, func(tx *Tx) error {
		return books.FailEffect(ctx, tx.Tx, e.ID, status, errorText(cause), tx.Now().Add(Backoff(e.Attempts+1)))
	})
}

// refusedForGood reports whether a provider's error says the call can never
// succeed as it is (it is invalid, or names what the provider does not
// know), rather than that the provider could not make it now. A provider
// answering Conflict may be busy with the same key, so that is retried.
func refusedForGood(err error) bool {
	switch errs.CodeOf(err) {
	case errs.Invalid, errs.NotFound, errs.Forbidden:
		return true
	}
	return false
}

// completeEffect records that the provider made e, and what follows from
// it, once: it reports false when another executor recorded it first.
func (tx *Tx) completeEffect(ctx context.Context, e *Effect) (bool, error) {
	tx.Point(ctx, "effect.complete")
	done, err := books.CompleteEffect(ctx, tx.Tx, e.ID)
	if err != nil || !done {
		return false, err
	}
	switch e.Kind {
	case EffectRefund:
		return true, tx.refundMade(ctx, e)
	}
	return false, fmt.Errorf("store: effect %s: unknown kind %q", e.Key, e.Kind)
}

// EffectByKey reads an effect by its idempotency key.
func (db *DB) EffectByKey(ctx context.Context, key string) (*Effect, error) {
	var e *Effect
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		e, err = tx.effect(ctx, `idempotency_key = ?`, key)
		return err
	})
	return e, errs.Wrap("store.EffectByKey", err)
}

// effect reads the effect meeting cond (books.ReadEffect).
func (tx *Tx) effect(ctx context.Context, cond string, args ...any) (*Effect, error) {
	return books.ReadEffect(ctx, tx.Tx, cond, args...)
}
