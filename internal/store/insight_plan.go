package store

import (
	"context"
	"time"

	"sharemall/internal/insight"
)

// breakdownPiece is a part of a breakdown's days read from one rollup: a
// run of day rows (grain day, from..to), one period of
// insight_breakdown_periods (grain week, month or year), or one span of
// insight_breakdown_spans (span set).
type breakdownPiece struct {
	grain    insight.Grain
	span     string
	from, to int // yyyymmdd, both included
}

// dayNumber counts days, for the planner's arithmetic.
func dayNumber(key int) int { return int(utcDay(key).Unix() / 86400) }

// planBreakdown covers the days from..to (yyyymmdd, both included) with the
// fewest pieces: the days that hold day rows (the extent in state) must be
// covered exactly once; a piece may also cover days outside from..to that
// hold nothing (before the first day or after the last), so that "this
// month so far" is the month's one row. A span is a piece when it has an
// anchor. nil: nothing to read (no day row in the range). The plan is a
// shortest path over the range's days (at most insight.MaxPoints), a few
// candidate pieces a day.
func planBreakdown(from, to int, state map[string]int) []breakdownPiece {
	first, last := state[stateFirstDay], state[stateLastDay]
	if first == 0 || last == 0 {
		return nil
	}
	f, t := dayNumber(from), dayNumber(to)
	r0, r1 := max(f, dayNumber(first)), min(t, dayNumber(last))
	if r0 > r1 {
		return nil
	}
	// The days a piece must not cover: those holding rows outside from..to.
	bad := [][2]int{{dayNumber(first), f - 1}, {t + 1, dayNumber(last)}}
	allowed := func(x, y int) bool {
		for _, b := range bad {
			if b[0] <= b[1] && x <= b[1] && b[0] <= y {
				return false
			}
		}
		return true
	}
	type spanAt struct {
		name           string
		from, to       int // day numbers
		fromKey, toKey int
	}
	var spans []spanAt
	for _, s := range breakdownSpans {
		if a := state[s.name]; a != 0 {
			lo := addDays(a, 1-s.days)
			spans = append(spans, spanAt{s.name, dayNumber(lo), dayNumber(a), lo, a})
		}
	}
	n := r1 - r0 + 1
	const unreached = 1 << 30
	cost := make([]int, n+1)
	via := make([]breakdownPiece, n+1)
	from0 := make([]int, n+1)
	for i := range cost {
		cost[i] = unreached
	}
	cost[0] = 0
	for i := range n {
		if cost[i] == unreached {
			continue
		}
		c := r0 + i
		try := func(p breakdownPiece, pf, pt int) {
			if pf > c || pt < c || (pf < c && (i > 0 || !allowed(pf, c-1))) {
				return
			}
			j := pt - r0 + 1
			if pt > r1 {
				if !allowed(r1+1, pt) {
					return
				}
				j = n
			}
			if cost[i]+1 < cost[j] {
				cost[j], via[j], from0[j] = cost[i]+1, p, i
			}
		}
		for _, s := range spans {
			try(breakdownPiece{span: s.name, from: s.fromKey, to: s.toKey}, s.from, s.to)
		}
		d := time.Unix(int64(c)*86400, 0).UTC() // the day numbered c
		for _, g := range []insight.Grain{yearGrain, insight.Month, insight.Week} {
			ps := periodStart(g, d)
			pe := periodNext(g, ps).AddDate(0, 0, -1)
			pf, pt := int(ps.Unix()/86400), int(pe.Unix()/86400)
			try(breakdownPiece{grain: g, from: insight.Key(ps), to: insight.Key(pe)}, pf, pt)
		}
		try(breakdownPiece{grain: insight.Day, from: insight.Key(d), to: insight.Key(d)}, c, c)
	}
	var out []breakdownPiece
	for j := n; j > 0; j = from0[j] {
		p := via[j]
		if k := len(out) - 1; p.grain == insight.Day && k >= 0 && out[k].grain == insight.Day && addDays(p.to, 1) == out[k].from {
			out[k].from = p.from // runs of days are one range of day rows
			continue
		}
		out = append(out, p)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// breakdownTop reads the limit largest keys (tiers: in order) of
// supplier's dimension over the days from..to, whose plan is plan. A plan
// of one piece that is a period or a span is one range of its index by
// amount; any other range is summed from its packs (breakdownFromPacks).
func (tx *Tx) breakdownTop(ctx context.Context, sup int64, by insight.Dim, plan []breakdownPiece, from, to, thisMonth, limit int,
	fn func(scan func(...any) error) error) error {
	if len(plan) == 0 {
		return nil
	}
	if len(plan) > 1 || plan[0].grain == insight.Day {
		return tx.breakdownFromPacks(ctx, sup, by, from, to, thisMonth, limit, fn)
	}
	order := `amount DESC, key_code`
	if by == insight.ByTier {
		order = `key_code`
	}
	p := plan[0]
	if p.span != "" {
		return tx.Each(ctx, `SELECT key_code, amount, commission FROM insight_breakdown_spans
			WHERE supplier_id = ? AND dim = ? AND span = ? ORDER BY `+order+` LIMIT ?`, []any{sup, string(by), p.span, limit}, fn)
	}
	return tx.Each(ctx, `SELECT key_code, amount, commission FROM insight_breakdown_periods
		WHERE supplier_id = ? AND dim = ? AND grain = ? AND period = ? ORDER BY `+order+` LIMIT ?`,
		[]any{sup, string(by), string(p.grain), p.from, limit}, fn)
}
