package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/binding"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

// BindingEvent is one binding decision: which distributor touched the
// customer, through which visit, what happened and why.
type BindingEvent struct {
	ID                    int64
	CustomerAccountID     int64
	DistributorID         int64 // the distributor that touched
	PreviousDistributorID int64 // the binding before, 0 for none
	VisitID               int64
	Outcome               binding.Outcome
	Reason                string
	At                    time.Time
}

// CustomerBinding is a customer's binding (DistributorID 0: not bound) and
// the latest decisions that led to it.
type CustomerBinding struct {
	CustomerAccountID int64
	DistributorID     int64
	VisitID           int64
	Mode              program.BindingMode
	BoundAt           *time.Time
	LockedUntil       *time.Time
	Events            []BindingEvent // oldest first, at most MaxBindingEvents
}

// MaxBindingEvents is how many of the latest decisions Binding returns.
const MaxBindingEvents = 100

// Binding shows a customer's binding with its history, to the customer
// itself and to operators.
func (db *DB) Binding(ctx context.Context, actor account.Actor, customerAccountID int64) (*CustomerBinding, error) {
	if actor.Anonymous() {
		return nil, errs.Wrap("store.Binding", errs.E(errs.Unauthorized, "", "sign in first"))
	}
	if actor.AccountID != customerAccountID && !actor.IsOperator() {
		return nil, errs.Wrap("store.Binding", errs.E(errs.Forbidden, "", "only the customer or an operator may see a binding"))
	}
	var out *CustomerBinding
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.account(ctx, customerAccountID); err != nil {
			return err
		}
		out = &CustomerBinding{CustomerAccountID: customerAccountID}
		var visit nullableInt
		var bound int64
		var locked *int64
		err := tx.Get(ctx, "binding", `SELECT distributor_id, visit_id, mode, bound_at, locked_until FROM bindings WHERE customer_account_id = ?`,
			[]any{customerAccountID}, &out.DistributorID, &visit, &out.Mode, &bound, &locked)
		switch {
		case err == nil:
			b := fromTS(bound)
			out.VisitID, out.BoundAt = int64(visit), &b
			if locked != nil {
				l := fromTS(*locked)
				out.LockedUntil = &l
			}
		case !errs.Is(err, errs.NotFound):
			return err
		}
		err = tx.Each(ctx, `SELECT id, distributor_id, previous_distributor_id, visit_id, outcome, reason, at FROM binding_events
			WHERE customer_account_id = ? ORDER BY id DESC LIMIT ?`, []any{customerAccountID, MaxBindingEvents},
			func(scan func(...any) error) error {
				e := BindingEvent{CustomerAccountID: customerAccountID}
				var prev, visit nullableInt
				var at int64
				if err := scan(&e.ID, &e.DistributorID, &prev, &visit, &e.Outcome, &e.Reason, &at); err != nil {
					return sqldb.MapErr(err)
				}
				e.PreviousDistributorID, e.VisitID, e.At = int64(prev), int64(visit), fromTS(at)
				out.Events = append(out.Events, e)
				return nil
			})
		slices.Reverse(out.Events)
		return err
	})
	return out, errs.Wrap("store.Binding", err)
}

// currentBinding reads a customer's binding, nil when unbound.
func (tx *Tx) currentBinding(ctx context.Context, customerAccountID int64) (*binding.Binding, error) {
	var b binding.Binding
	var bound int64
	var locked *int64
	err := tx.Get(ctx, "binding", `SELECT distributor_id, bound_at, locked_until FROM bindings WHERE customer_account_id = ?`,
		[]any{customerAccountID}, &b.DistributorID, &bound, &locked)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b.BoundAt = fromTS(bound)
	if locked != nil {
		l := fromTS(*locked)
		b.LockedUntil = &l
	}
	return &b, nil
}

// applyTouch applies the program's binding rule to a visit by a signed-in
// customer, writes the binding when it changes and records the decision.
// The write is a compare-and-set on the binding read, so two touches
// racing on PostgreSQL cannot both bind under first touch; the loser decides again.
func (tx *Tx) applyTouch(ctx context.Context, customerAccountID int64, v *Visit) (*BindingEvent, error) {
	st, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	touch := binding.Touch{DistributorID: v.DistributorID}
	own, err := tx.distributorWhere(ctx, `account_id = ?`, customerAccountID)
	switch {
	case err == nil:
		touch.CustomerDistributorID = own.ID
		if own.ID != v.DistributorID {
			d, err := tx.distributor(ctx, v.DistributorID)
			if err != nil {
				return nil, err
			}
			if touch.InCustomerTeam, err = tx.inTeamOf(ctx, d, own); err != nil {
				return nil, err
			}
		}
	case !errs.Is(err, errs.NotFound):
		return nil, err
	}
	for range 3 {
		cur, err := tx.currentBinding(ctx, customerAccountID)
		if err != nil {
			return nil, err
		}
		dec := binding.Decide(st.Binding.Mode, st.Binding.LockDays, tx.Now(), cur, touch)
		if dec.Changed() {
			ok, err := tx.writeBinding(ctx, customerAccountID, cur, dec.Binding, v.ID, st.Binding.Mode)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue // another touch changed the binding meanwhile
			}
		}
		return tx.recordDecision(ctx, customerAccountID, cur, v, dec)
	}
	return nil, errs.E(errs.Conflict, "", "the binding is changing concurrently; retry")
}

