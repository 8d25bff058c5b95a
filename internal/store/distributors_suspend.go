package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/network"
)

// operatorReason trims and checks the reason an operator gives; it is required.
func operatorReason(reason, what string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", errs.Invalidf("reason", "say why %s", what)
	case utf8.RuneCountInString(reason) > MaxReason || !utf8.ValidString(reason):
		return "", errs.Invalidf("reason", "must be at most %d characters", MaxReason)
	}
	return reason, nil
}

// SuspendDistributor suspends an active distributor (operator only,
// audited with the reason). From then on its share links and coupons bind
// nobody, checkout attributes no order to it and snapshots it as nobody in
// its team's upline, and it cannot withdraw; orders already placed keep
// their snapshots and settle as usual, and customers bound to it stay bound
// (their orders have no seller until it is reinstated or an operator moves
// the binding). It stops counting in its upline's team counters.
func (db *DB) SuspendDistributor(ctx context.Context, actor account.Actor, id int64, reason string) (*network.Distributor, error) {
	d, err := db.setSuspended(ctx, actor, id, reason, true)
	return d, errs.Wrap("store.SuspendDistributor", err)
}

// ReinstateDistributor makes a suspended distributor active again
// (operator only, audited with the reason). Orders placed while it was
// suspended stay as they were booked.
func (db *DB) ReinstateDistributor(ctx context.Context, actor account.Actor, id int64, reason string) (*network.Distributor, error) {
	d, err := db.setSuspended(ctx, actor, id, reason, false)
	return d, errs.Wrap("store.ReinstateDistributor", err)
}

func (db *DB) setSuspended(ctx context.Context, actor account.Actor, id int64, reason string, suspend bool) (*network.Distributor, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, err
	}
	from, to, what, action := network.Active, network.Suspended, "the distributor is suspended", "distributor.suspend"
	if !suspend {
		from, to, what, action = network.Suspended, network.Active, "the distributor is reinstated", "distributor.reinstate"
	}
	reason, err := operatorReason(reason, what)
	if err != nil {
		return nil, err
	}
	var d *network.Distributor
	err = db.Write(ctx, func(tx *Tx) error {
		// The network lock first, as every change of the team counters.
		if err := tx.lockNetwork(ctx); err != nil {
			return err
		}
		old, err := tx.distributor(ctx, id)
		if err != nil {
			return err
		}
		if old.Status != from {
			return errs.E(errs.Conflict, "status", "is %s; only %s distributor can be %s", old.Status, article(from), map[bool]string{true: "suspended", false: "reinstated"}[suspend])
		}
		// The status changes by a conditional update of the row, which on
		// PostgreSQL waits for a checkout holding the row (planLocked).
		n, err := tx.ExecN(ctx, `UPDATE distributors SET status = ? WHERE id = ? AND status = ?`, string(to), id, string(from))
		if err != nil {
			return err
		}
		if n != 1 {
			return errs.E(errs.Conflict, "status", "was changed by someone else at the same time; read it again")
		}
		tx.Point(ctx, "distributor.suspend.updated")
		sign := int64(-1)
		if !suspend {
			sign = 1
		}
		if err := tx.addToUpline(ctx, placementOf(old), oneActive, sign); err != nil {
			return err
		}
		if err := tx.recordStatusChange(ctx, map[bool]string{true: netSuspend, false: netReinstate}[suspend], old); err != nil {
			return err
		}
		type state struct {
			Status network.Status `json:"status"`
			Reason string         `json:"reason,omitempty"`
		}
		if err := tx.audit(ctx, actor.AccountID, action, fmt.Sprintf("distributor:%d", id),
			state{Status: from}, state{Status: to, Reason: reason}); err != nil {
			return err
		}
		d, err = tx.distributor(ctx, id)
		return err
	})
	return d, err
}

func article(s network.Status) string {
	if s == network.Active {
		return "an active"
	}
	return "a " + string(s)
}
