// Package metrics turns the work Sharemall does into Prometheus metrics:
// what the background sweeps did (wrapped around internal/jobs' sweeps), how
// late the work due is, the money work the store committed, and the
// database's connection pools. The names are listed in docs/architecture.md.
package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sharemall/internal/jobs"
	"sharemall/internal/store"
)

// Sweeps counts what each background sweep did, by sweep name.
type Sweeps struct {
	runs, items, failures *prometheus.CounterVec
	duration              *prometheus.HistogramVec
}

// NewSweeps makes the sweep counters; register them, then Instrument the runner's sweeps.
func NewSweeps() *Sweeps {
	by := []string{"sweep"}
	return &Sweeps{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharemall_job_sweep_runs_total",
			Help: "Runs of a background sweep (one batch each)."}, by),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharemall_job_sweep_items_total",
			Help: "Items a background sweep moved on (orders cancelled, receipts confirmed, lines settled, events folded, grades raised)."}, by),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharemall_job_sweep_failures_total",
			Help: "Runs of a background sweep that ended in an error."}, by),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sharemall_job_sweep_duration_seconds",
			Help: "How long one run of a background sweep took.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, by),
	}
}

// Instrument wraps each sweep so that its runs are counted; the sweeps do
// the same work as before.
func (m *Sweeps) Instrument(sweeps []jobs.Sweep) []jobs.Sweep {
	out := make([]jobs.Sweep, len(sweeps))
	for i, sw := range sweeps {
		run, name := sw.Run, sw.Name
		// Zero series exist from the start, so a rate() sees the first run.
		m.runs.WithLabelValues(name)
		m.items.WithLabelValues(name)
		m.failures.WithLabelValues(name)
		sw.Run = func(ctx context.Context, limit int) (int, error) {
			start := time.Now()
			n, err := run(ctx, limit)
			m.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
			m.runs.WithLabelValues(name).Inc()
			m.items.WithLabelValues(name).Add(float64(n))
			if err != nil {
				m.failures.WithLabelValues(name).Inc()
			}
			return n, err
		}
		out[i] = sw
	}
	return out
}

func (m *Sweeps) Describe(ch chan<- *prometheus.Desc) {
	m.runs.Describe(ch)
	m.items.Describe(ch)
	m.failures.Describe(ch)
	m.duration.Describe(ch)
}

func (m *Sweeps) Collect(ch chan<- prometheus.Metric) {
	m.runs.Collect(ch)
	m.items.Collect(ch)
	m.failures.Collect(ch)
	m.duration.Collect(ch)
}

// Store reads the store's figures when Prometheus scrapes: the money work
// this process committed, the background work due and how late it is, and
// the connection pools.
type Store struct {
	db  *store.DB
	log *slog.Logger
}

// NewStore makes the collector of db's figures; db is read only at scrape time.
func NewStore(db *store.DB, log *slog.Logger) *Store { return &Store{db: db, log: log} }

var (
	ordersPlaced = prometheus.NewDesc("sharemall_orders_placed_total", "Orders placed through checkout by this process.", nil, nil)

	paymentsReceived = moneyCounters("sharemall_payments_received", "Payments received and applied to their orders")
	refunds          = moneyCounters("sharemall_refunds", "Refunds to customers: after-sale refunds and payments that came too late or twice")
	commissionBooked = moneyCounters("sharemall_commission_booked", "Commission booked pending on paid order lines (tiers and regional agents)")
	settled          = moneyCounters("sharemall_commission_settled", "Commission settled into wallets when the after-sale window closed (tiers and regional agents, net of refunds)")

	oldestDue = prometheus.NewDesc("sharemall_job_oldest_due_seconds",
		"How long ago the oldest item a sweep has due became due; 0 when nothing is due.", []string{"sweep"}, nil)

	poolOpen   = pool("sharemall_db_connections_open", "Connections open in a database pool.")
	poolInUse  = pool("sharemall_db_connections_in_use", "Connections in use in a database pool.")
	poolIdle   = pool("sharemall_db_connections_idle", "Idle connections in a database pool.")
	poolMax    = pool("sharemall_db_connections_max", "Most connections a database pool may open.")
	poolWaits  = pool("sharemall_db_waits_total", "Times a query waited for a connection of a pool.")
	poolWaited = pool("sharemall_db_wait_seconds_total", "Time spent waiting for a connection of a pool.")
	poolClosed = pool("sharemall_db_connections_closed_total", "Connections a pool closed (idle or too old).")
)

