package account

import (
	"fmt"
	"time"
)

// LoginPolicy says how failed logins are limited. Failures count within
// Window, per client address and per login name:
//
//   - an address is limited hard: with AddressLimit failures in the window
//     it is refused until the oldest of them leaves the window;
//   - a login name is slowed, never locked: past NameFree failures, each
//     attempt waits NameDelay after the name's last failure, doubled for
//     every further failure, at most NameDelayMax;
//   - an address with no failures is not slowed for the name, so guesses
//     from elsewhere never keep the owner out.
type LoginPolicy struct {
	Window       time.Duration
	AddressLimit int
	NameFree     int
	NameDelay    time.Duration
	NameDelayMax time.Duration
}

// DefaultLoginPolicy: 10 failures per address in 15 minutes; a name slowed
// from its 6th failure, by 1 s doubling up to 5 minutes.
var DefaultLoginPolicy = LoginPolicy{
	Window:       15 * time.Minute,
	AddressLimit: 10,
	NameFree:     5,
	NameDelay:    time.Second,
	NameDelayMax: 5 * time.Minute,
}

// LoginHistory is what is known of earlier attempts when one comes in:
// failures and attempts still being checked, within the policy's window.
type LoginHistory struct {
	Address   []time.Time // the client address's, oldest first
	NameCount int         // the login name's, from any address
	NameLast  time.Time   // the latest of the name's
}

// LoginWait is the verdict on an attempt: After is 0 when its password may
// be checked now, otherwise how long until it may.
type LoginWait struct {
	After     time.Duration
	ByAddress bool // refused for the address's failures, not the name's
}

// Check decides whether an attempt arriving at now may be checked.
func (p LoginPolicy) Check(h LoginHistory, now time.Time) LoginWait {
	if n := len(h.Address); p.AddressLimit > 0 && n >= p.AddressLimit {
		// Free again once all but AddressLimit-1 have left the window.
		return LoginWait{After: positive(h.Address[n-p.AddressLimit].Add(p.Window).Sub(now)), ByAddress: true}
	}
	if len(h.Address) == 0 || h.NameCount < p.NameFree {
		return LoginWait{}
	}
	if wait := h.NameLast.Add(p.nameDelay(h.NameCount)).Sub(now); wait > 0 {
		return LoginWait{After: wait}
	}
	return LoginWait{}
}

// nameDelay is the pause after a name's failures-th failure.
func (p LoginPolicy) nameDelay(failures int) time.Duration {
	d := p.NameDelay
	for i := p.NameFree; i < failures && d < p.NameDelayMax; i++ {
		d *= 2
	}
	return min(d, p.NameDelayMax)
}

// positive keeps a wait of at least a microsecond: a refusal always has
// something to wait for, even when its window ends this very instant.
func positive(d time.Duration) time.Duration { return max(d, time.Microsecond) }

// Message says why an attempt waits and for how long, in whole seconds.
func (w LoginWait) Message() string {
	if w.ByAddress {
		return fmt.Sprintf("too many failed logins from your network address; try again in %s", Seconds(w.After))
	}
	return fmt.Sprintf("too many failed logins for this login; try again in %s", Seconds(w.After))
}

// Seconds rounds a wait up to whole seconds, as Retry-After counts it.
func Seconds(d time.Duration) time.Duration {
	return (d + time.Second - 1).Truncate(time.Second)
}
