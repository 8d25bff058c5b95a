package bench

import (
	"context"
	"sort"
	"sync"
	"time"
)

// waitSampler reads pg_stat_activity for the server's role every period
// during the checkout's timed section (Options.WaitEvents) on the cost
// meter's own connection, and counts what each backend was doing.
type waitSampler struct {
	m       *pgMeter
	mu      sync.Mutex
	counts  map[string]int64
	locked  map[string]int64 // samples waiting on a lock, by the waiting statement
	samples int64
	stop    chan struct{}
	done    chan struct{}
}

// Waits is what the server's PostgreSQL backends were doing during the
// checkout's timed section, sampled: each state's share of the samples of
// backends in a transaction (idle connections left out), and how many
// backends were in one on average.
type Waits struct {
	Samples     int64              `json:"samples"`
	InTxAverage float64            `json:"in_transaction_avg"`
	IdleAverage float64            `json:"idle_avg"`
	Shares      map[string]float64 `json:"shares"`
	PeriodMS    float64            `json:"period_ms"`
	// LockWaits: of the samples waiting on a heavyweight lock (a row
	// another transaction is changing), the share by the statement that
	// waits (its first 60 characters): which rows are hot.
	LockWaits map[string]float64 `json:"lock_waits,omitempty"`
}

func (m *pgMeter) sampleWaits(ctx context.Context, every time.Duration) *waitSampler {
	w := &waitSampler{m: m, counts: map[string]int64{}, locked: map[string]int64{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			w.sample(ctx)
		}
	}()
	return w
}

// sample classifies every backend of the role once: "idle" (in the pool),
// "CPU" (running, no wait event), "Client:ClientRead" while idle in a
// transaction (waiting for the server's next statement), else the wait
// event's type and name (IO:WALSync, Lock:transactionid, LWLock:WALWrite…).
func (w *waitSampler) sample(ctx context.Context) {
	rows, err := w.m.admin.QueryContext(ctx, costTag+`SELECT state, coalesce(wait_event_type, ''), coalesce(wait_event, ''),
		left(regexp_replace(coalesce(query, ''), '\s+', ' ', 'g'), 60) FROM pg_stat_activity WHERE usesysid = $1 AND datid = $2`, w.m.roleOID, w.m.dbOID)
	if err != nil {
		return
	}
	defer rows.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.samples++
	for rows.Next() {
		var state, typ, ev, q string
		if rows.Scan(&state, &typ, &ev, &q) != nil {
			return
		}
		if state == "active" && typ == "Lock" {
			w.locked[q]++
		}
		k := typ + ":" + ev
		switch {
		case state == "idle":
			k = "idle"
		case state == "idle in transaction":
			k = "idle in transaction"
		case typ == "":
			k = "CPU"
		}
		w.counts[k]++
	}
}

// finish stops sampling and sums up.
func (w *waitSampler) finish(every time.Duration) *Waits {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	out := &Waits{Samples: w.samples, Shares: map[string]float64{}, PeriodMS: ms(every)}
	if w.samples == 0 {
		return out
	}
	var inTx int64
	for k, n := range w.counts {
		if k != "idle" {
			inTx += n
		}
	}
	out.InTxAverage = round(float64(inTx)/float64(w.samples), 2)
	out.IdleAverage = round(float64(w.counts["idle"])/float64(w.samples), 2)
	keys := make([]string, 0, len(w.counts))
	for k := range w.counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k != "idle" && inTx > 0 {
			out.Shares[k] = round(float64(w.counts[k])/float64(inTx), 3)
		}
	}
	var locked int64
	for _, n := range w.locked {
		locked += n
	}
	if locked > 0 {
		out.LockWaits = map[string]float64{}
		for q, n := range w.locked {
			out.LockWaits[q] = round(float64(n)/float64(locked), 3)
		}
	}
	return out
}

// checkoutWaits samples during the timed section when asked to (and on
// PostgreSQL with a cost connection); finish on a nil one gives nil.
type checkoutWaits struct {
	w     *waitSampler
	every time.Duration
}

func (m *costMeter) sampleWaits(ctx context.Context, every time.Duration) checkoutWaits {
	if every <= 0 || m.pg == nil {
		return checkoutWaits{}
	}
	return checkoutWaits{m.pg.sampleWaits(ctx, every), every}
}

func (c checkoutWaits) finish() *Waits {
	if c.w == nil {
		return nil
	}
	return c.w.finish(c.every)
}
