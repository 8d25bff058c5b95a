package binding

import (
	"testing"
	"time"

	"sharemall/internal/program"
)

// BenchmarkBindingDecide times one binding decision per mode over a mix of
// touches: unbound, same distributor, another distributor inside and past
// the lock, self and own team.
func BenchmarkBindingDecide(b *testing.B) {
	lockUntil := t0.Add(30 * day)
	current := &Binding{DistributorID: 7, BoundAt: t0, LockedUntil: &lockUntil}
	touches := []struct {
		cur   *Binding
		touch Touch
		at    time.Time
	}{
		{nil, Touch{DistributorID: 7}, t0},
		{current, Touch{DistributorID: 7}, t0.Add(day)},
		{current, Touch{DistributorID: 9}, t0.Add(day)},
		{current, Touch{DistributorID: 9}, t0.Add(31 * day)},
		{current, Touch{DistributorID: 9, CustomerDistributorID: 9}, t0.Add(day)},
		{current, Touch{DistributorID: 9, CustomerDistributorID: 3, InCustomerTeam: true}, t0.Add(day)},
	}
	for _, mode := range []program.BindingMode{program.FirstTouch, program.FirstTouchLock, program.LastTouch} {
		b.Run(string(mode), func(b *testing.B) {
			b.ReportAllocs()
			var sink Decision
			i := 0
			for b.Loop() {
				t := touches[i%len(touches)]
				sink = Decide(mode, 30, t.at, t.cur, t.touch)
				i++
			}
			if sink.Outcome == "" {
				b.Fatal("no decision")
			}
		})
	}
}
