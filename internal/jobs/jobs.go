// Package jobs runs Sharemall's background work: cancel unpaid orders,
// confirm receipt of shipped ones, settle commissions whose after-sale window
// closed, make the provider calls (refunds) that committed state left due.
// Each kind of work is a sweep: a query for what is due now and a
// conditional state change per item, in its own transaction. That is why no
// queue is needed and why the work runs once however many servers sweep:
// only one transaction can move an order from unpaid to cancelled, or a
// commission line from pending to settled. A lease per sweep keeps servers
// from repeating the same scan; the store's clock (db.Now) is the time every
// sweep sees, so tests move it.
//
// One bad item never stops a sweep: the sweep records it (job_failures:
// kind, item, attempts, last error, next attempt), leaves it alone until its
// backoff has passed, retries it then, and forgets it once it succeeds.
// `sharemall jobs status` lists what failed and what is due.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/store"
)

// Sweep is one kind of background work. Run does up to limit items; when
// some of them failed it returns a *store.ItemsFailed: they are recorded
// and retried later, and the rest were done.
type Sweep struct {
	Name string
	Run  func(ctx context.Context, limit int) (int, error)
}

// Sweeps lists the work in the order it runs: a cancellation frees stock
// before anything else, receipt comes before settlement. The effects sweep
// makes the calls to outside providers that committed state left due
// (refunds), through refunders: effects of a provider not among them are
// left to a process that runs it.
//
// The payment query sweep asks those of them that answer queries (every
// payment.Gateway) about payments left open, but the sandbox: its payments'
// state is this server's own rows, nothing to ask.
func Sweeps(db *store.DB, refunders ...store.Refunder) []Sweep {
	via := store.RefundersOf(refunders...)
	ask := map[string]store.Querier{}
	for name, r := range via {
		if q, ok := r.(store.Querier); ok && name != payment.SandboxName {
			ask[name] = q
		}
	}
	return []Sweep{
		{store.SweepCancelUnpaid, db.CancelUnpaidOrders},
		{store.SweepConfirmReceipt, db.ConfirmShippedOrders},
		{store.SweepSettle, db.SettleMaturedLines},
		{store.SweepFigures, db.FoldSalesEvents}, // sales events into team, tier and region figures
		{store.SweepGrades, db.UpgradeGrades},    // after figures, so upgrades see the latest sales
		{store.SweepInsight, db.FoldInsight},     // sales and insight events into the market insight rollups
		{store.SweepPaymentQuery, func(ctx context.Context, limit int) (int, error) { return db.QueryOpenPayments(ctx, ask, limit) }},
		{store.SweepEffects, func(ctx context.Context, limit int) (int, error) { return db.RunDueEffects(ctx, via, limit) }},
		{store.SweepLedger, db.CheckLedgerIfDue},   // the ledger check, hourly, recorded for the console
		{store.SweepNotify, db.SweepNotifications}, // what happened into notifications and webhook deliveries
		{store.SweepFraud, db.SweepFraud},          // orders, visits, payout details and teams into fraud signals (docs/fraud.md)
		{store.SweepSimLines, db.FoldSimLines},     // bookings and refunds into the simulator's rows (docs/simulator.md)
	}
}

// WebhookSweep sends due webhook deliveries through sender as executor
// (docs/notifications.md); the server adds it to its runner's sweeps.
func WebhookSweep(db *store.DB, sender store.WebhookSender, executor string) Sweep {
	return Sweep{store.SweepWebhooks, func(ctx context.Context, limit int) (int, error) {
		return db.DeliverDueWebhooks(ctx, sender, executor, limit)
	}}
}

// Runner runs sweeps under leases.
type Runner struct {
	DB     *store.DB
	Log    *slog.Logger
	Holder string        // who holds the leases: host and pid by default
	Batch  int           // items per sweep and run; default 500
	Lease  time.Duration // how long a sweep may run before another server may take over; default 5 minutes
	Sweeps []Sweep

	// OnSweep, when set, hears of every sweep run (for metrics).
	OnSweep func(SweepRun)
}

// SweepRun is what one sweep did in one run.
type SweepRun struct {
	Name   string
	Items  int           // items done
	Failed int           // items that failed, recorded for a later retry
	Err    error         // the sweep failed as a whole
	Took   time.Duration // wall time
}

