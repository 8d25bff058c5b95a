package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"sharemall/internal/bench/seed"
	"sharemall/internal/insight"
)

// Insight is the cost of market insight: folding a year of sales events
// into the rollups, then reading series and breakdowns over HTTP.
type Insight struct {
	HistoryEvents  int     `json:"history_events"` // sales events written over the past year (one per distributor, at most 1,000,000; with --orders, the history's)
	FoldedEvents   int     `json:"folded_events"`  // those and the scenarios' own, folded by the insight sweep
	FoldPerS       float64 `json:"fold_per_s"`
	SeriesRows     int64   `json:"series_rows"`    // insight_series rows after the fold
	BreakdownRows  int64   `json:"breakdown_rows"` // insight_breakdown rows (days) after the fold
	SeriesP50MS    float64 `json:"series_p50_ms"`
	SeriesP99MS    float64 `json:"series_p99_ms"`
	BreakdownP50MS float64 `json:"breakdown_p50_ms"` // every breakdown read, whatever its period
	BreakdownP99MS float64 `json:"breakdown_p99_ms"`
	// The network's reads: members per depth (this month) and time to
	// first sale (12 join months), every third request.
	NetworkP50MS float64 `json:"network_p50_ms"`
	NetworkP99MS float64 `json:"network_p99_ms"`
	// Breakdowns by the console's periods: the last 7 and 30 days (spans),
	// the month to date (a period), a custom range (days, weeks, months).
	Breakdowns map[string]Latency `json:"breakdowns"`
}

// Latency is the median and the 99th percentile of a kind of read.
type Latency struct {
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	Reads int     `json:"reads"`
}

// breakdownPeriods are the periods the clients ask breakdowns of.
var breakdownPeriods = []string{"7d", "30d", "month", "custom"}

// historyDays is how far back the insight history reaches.
const historyDays = 365

// insight writes a year of sales history (seed.SalesHistory), folds it
// and everything else unfolded with the insight sweep, then has the
// clients read, as the operator, series (every metric; 30 days, 26 weeks or
// 12 months back from today) and breakdowns (every dimension, the top 10;
// of the last 7 or 30 days, the month to date, or a custom range of 10 to
// 60 days ending up to a year back) in turn.
func (r *run) insight(ctx context.Context) (Insight, error) {
	out := Insight{HistoryEvents: min(1_000_000, r.prog.Distributors)}
	if r.hist != nil {
		// The orders of history are the year of sales, already folded.
		out.HistoryEvents = int(r.hist.SalesEvents)
	} else if _, err := seed.SalesHistory(ctx, r.db, r.prog, out.HistoryEvents, historyDays, r.opt.Seed); err != nil {
		return out, err
	}
	start := time.Now()
	for {
		n, err := r.db.FoldInsight(ctx, 5000)
		if err != nil {
			return out, err
		}
		if out.FoldedEvents/100_000 != (out.FoldedEvents+n)/100_000 {
			r.logf("insight: folded %d events in %.1f s", out.FoldedEvents+n, time.Since(start).Seconds())
		}
		out.FoldedEvents += n
		if n == 0 {
			break
		}
	}
	out.FoldPerS = round(float64(out.FoldedEvents)/time.Since(start).Seconds(), 1)
	counts, err := seed.TableCounts(ctx, r.db)
	if err != nil {
		return out, err
	}
	out.SeriesRows, out.BreakdownRows = counts["insight_series"], counts["insight_breakdown"]
	r.logf("insight: folded %d events in %.1f s; %d series rows, %d breakdown rows", out.FoldedEvents,
		time.Since(start).Seconds(), out.SeriesRows, out.BreakdownRows)

	s, err := r.db.Settings(ctx)
	if err != nil {
		return out, err
	}
	today := r.db.Now().In(s.Location())
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	back := map[insight.Grain]time.Time{insight.Day: today.AddDate(0, 0, -29), insight.Week: today.AddDate(0, 0, -7*25),
		insight.Month: today.AddDate(0, -11, 0)}
	var series, breakdown, network latencies
	byPeriod := map[string]*latencies{}
	for _, k := range breakdownPeriods {
		byPeriod[k] = &latencies{}
	}
	rngs := make([]*rand.Rand, r.opt.Clients)
	for i := range rngs {
		rngs[i] = rand.New(rand.NewPCG(r.opt.Seed, uint64(i)+5000))
	}
	_, _, err = drive(ctx, r.opt.Clients, r.opt.Duration, r.opt.MaxUnits, func(ctx context.Context, w int, u int64) error {
		rng := rngs[w]
		var path string
		lats := []*latencies{&series}
		switch {
		case u%3 == 2: // the network: members per depth or time to first sale
			path = "/api/v1/insight/depths?month=" + today.Format("2006-01")
			if rng.IntN(2) == 0 {
				path = fmt.Sprintf("/api/v1/insight/first-sale?from=%s&to=%s", back[insight.Month].Format("2006-01"), today.Format("2006-01"))
			}
			lats = []*latencies{&network}
		case u%3 == 0:
			g := insight.Grains[rng.IntN(len(insight.Grains))]
			m := insight.Metrics[rng.IntN(len(insight.Metrics))]
			path = fmt.Sprintf("/api/v1/insight/series?metric=%s&grain=%s&from=%s&to=%s", m, g, day(back[g]), day(today))
		default:
			by := insight.Dims[rng.IntN(len(insight.Dims))]
			kind := breakdownPeriods[rng.IntN(len(breakdownPeriods))]
			from, to := today.AddDate(0, 0, -6), today
			switch kind {
			case "30d":
				from = today.AddDate(0, 0, -29)
			case "month":
				from = today.AddDate(0, 0, 1-today.Day())
			case "custom":
				to = today.AddDate(0, 0, -rng.IntN(historyDays-60))
				from = to.AddDate(0, 0, -9-rng.IntN(51))
			}
			path = fmt.Sprintf("/api/v1/insight/breakdown?by=%s&from=%s&to=%s&limit=10", by, day(from), day(to))
			lats = []*latencies{&breakdown, byPeriod[kind]}
		}
		t := time.Now()
		if err := r.c.call(ctx, "GET", path, r.prog.OperatorToken, nil, nil, nil); err != nil {
			return err
		}
		for _, l := range lats {
			l.add(time.Since(t))
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	out.SeriesP50MS, out.SeriesP99MS = series.ms(0.50), series.ms(0.99)
	out.BreakdownP50MS, out.BreakdownP99MS = breakdown.ms(0.50), breakdown.ms(0.99)
	out.NetworkP50MS, out.NetworkP99MS = network.ms(0.50), network.ms(0.99)
	out.Breakdowns = map[string]Latency{}
	for k, l := range byPeriod {
		out.Breakdowns[k] = Latency{P50MS: l.ms(0.50), P99MS: l.ms(0.99), Reads: l.n()}
	}
	return out, nil
}

// n is how many durations were measured.
func (l *latencies) n() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}
