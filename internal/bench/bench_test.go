package bench_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"sharemall/internal/bench"
	"sharemall/internal/testutil"
)

// A tiny run fills every figure with a positive number (the warm-up's count
// may be 0) and leaves the tree
// and the ledger consistent.
func TestBenchTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every scenario for a second or two")
	}
	db := testutil.OpenSQLite(t)
	ctx := context.Background()
	res, err := bench.Run(ctx, db, bench.Options{Distributors: 2000, Clients: 4, Duration: 1500 * time.Millisecond, MaxUnits: 300, Seed: 1,
		Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res)
	t.Logf("%s", b)
	var m map[string]any
	json.Unmarshal(b, &m)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case float64:
			// The warm-up may finish no order in its fraction of a
			// second on a slow machine (under -race): a count, 0 is one.
			if v < 0 || v == 0 && path != ".checkout.warm_up_orders" {
				t.Errorf("%s = %v, want > 0", path, v)
			}
		case string:
			if v == "" {
				t.Errorf("%s is empty", path)
			}
		case nil:
			if !strings.HasPrefix(path, ".cost.") { // cost figures SQLite cannot give are null (cost_test.go)
				t.Errorf("%s is null", path)
			}
		default:
			t.Errorf("%s: unexpected %T", path, v)
		}
	}
	walk("", m)
	for _, k := range []string{"engine", "distributors", "checkout", "team", "settle", "withdraw", "wallet", "server_peak_rss_mb", "generate_s"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %s", k)
		}
	}
	if bad, err := db.CheckNetwork(ctx); err != nil || len(bad) > 0 {
		t.Errorf("CheckNetwork: %v %v", err, bad[:min(5, len(bad))])
	}
	if bad, err := db.CheckLedger(ctx); err != nil || len(bad) > 0 {
		t.Errorf("CheckLedger: %v %v", err, bad[:min(5, len(bad))])
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	if os.Getenv("BENCH_VERBOSE") != "" {
		w.t.Logf("%s", b)
	}
	return len(b), nil
}
