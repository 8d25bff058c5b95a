// Package binding decides which distributor a customer belongs to. It is
// pure: the store gathers the current binding and the facts about the
// touching distributor, Decide says what happens and why, and the store
// writes the outcome and its reason (the attribution explanation).
package binding

import (
	"fmt"
	"time"

	"sharemall/internal/program"
)

// Outcome is what a touch did to a customer's binding.
type Outcome string

const (
	Bound       Outcome = "bound"        // the customer had no binding and now has one
	Rebound     Outcome = "rebound"      // the binding moved to the touching distributor
	Kept        Outcome = "kept"         // the binding stays as it was
	RefusedSelf Outcome = "refused_self" // the customer is the touching distributor
	RefusedTeam Outcome = "refused_team" // the touching distributor is in the customer's own team
	// MovedByOperator: an operator moved the binding, with a reason (a
	// correction, never a touch; the rule's mode does not stop it).
	MovedByOperator Outcome = "moved_by_operator"
)

// Binding is a customer's current binding.
type Binding struct {
	DistributorID int64
	BoundAt       time.Time
	LockedUntil   *time.Time // first_touch_lock only: no re-binding before this
}

// Touch is one visit or coupon by a distributor, with the facts about the
// customer that the rule needs (the store finds them).
type Touch struct {
	DistributorID int64
	// CustomerDistributorID is the distributor the customer itself runs, 0 if none.
	CustomerDistributorID int64
	// InCustomerTeam: the touching distributor is below the customer's own
	// distributor in the referral tree, at any depth.
	InCustomerTeam bool
}

// Decision is the outcome of a touch. Binding is the binding after it (the
// new one when bound or rebound, the current one otherwise, nil when the
// customer is still unbound).
type Decision struct {
	Outcome Outcome
	Reason  string
	Binding *Binding
}

// Changed reports whether the binding must be written.
func (d Decision) Changed() bool {
	return d.Outcome == Bound || d.Outcome == Rebound || d.Outcome == MovedByOperator
}

// Decide applies the binding rule of mode (with lockDays for
// first_touch_lock) to a touch at now. A distributor is never bound to
// itself or to its own team, whatever the mode. A touch by the distributor
// the customer is already bound to keeps the binding as it is: the lock runs
// from the binding, not from the latest touch.
func Decide(mode program.BindingMode, lockDays int, now time.Time, current *Binding, t Touch) Decision {
	if t.CustomerDistributorID != 0 && t.DistributorID == t.CustomerDistributorID {
		return Decision{RefusedSelf, "a distributor is never bound to itself", current}
	}
	if t.InCustomerTeam {
		return Decision{RefusedTeam, fmt.Sprintf("distributor %d is in the customer's own team", t.DistributorID), current}
	}
	if current == nil {
		return Decision{Bound, fmt.Sprintf("first touch: bound to distributor %d (%s)", t.DistributorID, mode), bind(mode, lockDays, now, t)}
	}
	if current.DistributorID == t.DistributorID {
		return Decision{Kept, "already bound to this distributor", current}
	}
	switch mode {
	case program.LastTouch:
		return Decision{Rebound, fmt.Sprintf("last touch: moved from distributor %d to %d", current.DistributorID, t.DistributorID), bind(mode, lockDays, now, t)}
	case program.FirstTouchLock:
		until := lockEnd(current, lockDays)
		if now.Before(until) {
			return Decision{Kept, fmt.Sprintf("locked to distributor %d until %s", current.DistributorID, until.UTC().Format(time.RFC3339)), current}
		}
		return Decision{Rebound, fmt.Sprintf("lock of distributor %d ended %s: moved to %d and locked for %d days",
			current.DistributorID, until.UTC().Format(time.RFC3339), t.DistributorID, lockDays), bind(mode, lockDays, now, t)}
	default: // first_touch, and any mode not known here: the safe choice is to keep
		return Decision{Kept, fmt.Sprintf("first touch is permanent: stays with distributor %d", current.DistributorID), current}
	}
}

// Move is an operator's correction: the customer is bound to distributorID
// from now on, as a fresh binding under mode (so under first_touch_lock it
// is locked for lockDays from now). The store checks who may be bound; the
// rule never bound a distributor to itself or its own team, and neither may
// an operator.
func Move(mode program.BindingMode, lockDays int, now time.Time, current *Binding, t Touch, reason string) Decision {
	if t.CustomerDistributorID != 0 && t.DistributorID == t.CustomerDistributorID {
		return Decision{RefusedSelf, "a distributor is never bound to itself", current}
	}
	if t.InCustomerTeam {
		return Decision{RefusedTeam, fmt.Sprintf("distributor %d is in the customer's own team", t.DistributorID), current}
	}
	if current != nil && current.DistributorID == t.DistributorID {
		return Decision{Kept, "already bound to this distributor", current}
	}
	return Decision{MovedByOperator, reason, bind(mode, lockDays, now, t)}
}

func bind(mode program.BindingMode, lockDays int, now time.Time, t Touch) *Binding {
	b := &Binding{DistributorID: t.DistributorID, BoundAt: now}
	if mode == program.FirstTouchLock {
		until := now.Add(time.Duration(lockDays) * 24 * time.Hour)
		b.LockedUntil = &until
	}
	return b
}

// lockEnd is when a binding may move under first_touch_lock. A binding made
// under another mode has no stored lock; it is locked for lockDays from
// when it was made, as if it had been made under this mode.
func lockEnd(b *Binding, lockDays int) time.Time {
	if b.LockedUntil != nil {
		return *b.LockedUntil
	}
	return b.BoundAt.Add(time.Duration(lockDays) * 24 * time.Hour)
}
