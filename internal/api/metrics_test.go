package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/jobs"
	"sharemall/internal/metrics"
	"sharemall/internal/store"
)

// scrape reads /metrics into series → value ("name{label=\"v\"}" → 1).
func (ta *testAPI) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	// The metrics address's handler: /metrics on the main address is not public.
	rec := httptest.NewRecorder()
	ta.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// want fails unless every series has the value given.
func wantSeries(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

// TestWorkMetrics: after an order is paid, another left unpaid past its
// deadline and a sweep, /metrics shows the money work, the sweeps' runs,
// items and failures, how late the due work is, and the database pools.
func TestWorkMetrics(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		sweeps := metrics.NewSweeps()
		if err := ta.srv.Register(sweeps); err != nil {
			t.Fatal(err)
		}
		runner := jobs.NewRunner(ta.db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		broken := jobs.Sweep{Name: "broken", Run: func(context.Context, int) (int, error) { return 0, errors.New("a bad row") }}
		runner.Sweeps = append(runner.Sweeps, broken)
		sweeps.Watch(runner)

		w := newOrderWorld(t, ta)
		paid := ta.do("POST", "/api/v1/orders", w.cust, w.cart(2)).must(t, 201).id()
		ref := ta.do("POST", "/api/v1/orders/"+itoa(paid)+"/pay", w.cust, nil).must(t, 201).Body["provider_ref"].(string)
		ta.do("POST", "/sandbox/pay/"+ref, "", nil).must(t, 303)
		ta.do("POST", "/api/v1/orders", w.cust, w.cart(1)).must(t, 201) // left unpaid
		ta.clock.Advance(45 * time.Minute)                              // 15 minutes past its deadline

		got := ta.scrape(t)
		wantSeries(t, got, map[string]float64{
			"sharemall_orders_placed_total":                                                           2,
			`sharemall_payments_received_total{currency="CNY"}`:                                       1,
			`sharemall_payments_received_amount_minor_total{currency="CNY"}`:                          3998,
			`sharemall_commission_booked_total{currency="CNY"}`:                                       1,
			`sharemall_job_oldest_due_seconds{sweep="cancel-unpaid"}`:                                 (15 * time.Minute).Seconds(),
			`sharemall_job_oldest_due_seconds{sweep="settle"}`:                                        0,
			`sharemall_job_sweep_runs_total{sweep="cancel-unpaid"}`:                                   0,
			`sharemall_job_sweep_errors_total{sweep="broken"}`:                                        0,
			`sharemall_http_request_duration_seconds_count{route="POST /api/v1/orders",status="201"}`: 2,
		})
		pool := map[store.Engine]string{store.SQLite: "write", store.Postgres: "main"}[ta.db.Engine()]
		if got[`sharemall_db_connections_max{pool="`+pool+`"}`] < 1 {
			t.Errorf("no pool stats for %s: %v", pool, got)
		}

		if _, err := runner.RunDue(context.Background()); err == nil || !strings.Contains(err.Error(), "a bad row") {
			t.Fatalf("run: %v", err)
		}
		got = ta.scrape(t)
		wantSeries(t, got, map[string]float64{
			`sharemall_job_sweep_runs_total{sweep="cancel-unpaid"}`:   1,
			`sharemall_job_sweep_items_total{sweep="cancel-unpaid"}`:  1,
			`sharemall_job_sweep_errors_total{sweep="cancel-unpaid"}`: 0,
			`sharemall_job_sweep_runs_total{sweep="settle"}`:          1,
			`sharemall_job_sweep_errors_total{sweep="broken"}`:        1,
			`sharemall_job_oldest_due_seconds{sweep="cancel-unpaid"}`: 0,
			"sharemall_orders_placed_total":                           2,
		})
		if got[`sharemall_job_sweep_duration_seconds_count{sweep="settle"}`] != 1 {
			t.Errorf("sweep duration not observed")
		}
	})
}
