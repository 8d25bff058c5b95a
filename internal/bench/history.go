package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"sharemall/internal/bench/seed"
	"sharemall/internal/sqldb"
)

// History is the year of orders generated before the scenarios
// (`--orders N`): what it is and what it took.
type History struct {
	Orders int `json:"orders"` // orders of history, templates included
	// Templates are placed, paid and (all but the recent ones) settled
	// through the real server; the rest copy them.
	Templates   int     `json:"templates"`
	Settled     int     `json:"settled"`      // orders older than the after-sale window: shipped, received, settled
	Rows        int64   `json:"rows"`         // rows the copies wrote (ledger balances aside)
	SalesEvents int64   `json:"sales_events"` // the history's sales events: the insight scenario's year of sales
	HistoryS    float64 `json:"history_s"`    // templates and copies, balances included; not the fold
	// FoldS is the team figures, insight and simulator folds of the
	// history (the sweeps' own code, run until nothing is left).
	FoldS        float64            `json:"history_fold_s"`
	FoldByS      map[string]float64 `json:"fold_by_s"` // of FoldS, per sweep: figures, insight, simulator
	FoldedEvents int                `json:"folded_events"`
}

// historyTemplates is how many orders of each kind are placed through the
// real server for n orders of history: one in 100, at least least and at
// most most (never more than n). Their sellers, customers and products are
// all the variety the history has.
func historyTemplates(n, least, most int) int {
	return min(n, max(least, min(most, n/100)))
}

