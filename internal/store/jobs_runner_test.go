package store_test

import (
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"sharemall/internal/jobs"
	"sharemall/internal/order"
	"sharemall/internal/program"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestRunnerGoesOnPastAFailedSweep: an old version of the rules whose
// stored JSON was corrupted makes the sweeps that read every version
// (confirm receipt, settle) fail as a whole; the runner records each under
// kind "sweep", runs the other sweeps (a bad order in one of them is
// recorded too), leaves the failed sweeps alone until their backoff passes,
// and clears them once they succeed.
func TestRunnerGoesOnPastAFailedSweep(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newShopWorld(t, db)
		w.settings(func(s *program.Settings) { s.AutoConfirmDays = 12 })
		w.settings(func(s *program.Settings) { s.AutoConfirmDays = 10 })
		p := w.product(w.a, "Tea", [2]int64{1000, 0}, [2]int64{2000, 0})
		tea, pot := p.SKUs[0].ID, p.SKUs[1].ID
		wh := w.warehouse(w.a, "Main", 0, []string{"CN"}, map[int64]int64{tea: 10, pot: 10})
		w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: tea, Quantity: 1}), "k1")
		w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: pot, Quantity: 1}), "k2")
		w.payOrder(w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: pot, Quantity: 1}), "k3"))
		w.exec(`UPDATE stock SET reserved = 0 WHERE warehouse_id = ? AND sku_id = ?`, wh, tea)
		w.exec(`UPDATE program_settings SET settings = 'not json' WHERE version = 1`)
		w.clock.Advance(31 * time.Minute)

		var heard []jobs.SweepRun
		runner := jobs.NewRunner(db, slog.New(slog.DiscardHandler))
		runner.OnSweep = func(r jobs.SweepRun) { heard = append(heard, r) }
		res, err := runner.RunDue(w.ctx)
		if err == nil || !strings.Contains(err.Error(), "confirm-receipt") || !strings.Contains(err.Error(), "settle") {
			t.Fatalf("run: %v", err)
		}
		if res.Done[store.SweepCancelUnpaid] != 1 || res.Failed[store.SweepCancelUnpaid] != 1 || res.Done[store.SweepFigures] != 1 {
			t.Fatalf("the other sweeps: done %v, failed %v", res.Done, res.Failed)
		}
		if _, ran := res.Done[store.SweepGrades]; !ran || len(heard) != len(runner.Sweeps) || heard[1].Err == nil || heard[0].Items != 1 || heard[0].Failed != 1 {
			t.Fatalf("done %v, heard %+v", res.Done, heard)
		}
		failed := w.failures(store.FailedSweep)
		for _, name := range []string{store.SweepConfirmReceipt, store.SweepSettle} {
			if f, ok := failed[name]; !ok || !strings.Contains(f.LastError, "settings version 1") {
				t.Fatalf("sweep %s: %+v (all %v)", name, f, failed)
			}
		}

		res, err = runner.RunDue(w.ctx)
		if err != nil || !slices.Equal(res.Waiting, []string{store.SweepConfirmReceipt, store.SweepSettle}) {
			t.Fatalf("within the backoff: waiting %v, %v", res.Waiting, err)
		}

		w.exec(`UPDATE program_settings SET settings = '{}' WHERE version = 1`)
		w.clock.Advance(time.Minute)
		res, err = runner.RunDue(w.ctx)
		if err != nil || len(res.Waiting) != 0 || len(w.failures(store.FailedSweep)) != 0 {
			t.Fatalf("after the repair: waiting %v, %v, failures %v", res.Waiting, err, w.failures(store.FailedSweep))
		}
	})
}
