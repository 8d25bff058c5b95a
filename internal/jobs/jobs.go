// Package jobs runs Sharemall's background work: cancel unpaid orders,
// confirm receipt of shipped ones, settle commissions whose after-sale window
// closed. Each kind of work is a sweep: a query for what is due now and a
// conditional state change per item, in its own transaction. That is why no
// queue is needed and why the work runs once however many servers sweep:
// only one transaction can move an order from unpaid to cancelled, or a
// commission line from pending to settled. A lease per sweep keeps servers
// from repeating the same scan; the store's clock (db.Now) is the time every
// sweep sees, so tests move it.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"sharemall/internal/store"
)

// Sweep is one kind of background work.
type Sweep struct {
	Name string
	Run  func(ctx context.Context, limit int) (int, error)
}

// Sweeps lists the work in the order it runs: a cancellation frees stock
// before anything else, receipt comes before settlement.
func Sweeps(db *store.DB) []Sweep {
	return []Sweep{
		{"cancel-unpaid", db.CancelUnpaidOrders},
		{"confirm-receipt", db.ConfirmShippedOrders},
		{"settle", db.SettleMaturedLines},
		{"figures", db.FoldSalesEvents}, // sales events into team, tier and region figures
		{"grades", db.UpgradeGrades},    // after figures, so upgrades see the latest sales
	}
}

// Runner runs sweeps under leases.
type Runner struct {
	DB     *store.DB
	Log    *slog.Logger
	Holder string        // who holds the leases: host and pid by default
	Batch  int           // items per sweep and run; default 500
	Lease  time.Duration // how long a sweep may run before another server may take over; default 5 minutes
	Sweeps []Sweep
}

// NewRunner returns a runner of every sweep.
func NewRunner(db *store.DB, log *slog.Logger) *Runner {
	host, _ := os.Hostname()
	return &Runner{DB: db, Log: log, Holder: fmt.Sprintf("%s:%d", host, os.Getpid()), Batch: 500, Lease: 5 * time.Minute, Sweeps: Sweeps(db)}
}

// Result says what a run did: items per sweep, and the sweeps another holder had.
type Result struct {
	Done    map[string]int
	Skipped []string
}

// RunDue runs every sweep once, repeating each while it fills its batch, so
// one call drains what is due. A sweep whose lease another server holds is
// skipped.
func (r *Runner) RunDue(ctx context.Context) (Result, error) {
	res := Result{Done: map[string]int{}}
	for _, sw := range r.Sweeps {
		got, err := r.DB.ClaimLease(ctx, sw.Name, r.Holder, r.Lease)
		if err != nil {
			return res, err
		}
		if !got {
			res.Skipped = append(res.Skipped, sw.Name)
			continue
		}
		total := 0
		for {
			n, err := sw.Run(ctx, r.Batch)
			total += n
			if err != nil {
				r.DB.ReleaseLease(context.WithoutCancel(ctx), sw.Name, r.Holder, total)
				return res, fmt.Errorf("jobs: %s: %w", sw.Name, err)
			}
			if n < r.Batch || ctx.Err() != nil {
				break
			}
		}
		res.Done[sw.Name] = total
		if err := r.DB.ReleaseLease(ctx, sw.Name, r.Holder, total); err != nil {
			return res, err
		}
		if total > 0 {
			r.Log.InfoContext(ctx, "sweep", "job", sw.Name, "items", total)
		}
	}
	return res, nil
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