// history places the templates through the server with the clock moved
// back (the settled ones at the start of the year, shipped, received and
// settled by the sweep; the recent ones at the start of the after-sale
// window), records their rows, copies them into r.opt.Orders orders spread
// over the past 365 days in time order, and folds the whole history with
// the sweeps. The clock is back to normal afterwards.
func (r *run) history(ctx context.Context) (*History, error) {
	n := r.opt.Orders
	out := &History{Orders: n}
	s, err := r.db.Settings(ctx)
	if err != nil {
		return nil, err
	}
	cur := s.Currency()
	window := time.Duration(s.AfterSaleDays+1) * 24 * time.Hour
	year := time.Duration(historyDays) * 24 * time.Hour
	// Orders of the last window are still within their after-sale period
	// (paid, released): the rest went the whole way.
	recent := n * (s.AfterSaleDays + 1) / historyDays
	out.Settled = n - recent
	tS, tP := historyTemplates(out.Settled, 100, 5000), historyTemplates(recent, 20, 500)
	out.Templates = tS + tP

	start := time.Now()
	orig := r.db.Now
	defer func() { r.db.Now = orig }()
	at := func(d time.Duration) { r.db.Now = func() time.Time { return time.Now().Add(d) } }
	stage := func(name string) {
		if r.histStage != nil {
			r.histStage(name)
		}
	}
	before, err := seed.TableCounts(ctx, r.db)
	if err != nil {
		return nil, err
	}
	// The team figures are scaled (below): they must hold nothing else.
	if zero, err := seed.FiguresZero(ctx, r.db); err != nil || !zero || before["sales_events"] != 0 {
		return nil, fmt.Errorf("history: the program has sales already (%d sales events, figures zero: %v, %v)", before["sales_events"], zero, err)
	}
	var firstOrder, firstFunnel int64
	err = r.db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Get(ctx, "ids", `SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM orders), (SELECT COALESCE(MAX(id), 0) + 1 FROM funnel_events)`,
			nil, &firstOrder, &firstFunnel)
	})
	if err != nil {
		return nil, err
	}
	place := func(k int, seedN uint64) error {
		if k == 0 {
			return nil
		}
		rngs := make([]*rand.Rand, r.opt.Clients)
		for i := range rngs {
			rngs[i] = rand.New(rand.NewPCG(r.opt.Seed, seedN+uint64(i)))
		}
		done, _, err := drive(ctx, r.opt.Clients, time.Hour, int64(k), func(ctx context.Context, w int, u int64) error {
			return r.order(ctx, rngs[w], int(u), 0, cur, nil)
		})
		if err == nil && done != int64(k) {
			err = fmt.Errorf("placed %d of %d template orders", done, k)
		}
		return err
	}
	back := -year + time.Minute
	at(back)
	if err := place(tS, 9000); err != nil {
		return nil, fmt.Errorf("settled templates: %w", err)
	}
	if _, err := seed.ReceiveAll(ctx, r.db); err != nil {
		return nil, err
	}
	at(back + window + time.Minute)
	for {
		k, err := r.db.SettleMaturedLines(ctx, 500)
		if err != nil {
			return nil, err
		}
		if k == 0 {
			break
		}
	}
	var left int64
	if err := r.db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Get(ctx, "lines", `SELECT COUNT(*) FROM commission_lines WHERE status <> 'settled'`, nil, &left)
	}); err != nil || left != 0 {
		return nil, fmt.Errorf("settled templates: %d lines not settled (%v)", left, err)
	}
	// The settled templates' sales events: the team figures scale them.
	var settledEvents, lastSettledEvent int64
	if err := r.db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Get(ctx, "sales", `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM sales_events`, nil, &settledEvents, &lastSettledEvent)
	}); err != nil {
		return nil, err
	}
	stage("settled")
	recentStart := -window + time.Minute
	at(recentStart)
	if err := place(tP, 9500); err != nil {
		return nil, fmt.Errorf("recent templates: %w", err)
	}
	r.db.Now = orig
	after, err := seed.TableCounts(ctx, r.db)
	if err != nil {
		return nil, err
	}
	var ids []int64
	if err := r.db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		var err error
		ids, err = sqldb.Column[int64](ctx, tx, `SELECT id FROM orders WHERE id >= ? ORDER BY id`, []any{firstOrder})
		return err
	}); err != nil {
		return nil, err
	}
	if len(ids) != out.Templates {
		return nil, fmt.Errorf("history: %d template orders, want %d", len(ids), out.Templates)
	}
	tpl, err := seed.RecordHistory(ctx, r.db, ids, firstFunnel, diff(before, after))
	if err != nil {
		return nil, err
	}
	stage("templates")
	r.logf("history: %d template orders (%d settled) placed through the server, %d rows, in %.1f s",
		out.Templates, tS, tpl.Rows, time.Since(start).Seconds())

	// The team figures: the settled templates' sales events folded by the
	// sweep's own code, then multiplied by 1+k for k copies of every settled
	// template (the fold only sums; seed.ScaleFigures); those copies are
	// written folded, the rest (the settled copies beyond k each, fewer than
	// one per template, and every recent one) unfolded, for the sweep below.
	fold := time.Now()
	var figuresS float64
	for left := settledEvents; left > 0; {
		k, err := r.db.FoldSalesEvents(ctx, int(min(5000, left)))
		if err != nil {
			return nil, fmt.Errorf("fold figures: %w", err)
		}
		if k == 0 {
			return nil, fmt.Errorf("fold figures: %d of the settled templates' sales events did not fold", left)
		}
		out.FoldedEvents += k
		left -= int64(k)
	}
	var folded, beyond int64
	if err := r.db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Get(ctx, "sales", `SELECT COUNT(*), COUNT(CASE WHEN id > ? THEN 1 END) FROM sales_events WHERE folded = TRUE`,
			[]any{lastSettledEvent}, &folded, &beyond)
	}); err != nil || folded != settledEvents || beyond != 0 {
		return nil, fmt.Errorf("fold figures: %d folded, %d of them not the settled templates' (%d): %v", folded, beyond, settledEvents, err)
	}
	k := (out.Settled - tS) / tS
	if k > 0 {
		if err := seed.ScaleFigures(ctx, r.db, int64(1+k)); err != nil {
			return nil, err
		}
	}
	figuresS = time.Since(fold).Seconds()
	foldTemplates := time.Since(fold)

	// The copies, in time order: the settled ones after their templates and
	// settled (their last row) before the recent window begins, the recent
	// ones after theirs and before now.
	rng := rand.New(rand.NewPCG(r.opt.Seed, 0x415))
	now := time.Now()
	var copies []seed.HistoryCopy
	// spread places the copies of templates from … from+count-1 (k each,
	// folded, then the rest drawn at random, unfolded) in random order and
	// time order over lo … hi: the i-th of all at a random instant of the
	// i-th share of the span, which ends before hi by the longest time a
	// template's own rows took.
	spread := func(total, from, count, k int, lo, hi time.Time) {
		var longest time.Duration
		for t := from; t < from+count; t++ {
			longest = max(longest, tpl.Span(t))
		}
		span := hi.Add(-longest).Sub(lo)
		kind := make([]seed.HistoryCopy, 0, total)
		for t := from; t < from+count; t++ {
			for range k {
				kind = append(kind, seed.HistoryCopy{Template: t, Folded: true})
			}
		}
		for len(kind) < total {
			kind = append(kind, seed.HistoryCopy{Template: from + rng.IntN(count)})
		}
		rng.Shuffle(len(kind), func(i, j int) { kind[i], kind[j] = kind[j], kind[i] })
		for i := range kind {
			frac := (float64(i) + rng.Float64()) / float64(total)
			kind[i].At = lo.Add(time.Duration(frac * float64(span)))
		}
		copies = append(copies, kind...)
	}
	spread(out.Settled-tS, 0, tS, k, now.Add(back+time.Hour), now.Add(recentStart))
	spread(recent-tP, tS, tP, 0, now.Add(recentStart+time.Hour), now.Add(-time.Minute))
	rows, err := seed.WriteHistory(ctx, r.db, tpl, copies, func(done, total int) {
		if done == total || done/100_000 != (done-2000)/100_000 {
			r.logf("history: %d / %d orders copied  %5.1f s", done, total, time.Since(start).Seconds())
		}
	})
	if err != nil {
		return nil, err
	}
	out.Rows = rows
	stage("copies")
	out.HistoryS = round((time.Since(start) - foldTemplates).Seconds(), 2)
	if err := r.db.DB.Read(ctx, func(tx *sqldb.Tx) error {
		return tx.Get(ctx, "sales", `SELECT COUNT(*) FROM sales_events`, nil, &out.SalesEvents)
	}); err != nil {
		return nil, err
	}
	r.logf("history: %d orders, %d rows copied, %d sales events, in %.1f s", n, rows, out.SalesEvents, out.HistoryS)

	// The fold, as the sweeps would have done over the year.
	fold = time.Now()
	folds := []struct {
		name string
		fn   func(context.Context, int) (int, error)
	}{{"figures", r.db.FoldSalesEvents}, {"insight", r.db.FoldInsight}, {"simulator", r.db.FoldSimLines}}
	out.FoldByS = map[string]float64{"figures": figuresS}
	for {
		total := 0
		for _, f := range folds {
			t := time.Now()
			k, err := f.fn(ctx, 5000)
			if err != nil {
				return nil, fmt.Errorf("fold %s: %w", f.name, err)
			}
			out.FoldByS[f.name] += time.Since(t).Seconds()
			total += k
		}
		if (out.FoldedEvents+total)/100_000 != out.FoldedEvents/100_000 {
			r.logf("history: folded %d events in %.1f s", out.FoldedEvents+total, time.Since(fold).Seconds())
		}
		out.FoldedEvents += total
		if total == 0 {
			break
		}
	}
	for k, v := range out.FoldByS {
		out.FoldByS[k] = round(v, 2)
	}
	out.FoldS = round((time.Since(fold) + foldTemplates).Seconds(), 2)
	stage("folded")
	if err := seed.HistoryWritten(ctx, r.db); err != nil {
		return nil, err
	}
	r.logf("history: folded %d events in %.1f s (%v)", out.FoldedEvents, out.FoldS, out.FoldByS)
	return out, nil
}