// backlogWait bounds the backlog's queries, so a slow database cannot hold a scrape.
const backlogWait = 5 * time.Second

type moneyDescs struct{ count, amount *prometheus.Desc }

func moneyCounters(name, help string) moneyDescs {
	return moneyDescs{
		count:  prometheus.NewDesc(name+"_total", help+": how many.", []string{"currency"}, nil),
		amount: prometheus.NewDesc(name+"_amount_minor_total", help+": how much, in minor units of the currency.", []string{"currency"}, nil),
	}
}

func pool(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, []string{"pool"}, nil)
}

func (c *Store) Describe(ch chan<- *prometheus.Desc) {
	ch <- ordersPlaced
	for _, d := range []moneyDescs{paymentsReceived, refunds, commissionBooked, settled} {
		ch <- d.count
		ch <- d.amount
	}
	for _, d := range []*prometheus.Desc{oldestDue, poolOpen, poolInUse, poolIdle, poolMax, poolWaits, poolWaited, poolClosed} {
		ch <- d
	}
}

func (c *Store) Collect(ch chan<- prometheus.Metric) {
	t := c.db.Tally()
	ch <- prometheus.MustNewConstMetric(ordersPlaced, prometheus.CounterValue, float64(t.OrdersPlaced))
	for d, counts := range map[moneyDescs]map[string]store.Count{paymentsReceived: t.PaymentsReceived, refunds: t.Refunds,
		commissionBooked: t.CommissionBooked, settled: t.CommissionSettled} {
		for currency, n := range counts {
			ch <- prometheus.MustNewConstMetric(d.count, prometheus.CounterValue, float64(n.N), currency)
			ch <- prometheus.MustNewConstMetric(d.amount, prometheus.CounterValue, float64(n.Amount), currency)
		}
	}
	for name, s := range c.db.PoolStats() {
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, name)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, name)
		}
		gauge(poolOpen, float64(s.OpenConnections))
		gauge(poolInUse, float64(s.InUse))
		gauge(poolIdle, float64(s.Idle))
		gauge(poolMax, float64(s.MaxOpenConnections))
		counter(poolWaits, float64(s.WaitCount))
		counter(poolWaited, s.WaitDuration.Seconds())
		counter(poolClosed, float64(s.MaxIdleClosed+s.MaxIdleTimeClosed+s.MaxLifetimeClosed))
	}
	ctx, cancel := context.WithTimeout(context.Background(), backlogWait)
	defer cancel()
	b, err := c.db.Backlog(ctx)
	if err != nil {
		// The other metrics still answer; the gap in this one shows the failure.
		c.log.Warn("metrics: backlog", "err", err)
		return
	}
	for sweep, age := range BacklogBySweep(b) {
		ch <- prometheus.MustNewConstMetric(oldestDue, prometheus.GaugeValue, age.Seconds(), sweep)
	}
}

// BacklogBySweep names each part of the backlog by the sweep that works it
// off (the names of jobs.Sweeps).
func BacklogBySweep(b store.Backlog) map[string]time.Duration {
	return map[string]time.Duration{
		"cancel-unpaid":   b.CancelUnpaid,
		"confirm-receipt": b.ConfirmReceipt,
		"settle":          b.Settle,
		"figures":         b.Figures,
	}
}
