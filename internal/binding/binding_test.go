package binding

import (
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/program"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const day = 24 * time.Hour

func at(d time.Duration) *time.Time { t := t0.Add(d); return &t }

func TestDecide(t *testing.T) {
	bound7 := &Binding{DistributorID: 7, BoundAt: t0}
	locked7 := &Binding{DistributorID: 7, BoundAt: t0, LockedUntil: at(30 * day)}
	for _, tc := range []struct {
		name     string
		mode     program.BindingMode
		lockDays int
		now      time.Time
		current  *Binding
		touch    Touch
		want     Outcome
		wantDist int64 // distributor bound after; 0 for none
		wantLock *time.Time
	}{
		{"first touch binds", program.FirstTouch, 0, t0, nil, Touch{DistributorID: 7}, Bound, 7, nil},
		{"first touch is permanent", program.FirstTouch, 0, t0.Add(1000 * day), bound7, Touch{DistributorID: 8}, Kept, 7, nil},
		{"same distributor kept", program.LastTouch, 0, t0.Add(day), bound7, Touch{DistributorID: 7}, Kept, 7, nil},
		{"last touch rebinds", program.LastTouch, 0, t0.Add(time.Second), bound7, Touch{DistributorID: 8}, Rebound, 8, nil},
		{"lock binds with lock", program.FirstTouchLock, 30, t0, nil, Touch{DistributorID: 7}, Bound, 7, at(30 * day)},
		{"lock holds", program.FirstTouchLock, 30, t0.Add(30*day - time.Microsecond), locked7, Touch{DistributorID: 8}, Kept, 7, at(30 * day)},
		{"lock ends", program.FirstTouchLock, 30, t0.Add(30 * day), locked7, Touch{DistributorID: 8}, Rebound, 8, at(60 * day)},
		{"unlocked binding locks from bound_at", program.FirstTouchLock, 5, t0.Add(4 * day), bound7, Touch{DistributorID: 8}, Kept, 7, nil},
		{"unlocked binding past lock", program.FirstTouchLock, 5, t0.Add(5 * day), bound7, Touch{DistributorID: 8}, Rebound, 8, at(10 * day)},
		{"self refused", program.LastTouch, 0, t0, nil, Touch{DistributorID: 7, CustomerDistributorID: 7}, RefusedSelf, 0, nil},
		{"self refused keeps binding", program.LastTouch, 0, t0, bound7, Touch{DistributorID: 9, CustomerDistributorID: 9}, RefusedSelf, 7, nil},
		{"team refused", program.LastTouch, 0, t0, bound7, Touch{DistributorID: 9, CustomerDistributorID: 3, InCustomerTeam: true}, RefusedTeam, 7, nil},
		{"upline allowed", program.FirstTouch, 0, t0, nil, Touch{DistributorID: 2, CustomerDistributorID: 3}, Bound, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.mode, tc.lockDays, tc.now, tc.current, tc.touch)
			if d.Outcome != tc.want || d.Reason == "" {
				t.Fatalf("outcome %s (%q), want %s", d.Outcome, d.Reason, tc.want)
			}
			var got int64
			if d.Binding != nil {
				got = d.Binding.DistributorID
			}
			if got != tc.wantDist {
				t.Fatalf("bound to %d, want %d", got, tc.wantDist)
			}
			if d.Binding != nil && !reflect.DeepEqual(d.Binding.LockedUntil, tc.wantLock) {
				t.Fatalf("locked until %v, want %v", d.Binding.LockedUntil, tc.wantLock)
			}
			if d.Changed() != (tc.want == Bound || tc.want == Rebound) {
				t.Fatalf("changed %v for %s", d.Changed(), d.Outcome)
			}
			if d.Changed() && !d.Binding.BoundAt.Equal(tc.now) {
				t.Fatalf("bound at %v, want %v", d.Binding.BoundAt, tc.now)
			}
		})
	}
}

// history replays touches with the clock moving forward and returns every decision.
type step struct {
	after time.Duration
	touch Touch
}

func genSteps(t *rapid.T) []step {
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) step {
		d := rapid.Int64Range(1, 5).Draw(t, "dist")
		own := rapid.Int64Range(0, 5).Draw(t, "own")
		return step{
			after: time.Duration(rapid.Int64Range(0, 40*24).Draw(t, "hours")) * time.Hour,
			touch: Touch{DistributorID: d, CustomerDistributorID: own, InCustomerTeam: own != 0 && rapid.Bool().Draw(t, "team")},
		}
	}), 1, 30).Draw(t, "steps")
}

func replay(mode program.BindingMode, lockDays int, steps []step) ([]Decision, []time.Time) {
	var cur *Binding
	now := t0
	var out []Decision
	var times []time.Time
	for _, s := range steps {
		now = now.Add(s.after)
		d := Decide(mode, lockDays, now, cur, s.touch)
		cur = d.Binding
		out = append(out, d)
		times = append(times, now)
	}
	return out, times
}

func TestDecideProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mode := rapid.SampledFrom([]program.BindingMode{program.FirstTouch, program.FirstTouchLock, program.LastTouch}).Draw(t, "mode")
		lockDays := 0
		if mode == program.FirstTouchLock {
			lockDays = rapid.IntRange(1, 30).Draw(t, "lockDays")
		}
		steps := genSteps(t)
		ds, times := replay(mode, lockDays, steps)
		again, _ := replay(mode, lockDays, steps)
		if !reflect.DeepEqual(ds, again) {
			t.Fatalf("not deterministic")
		}
		var first *Binding
		var prev *Binding
		for i, d := range ds {
			tc := steps[i].touch
			switch {
			case tc.CustomerDistributorID == tc.DistributorID && tc.CustomerDistributorID != 0:
				if d.Outcome != RefusedSelf {
					t.Fatalf("step %d: self touch gave %s", i, d.Outcome)
				}
			case tc.InCustomerTeam:
				if d.Outcome != RefusedTeam {
					t.Fatalf("step %d: team touch gave %s", i, d.Outcome)
				}
			}
			if !d.Changed() && d.Binding != prev {
				t.Fatalf("step %d: %s changed the binding", i, d.Outcome)
			}
			if d.Changed() && d.Binding.DistributorID != tc.DistributorID {
				t.Fatalf("step %d: bound to %d, not the toucher %d", i, d.Binding.DistributorID, tc.DistributorID)
			}
			if d.Outcome == Bound && prev != nil || d.Outcome == Rebound && prev == nil {
				t.Fatalf("step %d: %s with previous %v", i, d.Outcome, prev)
			}
			if d.Outcome == Rebound {
				switch mode {
				case program.FirstTouch:
					t.Fatalf("step %d: first touch rebound", i)
				case program.FirstTouchLock:
					if times[i].Before(*prev.LockedUntil) {
						t.Fatalf("step %d: rebound at %v inside the lock until %v", i, times[i], prev.LockedUntil)
					}
				}
			}
			if mode == program.LastTouch && d.Binding != nil && d.Outcome == Kept && d.Binding.DistributorID != tc.DistributorID {
				t.Fatalf("step %d: last touch kept another distributor", i)
			}
			if first == nil && d.Binding != nil {
				first = d.Binding
			}
			if mode == program.FirstTouch && first != nil && d.Binding != first {
				t.Fatalf("step %d: first touch binding changed from %v to %v", i, first, d.Binding)
			}
			prev = d.Binding
		}
	})
}
