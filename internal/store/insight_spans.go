package store

import (
	"cmp"
	"context"
	"slices"
	"time"

	"sharemall/internal/insight"
	"sharemall/internal/sqldb"
)

// Breakdown rollups beyond the day rows (migration 00028): per week, month
// and year (insight_breakdown_periods), and per rolling span of the last
// 1, 7 and 30 days (insight_breakdown_spans), each the exact sum of its
// day rows, so that a breakdown of such a period is one index range.

// yearGrain is the breakdowns' year: the series keep no years.
const yearGrain insight.Grain = "year"

// breakdownGrains are the grains of insight_breakdown_periods.
var breakdownGrains = []insight.Grain{insight.Week, insight.Month, yearGrain}

// breakdownSpan is a rolling span: its anchor (last day) and the days
// before it, days days in all.
type breakdownSpan struct {
	name string
	days int
}

var breakdownSpans = []breakdownSpan{{"d1", 1}, {"d7", 7}, {"d30", 30}}

// Names of the extent in insight_breakdown_state: the first and last days
// that have a day row.
const (
	stateFirstDay = "first_day"
	stateLastDay  = "last_day"
)

// utcDay is the date of a yyyymmdd key, for calendar arithmetic.
func utcDay(key int) time.Time { return insight.DateOf(key, time.UTC) }

// addDays is the key of the day n days after key's.
func addDays(key, n int) int { return insight.Key(utcDay(key).AddDate(0, 0, n)) }

// periodStart is the first day of the grain's period holding d.
func periodStart(g insight.Grain, d time.Time) time.Time {
	if g == yearGrain {
		return time.Date(d.Year(), 1, 1, 0, 0, 0, 0, d.Location())
	}
	return insight.Start(g, d)
}

// periodNext is the first day of the period after the one starting at start.
func periodNext(g insight.Grain, start time.Time) time.Time {
	if g == yearGrain {
		return start.AddDate(1, 0, 0)
	}
	return insight.Next(g, start)
}

// breakdownState reads the spans' anchors and the extent (0: none).
func (tx *Tx) breakdownState(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := tx.Each(ctx, `SELECT name, day FROM insight_breakdown_state`, nil, func(scan func(...any) error) error {
		var name string
		var day int
		if err := scan(&name, &day); err != nil {
			return sqldb.MapErr(err)
		}
		out[name] = day
		return nil
	})
	return out, err
}

type periodKey struct {
	supplier int64
	dim      insight.Dim
	grain    insight.Grain
	period   int
	key      string
}

type spanKey struct {
	supplier int64
	dim      insight.Dim
	span     string
	key      string
}

type spanSum struct {
	amount, commission int64
	lastDay            int
}

// writeBreakdownRollups adds the chunk's breakdown figures to the rows of
// their weeks, months and years, and of the spans that hold their days as
// the spans stand (moveInsightSpans moves them), and widens the extent.
func (f *insightFold) writeBreakdownRollups(ctx context.Context, tx *Tx) error {
	if len(f.breakdown) == 0 {
		return nil
	}
	state, err := tx.breakdownState(ctx)
	if err != nil {
		return err
	}
	periods := map[periodKey]*[2]int64{}
	spans := map[spanKey]*spanSum{}
	first, last := 0, 0
	for k, v := range f.breakdown {
		if first == 0 || k.day < first {
			first = k.day
		}
		last = max(last, k.day)
		d := utcDay(k.day)
		for _, g := range breakdownGrains {
			pk := periodKey{k.supplier, k.dim, g, insight.Key(periodStart(g, d)), k.key}
			p := periods[pk]
			if p == nil {
				p = &[2]int64{}
				periods[pk] = p
			}
			p[0] += v[0]
			p[1] += v[1]
		}
		for _, s := range breakdownSpans {
			a := state[s.name]
			if a == 0 || k.day > a || k.day < addDays(a, 1-s.days) {
				continue
			}
			sk := spanKey{k.supplier, k.dim, s.name, k.key}
			p := spans[sk]
			if p == nil {
				p = &spanSum{}
				spans[sk] = p
			}
			p.amount += v[0]
			p.commission += v[1]
			p.lastDay = max(p.lastDay, k.day)
		}
	}
	pkeys := make([]periodKey, 0, len(periods))
	for k := range periods {
		pkeys = append(pkeys, k)
	}
	slices.SortFunc(pkeys, func(a, b periodKey) int {
		return cmp.Or(cmp.Compare(a.supplier, b.supplier), cmp.Compare(a.dim, b.dim), cmp.Compare(a.grain, b.grain),
			cmp.Compare(a.period, b.period), cmp.Compare(a.key, b.key))
	})
	err = eachBatch(len(pkeys), func(lo, hi int) error {
		args := make([]any, 0, 7*(hi-lo))
		for _, k := range pkeys[lo:hi] {
			v := periods[k]
			args = append(args, k.supplier, string(k.dim), string(k.grain), k.period, k.key, v[0], v[1])
		}
		_, err := tx.Exec(ctx, `INSERT INTO insight_breakdown_periods (supplier_id, dim, grain, period, key_code, amount, commission)
			VALUES `+valuesList(hi-lo, 7)+`
			ON CONFLICT (supplier_id, dim, grain, period, key_code) DO UPDATE SET amount = insight_breakdown_periods.amount + excluded.amount,
				commission = insight_breakdown_periods.commission + excluded.commission`, args...)
		return err
	})
	if err != nil {
		return err
	}
	skeys := make([]spanKey, 0, len(spans))
	for k := range spans {
		skeys = append(skeys, k)
	}
	slices.SortFunc(skeys, func(a, b spanKey) int {
		return cmp.Or(cmp.Compare(a.supplier, b.supplier), cmp.Compare(a.dim, b.dim), cmp.Compare(a.span, b.span), cmp.Compare(a.key, b.key))
	})
	err = eachBatch(len(skeys), func(lo, hi int) error {
		args := make([]any, 0, 7*(hi-lo))
		for _, k := range skeys[lo:hi] {
			v := spans[k]
			args = append(args, k.supplier, string(k.dim), k.span, k.key, v.amount, v.commission, v.lastDay)
		}
		_, err := tx.Exec(ctx, `INSERT INTO insight_breakdown_spans (supplier_id, dim, span, key_code, amount, commission, last_day)
			VALUES `+valuesList(hi-lo, 7)+`
			ON CONFLICT (supplier_id, dim, span, key_code) DO UPDATE SET amount = insight_breakdown_spans.amount + excluded.amount,
				commission = insight_breakdown_spans.commission + excluded.commission,
				last_day = CASE WHEN excluded.last_day > insight_breakdown_spans.last_day THEN excluded.last_day ELSE insight_breakdown_spans.last_day END`,
			args...)
		return err
	})
	if err != nil {
		return err
	}
	if first < state[stateFirstDay] || state[stateFirstDay] == 0 {
		if _, err := tx.Exec(ctx, `UPDATE insight_breakdown_state SET day = ? WHERE name = ?`, first, stateFirstDay); err != nil {
			return err
		}
	}
	if last > state[stateLastDay] {
		if _, err := tx.Exec(ctx, `UPDATE insight_breakdown_state SET day = ? WHERE name = ?`, last, stateLastDay); err != nil {
			return err
		}
	}
	return nil
}

