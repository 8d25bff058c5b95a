// Package metrics turns the work Sharemall does into Prometheus metrics:
// what the background sweeps did (as internal/jobs' runner reports it), how
// late the work due is and what is failing, the money work the store committed, and the
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

// Sweeps counts what each background sweep did, by sweep name, as the
// jobs runner reports it (jobs.Runner.OnSweep).
type Sweeps struct {
	runs, items, failedItems, errors *prometheus.CounterVec
	duration                         *prometheus.HistogramVec
}

// NewSweeps makes the sweep counters; register them, then Watch the runner.
func NewSweeps() *Sweeps {
	by := []string{"sweep"}
	return &Sweeps{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharemall_job_sweep_runs_total",
			Help: "Runs of a background sweep (each drains what is due, in batches)."}, by),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharemall_job_sweep_items_total",
			Help: "Items a background sweep moved on (orders cancelled, receipts confirmed, lines settled, events folded, grades raised)."}, by),
		failedItems: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharemall_job_sweep_failed_items_total",
			Help: "Items a background sweep could not move on; each is recorded and retried with backoff (sharemall jobs status)."}, by),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sharemall_job_sweep_errors_total",
			Help: "Runs of a background sweep that failed as a whole (its due work could not be read)."}, by),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "sharemall_job_sweep_duration_seconds",
			Help: "How long one run of a background sweep took.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, by),
	}
}

// Watch counts every run of r's sweeps from now on.
func (m *Sweeps) Watch(r *jobs.Runner) {
	for _, sw := range r.Sweeps {
		// Zero series exist from the start, so a rate() sees the first run.
		for _, c := range []*prometheus.CounterVec{m.runs, m.items, m.failedItems, m.errors} {
			c.WithLabelValues(sw.Name)
		}
	}
	r.OnSweep = m.Observe
}

// Observe counts one run of a sweep.
func (m *Sweeps) Observe(run jobs.SweepRun) {
	m.runs.WithLabelValues(run.Name).Inc()
	m.items.WithLabelValues(run.Name).Add(float64(run.Items))
	m.failedItems.WithLabelValues(run.Name).Add(float64(run.Failed))
	if run.Err != nil {
		m.errors.WithLabelValues(run.Name).Inc()
	}
	m.duration.WithLabelValues(run.Name).Observe(run.Took.Seconds())
}

func (m *Sweeps) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range []*prometheus.CounterVec{m.runs, m.items, m.failedItems, m.errors} {
		c.Describe(ch)
	}
	m.duration.Describe(ch)
}

func (m *Sweeps) Collect(ch chan<- prometheus.Metric) {
	for _, c := range []*prometheus.CounterVec{m.runs, m.items, m.failedItems, m.errors} {
		c.Collect(ch)
	}
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
	failing = prometheus.NewDesc("sharemall_job_failing_items",
		"Items of a sweep with a failure on record, waiting for their retry (sharemall jobs status).", []string{"sweep"}, nil)

	poolOpen   = pool("sharemall_db_connections_open", "Connections open in a database pool.")
	poolInUse  = pool("sharemall_db_connections_in_use", "Connections in use in a database pool.")
	poolIdle   = pool("sharemall_db_connections_idle", "Idle connections in a database pool.")
	poolMax    = pool("sharemall_db_connections_max", "Most connections a database pool may open.")
	poolWaits  = pool("sharemall_db_waits_total", "Times a query waited for a connection of a pool.")
	poolWaited = pool("sharemall_db_wait_seconds_total", "Time spent waiting for a connection of a pool.")
	poolClosed = pool("sharemall_db_connections_closed_total", "Connections a pool closed (idle or too old).")
)

// dueWait bounds the due-work queries, so a slow database cannot hold a scrape.
const dueWait = 5 * time.Second

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
	for _, d := range []*prometheus.Desc{oldestDue, failing, poolOpen, poolInUse, poolIdle, poolMax, poolWaits, poolWaited, poolClosed} {
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
	ctx, cancel := context.WithTimeout(context.Background(), dueWait)
	defer cancel()
	due, err := c.db.JobsDue(ctx)
	if err != nil {
		// The other metrics still answer; the gap in these shows the failure.
		c.log.Warn("metrics: due work", "err", err)
		return
	}
	now := c.db.Now()
	for _, w := range due {
		ch <- prometheus.MustNewConstMetric(failing, prometheus.GaugeValue, float64(w.Failing), w.Sweep)
		if w.Err == "" {
			ch <- prometheus.MustNewConstMetric(oldestDue, prometheus.GaugeValue, w.OldestAge(now).Seconds(), w.Sweep)
		}
	}
}