// writeBinding stores b if the binding is still cur; ok false when it was not.
func (tx *Tx) writeBinding(ctx context.Context, customerAccountID int64, cur, b *binding.Binding, visitID int64, mode program.BindingMode) (bool, error) {
	var n int64
	var err error
	if cur == nil {
		n, err = tx.ExecN(ctx, `INSERT INTO bindings (customer_account_id, distributor_id, visit_id, mode, bound_at, locked_until)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			customerAccountID, b.DistributorID, nullInt(visitID), string(mode), ts(b.BoundAt), nullTS(b.LockedUntil))
	} else {
		n, err = tx.ExecN(ctx, `UPDATE bindings SET distributor_id = ?, visit_id = ?, mode = ?, bound_at = ?, locked_until = ?
			WHERE customer_account_id = ? AND distributor_id = ? AND bound_at = ?`,
			b.DistributorID, nullInt(visitID), string(mode), ts(b.BoundAt), nullTS(b.LockedUntil),
			customerAccountID, cur.DistributorID, ts(cur.BoundAt))
	}
	return n == 1, err
}

func (tx *Tx) recordDecision(ctx context.Context, customerAccountID int64, cur *binding.Binding, v *Visit, dec binding.Decision) (*BindingEvent, error) {
	e := &BindingEvent{CustomerAccountID: customerAccountID, DistributorID: v.DistributorID, VisitID: v.ID,
		Outcome: dec.Outcome, Reason: dec.Reason, At: tx.Now()}
	if cur != nil {
		e.PreviousDistributorID = cur.DistributorID
	}
	var err error
	e.ID, err = tx.Insert(ctx, `INSERT INTO binding_events (customer_account_id, distributor_id, previous_distributor_id, visit_id, outcome, reason, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, customerAccountID, e.DistributorID, nullInt(e.PreviousDistributorID), nullInt(v.ID),
		string(e.Outcome), e.Reason, ts(tx.Now()))
	if err != nil || !dec.Changed() {
		return e, err
	}
	if err := tx.recordFunnel(ctx, funnelEvent{step: stepBinding, distributor: v.DistributorID, product: v.ProductID}); err != nil {
		return nil, err
	}
	// Binding changes are in the audit log too (compliance guard: every binding is exportable).
	var old any
	if cur != nil {
		old = map[string]any{"distributor_id": cur.DistributorID}
	}
	return e, tx.audit(ctx, customerAccountID, "binding."+string(dec.Outcome), fmt.Sprintf("account:%d", customerAccountID), old,
		map[string]any{"distributor_id": v.DistributorID, "visit_id": v.ID, "reason": dec.Reason})
}

// inTeamOf reports whether d is below own in the referral tree, at any
// depth. The three ancestor columns answer for three levels; deeper, a
// recursive walk up sponsor_id from d's third ancestor stops at own's
// generation (depth), so it reads at most depth(d) − depth(own) − 3 rows.
func (tx *Tx) inTeamOf(ctx context.Context, d, own *network.Distributor) (bool, error) {
	if d.Depth <= own.Depth {
		return false, nil // a team member is always of a later generation
	}
	if d.SponsorID == own.ID || d.Ancestor2ID == own.ID || d.Ancestor3ID == own.ID {
		return true, nil
	}
	if d.Depth-own.Depth <= 3 || d.Ancestor3ID == 0 {
		return false, nil
	}
	return tx.Exists(ctx, `WITH RECURSIVE up(id, depth) AS (
			SELECT id, depth FROM distributors WHERE id = ?
			UNION ALL
			SELECT d.sponsor_id, up.depth - 1 FROM distributors d JOIN up ON d.id = up.id
			WHERE d.sponsor_id IS NOT NULL AND up.depth > ?)
		SELECT 1 FROM up WHERE id = ?`, d.Ancestor3ID, own.Depth, own.ID)
}
