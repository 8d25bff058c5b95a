package account

import (
	"testing"
	"time"
)

func TestLoginPolicyCheck(t *testing.T) {
	p := DefaultLoginPolicy
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	times := func(n int, d time.Duration) []time.Time {
		out := make([]time.Time, n)
		for i := range out {
			out[i] = ago(d)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		h    LoginHistory
		want LoginWait
	}{
		{"nothing known", LoginHistory{}, LoginWait{}},
		{"name past its free failures, clean address", LoginHistory{NameCount: 50, NameLast: now}, LoginWait{}},
		{"name within its free failures", LoginHistory{Address: times(1, 0), NameCount: 4, NameLast: now}, LoginWait{}},
		{"5th failure: 1 s", LoginHistory{Address: times(1, 0), NameCount: 5, NameLast: ago(300 * time.Millisecond)}, LoginWait{After: 700 * time.Millisecond}},
		{"6th failure: 2 s", LoginHistory{Address: times(1, 0), NameCount: 6, NameLast: now}, LoginWait{After: 2 * time.Second}},
		{"8th failure: 8 s", LoginHistory{Address: times(1, 0), NameCount: 8, NameLast: now}, LoginWait{After: 8 * time.Second}},
		{"delay capped", LoginHistory{Address: times(1, 0), NameCount: 500, NameLast: ago(time.Minute)}, LoginWait{After: 4 * time.Minute}},
		{"delay passed", LoginHistory{Address: times(1, 0), NameCount: 6, NameLast: ago(2 * time.Second)}, LoginWait{}},
		{"address one short of its limit", LoginHistory{Address: times(9, time.Minute)}, LoginWait{}},
		{"address at its limit", LoginHistory{Address: append([]time.Time{ago(10 * time.Minute)}, times(9, time.Minute)...)},
			LoginWait{After: 5 * time.Minute, ByAddress: true}},
		{"address over its limit: the second oldest decides", LoginHistory{Address: append([]time.Time{ago(14 * time.Minute), ago(12 * time.Minute)}, times(9, 0)...)},
			LoginWait{After: 3 * time.Minute, ByAddress: true}},
		{"address limit before name delay", LoginHistory{Address: times(10, 0), NameCount: 500, NameLast: now},
			LoginWait{After: 15 * time.Minute, ByAddress: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Check(tc.h, now); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := Seconds(time.Microsecond); got != time.Second {
		t.Fatalf("Seconds rounds up: %v", got)
	}
}