// NewRunner returns a runner of every sweep, making effects through refunders.
func NewRunner(db *store.DB, log *slog.Logger, refunders ...store.Refunder) *Runner {
	host, _ := os.Hostname()
	return &Runner{DB: db, Log: log, Holder: fmt.Sprintf("%s:%d", host, os.Getpid()), Batch: 500, Lease: 5 * time.Minute,
		Sweeps: Sweeps(db, refunders...)}
}

// Result says what a run did: items done and items failed per sweep, the
// sweeps another holder had, and those waiting out the backoff of an
// earlier failure of their own.
type Result struct {
	Done    map[string]int
	Failed  map[string]int
	Skipped []string
	Waiting []string
}

// RunDue runs every sweep once, repeating each while it fills its batch, so
// one call drains what is due. A sweep whose lease another server holds is
// skipped. An item that fails is recorded by its sweep and the sweep goes
// on; a sweep that fails as a whole (its due query) is recorded under kind
// store.FailedSweep, waits out its backoff, and the other sweeps still run.
// The error joins the sweeps' own failures, not their items'.
func (r *Runner) RunDue(ctx context.Context) (Result, error) {
	res := Result{Done: map[string]int{}, Failed: map[string]int{}}
	failing, err := r.DB.JobFailures(ctx, store.FailedSweep)
	if err != nil {
		return res, err
	}
	wait := map[string]store.JobFailure{}
	for _, f := range failing {
		wait[f.Item] = f
	}
	var sweepErrs []error
	for _, sw := range r.Sweeps {
		f, failed := wait[sw.Name]
		if failed && r.DB.Now().Before(f.NextAttemptAt) {
			res.Waiting = append(res.Waiting, sw.Name)
			continue
		}
		got, err := r.DB.ClaimLease(ctx, sw.Name, r.Holder, r.Lease)
		if err != nil {
			return res, err
		}
		if !got {
			res.Skipped = append(res.Skipped, sw.Name)
			continue
		}
		run := r.run(ctx, sw)
		res.Done[sw.Name] = run.Items
		if run.Failed > 0 {
			res.Failed[sw.Name] = run.Failed
		}
		if err := r.DB.ReleaseLease(context.WithoutCancel(ctx), sw.Name, r.Holder, run.Items); err != nil && run.Err == nil {
			run.Err = err
		}
		if r.OnSweep != nil {
			r.OnSweep(run)
		}
		switch {
		case run.Err != nil && (ctx.Err() != nil || errs.Is(run.Err, errs.Unavailable)):
			// Not the sweep's fault: nothing to record, and nothing else will run.
			return res, fmt.Errorf("jobs: %s: %w", sw.Name, run.Err)
		case run.Err != nil:
			sweepErrs = append(sweepErrs, fmt.Errorf("jobs: %s: %w", sw.Name, run.Err))
			if err := r.DB.RecordFailure(ctx, store.FailedSweep, sw.Name, run.Err); err != nil {
				return res, errors.Join(append(sweepErrs, err)...)
			}
		case failed:
			if err := r.DB.ClearFailure(ctx, store.FailedSweep, sw.Name); err != nil {
				return res, err
			}
		}
	}
	return res, errors.Join(sweepErrs...)
}

// run runs one sweep until it has done what is due, or fails.
func (r *Runner) run(ctx context.Context, sw Sweep) SweepRun {
	run := SweepRun{Name: sw.Name}
	start := time.Now()
	for ctx.Err() == nil {
		n, err := sw.Run(ctx, r.Batch)
		run.Items += n
		var items *store.ItemsFailed
		if errors.As(err, &items) {
			run.Failed += items.Count
			r.Log.WarnContext(ctx, "sweep items failed; recorded for a retry", "job", sw.Name, "failed", items.Count, "last", items.Last)
			n += items.Count
		} else if err != nil {
			run.Err = err
			r.Log.ErrorContext(ctx, "sweep failed", "job", sw.Name, "err", err)
			break
		}
		// Failed items are recorded and left out of the next pass, so a
		// full batch means there may be more, never the same ones again.
		if n < r.Batch {
			break
		}
	}
	run.Took = time.Since(start)
	if run.Items > 0 {
		r.Log.InfoContext(ctx, "sweep", "job", sw.Name, "items", run.Items, "failed", run.Failed)
	}
	return run
}

// Loop runs RunDue every interval until ctx ends. Errors are logged and the
// loop goes on: the next run picks up what this one left.
func (r *Runner) Loop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
			r.Log.ErrorContext(ctx, "background jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
