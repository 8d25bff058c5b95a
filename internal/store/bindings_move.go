package store

import (
	"context"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/binding"
	"sharemall/internal/errs"
	"sharemall/internal/network"
)

// MoveBinding is an operator's correction of a customer's binding: from
// now on the customer belongs to distributorID, whatever the binding rule
// would decide. It is a new binding event (outcome moved_by_operator, the
// reason, the old and the new distributor) and an audit entry, never an
// edit of the history; orders placed before keep their attribution, later
// ones follow the new binding. The distributor must be active and may not
// be the customer itself or in the customer's own team (Invalid on
// distributor_id). Moving to the distributor already bound changes nothing.
func (db *DB) MoveBinding(ctx context.Context, actor account.Actor, customerAccountID, distributorID int64, reason string) (*CustomerBinding, error) {
	const op = "store.MoveBinding"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if distributorID <= 0 {
		return nil, errs.Wrap(op, errs.Invalidf("distributor_id", "must be a distributor id"))
	}
	reason, err := operatorReason(reason, "the binding is moved")
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	err = db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.account(ctx, customerAccountID); err != nil {
			return err
		}
		d, err := tx.distributor(ctx, distributorID)
		if errs.Is(err, errs.NotFound) {
			return errs.Invalidf("distributor_id", "no distributor has this id")
		} else if err != nil {
			return err
		}
		if d.Status != network.Active {
			return errs.E(errs.Conflict, "distributor_id", "the distributor is %s; a customer can be bound only to an active distributor", d.Status)
		}
		touch := binding.Touch{DistributorID: d.ID}
		own, err := tx.distributorWhere(ctx, `account_id = ?`, customerAccountID)
		switch {
		case err == nil:
			touch.CustomerDistributorID = own.ID
			if own.ID != d.ID {
				if touch.InCustomerTeam, err = tx.inTeamOf(ctx, d, own); err != nil {
					return err
				}
			}
		case !errs.Is(err, errs.NotFound):
			return err
		}
		st, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		cur, err := tx.currentBinding(ctx, customerAccountID)
		if err != nil {
			return err
		}
		dec := binding.Move(st.Binding.Mode, st.Binding.LockDays, tx.Now(), cur, touch, reason)
		switch dec.Outcome {
		case binding.RefusedSelf, binding.RefusedTeam:
			return errs.Invalidf("distributor_id", "%s", dec.Reason)
		case binding.Kept:
			return nil
		}
		ok, err := tx.writeBinding(ctx, customerAccountID, cur, dec.Binding, 0, st.Binding.Mode)
		if err != nil {
			return err
		}
		if !ok {
			return errs.E(errs.Conflict, "distributor_id", "the binding changed at the same time; read it again")
		}
		e := BindingEvent{CustomerAccountID: customerAccountID, DistributorID: d.ID, Outcome: dec.Outcome, Reason: reason, At: tx.Now()}
		var old any
		if cur != nil {
			e.PreviousDistributorID = cur.DistributorID
			old = map[string]any{"distributor_id": cur.DistributorID}
		}
		if _, err := tx.Insert(ctx, `INSERT INTO binding_events (customer_account_id, distributor_id, previous_distributor_id, visit_id, outcome, reason, at)
			VALUES (?, ?, ?, NULL, ?, ?, ?)`, customerAccountID, e.DistributorID, nullInt(e.PreviousDistributorID),
			string(e.Outcome), e.Reason, ts(tx.Now())); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "binding."+string(dec.Outcome), fmt.Sprintf("account:%d", customerAccountID), old,
			map[string]any{"distributor_id": d.ID, "reason": reason})
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return db.Binding(ctx, actor, customerAccountID)
}
