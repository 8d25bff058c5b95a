package store

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/insight"
)

// TestPlanBreakdownCovers: for random ranges, extents and span anchors, the
// plan covers every day of the range that may hold rows exactly once,
// never a day outside the range that holds rows, with pieces that are
// whole periods and spans; and a named window (a span, or a week, month or
// year to date) is one piece, a span or a period: an index range.
func TestPlanBreakdownCovers(t *testing.T) {
	base := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	day := func(rt *rapid.T, label string, lo, hi int) time.Time {
		return base.AddDate(0, 0, rapid.IntRange(lo, hi).Draw(rt, label))
	}
	rapid.Check(t, func(rt *rapid.T) {
		first := day(rt, "first", -400, 400)
		last := first.AddDate(0, 0, rapid.IntRange(0, 500).Draw(rt, "extent"))
		from := day(rt, "from", -450, 450)
		to := from.AddDate(0, 0, rapid.IntRange(0, insight.MaxPoints-1).Draw(rt, "days"))
		state := map[string]int{stateFirstDay: insight.Key(first), stateLastDay: insight.Key(last)}
		anchor := day(rt, "anchor", -450, 450)
		for _, s := range breakdownSpans {
			if rapid.Bool().Draw(rt, s.name) {
				state[s.name] = insight.Key(anchor)
			}
		}
		plan := planBreakdown(insight.Key(from), insight.Key(to), state)
		covered := map[int]int{}
		for _, p := range plan {
			pf, pt := utcDay(p.from), utcDay(p.to)
			switch {
			case p.span != "":
				n := 0
				for _, s := range breakdownSpans {
					if s.name == p.span {
						n = s.days
					}
				}
				if state[p.span] == 0 || p.to != state[p.span] || p.from != addDays(p.to, 1-n) {
					rt.Fatalf("span piece %+v does not match its anchor %d", p, state[p.span])
				}
			case p.grain == insight.Day:
			default:
				if !periodStart(p.grain, pf).Equal(pf) || !periodNext(p.grain, pf).AddDate(0, 0, -1).Equal(pt) {
					rt.Fatalf("piece %+v is not a whole %s", p, p.grain)
				}
			}
			for d := pf; !d.After(pt); d = d.AddDate(0, 0, 1) {
				covered[insight.Key(d)]++
				if (d.Before(from) || d.After(to)) && !d.Before(first) && !d.After(last) {
					rt.Fatalf("plan %+v covers %v, outside %v..%v, which may hold rows (extent %v..%v)", plan, d, from, to, first, last)
				}
			}
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if d.Before(first) || d.After(last) {
				continue
			}
			if covered[insight.Key(d)] != 1 {
				rt.Fatalf("plan %+v covers %v %d times", plan, d, covered[insight.Key(d)])
			}
		}
		for k, n := range covered {
			if n != 1 {
				rt.Fatalf("plan %+v covers %d %d times", plan, k, n)
			}
		}
		// Named windows, when every day up to today may hold rows.
		today := last
		state[stateFirstDay] = insight.Key(first.AddDate(-2, 0, 0))
		for _, s := range breakdownSpans {
			state[s.name] = insight.Key(today)
		}
		for _, w := range []time.Time{today, today.AddDate(0, 0, -6), today.AddDate(0, 0, -29), periodStart(insight.Week, today),
			periodStart(insight.Month, today), periodStart(yearGrain, today)} {
			if p := planBreakdown(insight.Key(w), insight.Key(today), state); len(p) != 1 || p[0].grain == insight.Day {
				rt.Fatalf("%v..%v: plan %+v, want one span or period", w, today, p)
			}
		}
	})
}