// moveInsightSpans moves the breakdown spans to end on the program's day
// (the sweep runs it before folding): a span one day on adds the day
// entering it and takes off the day leaving it, read from the day rows;
// a span that moved by its length or more, or back (the clock or the time
// zone changed), or was never built, is summed again from the day rows.
// Keys with no day row left in a span are deleted. Under the fold lock, so
// no chunk folds meanwhile; a no-op (one read) when the day has not
// changed.
func (db *DB) moveInsightSpans(ctx context.Context) error {
	moved := func(tx *Tx) (int, map[string]int, bool, error) {
		s, err := tx.settings(ctx)
		if err != nil {
			return 0, nil, false, err
		}
		today := insight.DayKey(tx.Now(), s.Location())
		state, err := tx.breakdownState(ctx)
		if err != nil {
			return 0, nil, false, err
		}
		for _, sp := range breakdownSpans {
			if state[sp.name] != today {
				return today, state, true, nil
			}
		}
		return today, state, false, nil
	}
	var stale bool
	if err := db.Read(ctx, func(tx *Tx) error {
		var err error
		_, _, stale, err = moved(tx)
		return err
	}); err != nil || !stale {
		return err
	}
	return db.writeAlone(ctx, func(tx *Tx) error {
		if err := tx.lockFigures(ctx); err != nil {
			return err
		}
		today, state, stale, err := moved(tx)
		if err != nil || !stale {
			return err
		}
		for _, sp := range breakdownSpans {
			if err := tx.moveSpan(ctx, sp, state[sp.name], today); err != nil {
				return err
			}
		}
		return nil
	})
}

// moveSpan moves span sp from anchor a to today.
func (tx *Tx) moveSpan(ctx context.Context, sp breakdownSpan, a, today int) error {
	if a == today {
		return nil
	}
	lo := addDays(today, 1-sp.days)
	if a == 0 || a > today || addDays(a, sp.days) <= today {
		if _, err := tx.Exec(ctx, `DELETE FROM insight_breakdown_spans WHERE span = ?`, sp.name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO insight_breakdown_spans (supplier_id, dim, span, key_code, amount, commission, last_day)
			SELECT supplier_id, dim, ?, key_code, SUM(amount), SUM(commission), MAX(day) FROM insight_breakdown
			WHERE day >= ? AND day <= ? GROUP BY supplier_id, dim, key_code`, sp.name, lo, today); err != nil {
			return err
		}
	} else {
		// Leaving: the days from the old span's first to the day before the
		// new one's; entering: the days after the old anchor up to today.
		oldLo := addDays(a, 1-sp.days)
		if _, err := tx.Exec(ctx, `INSERT INTO insight_breakdown_spans (supplier_id, dim, span, key_code, amount, commission, last_day)
			SELECT supplier_id, dim, ?, key_code, SUM(CASE WHEN day > ? THEN amount ELSE -amount END),
				SUM(CASE WHEN day > ? THEN commission ELSE -commission END), MAX(day)
			FROM insight_breakdown WHERE (day >= ? AND day < ?) OR (day > ? AND day <= ?) GROUP BY supplier_id, dim, key_code
			ON CONFLICT (supplier_id, dim, span, key_code) DO UPDATE SET amount = insight_breakdown_spans.amount + excluded.amount,
				commission = insight_breakdown_spans.commission + excluded.commission,
				last_day = CASE WHEN excluded.last_day > insight_breakdown_spans.last_day THEN excluded.last_day ELSE insight_breakdown_spans.last_day END`,
			sp.name, a, a, oldLo, lo, a, today); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM insight_breakdown_spans WHERE span = ? AND last_day < ?`, sp.name, lo); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE insight_breakdown_state SET day = ? WHERE name = ?`, today, sp.name)
	return err
}
