package store_test

import (
	"context"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/auditexport"
	"sharemall/internal/network"
	"sharemall/internal/testutil"
)

// BenchmarkAuditExport streams a period of SHAREMALL_BENCH_AUDIT binding
// decisions (100,000 by default) into a zip written to io.Discard, and
// reports rows a second and the bytes allocated per row: streaming keeps
// the latter flat however many rows there are.
//
//	go test ./internal/store -run '^$' -bench AuditExport -benchmem
func BenchmarkAuditExport(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("SHAREMALL_BENCH_AUDIT")); err == nil && v > 0 {
		n = v
	}
	db := testutil.OpenSQLite(b)
	ctx := context.Background()
	a, err := db.CreateAccount(ctx, account.SignUp{Email: "c@example.com"}, "hash", account.Customer)
	if err != nil {
		b.Fatal(err)
	}
	actor, _ := db.ActorFor(ctx, a.ID)
	d, err := db.JoinNetwork(ctx, actor, network.Join{DisplayName: "d"})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 5000
	for i := 0; i < n; i += chunk {
		if err := db.ExecRaw(ctx, `WITH RECURSIVE k(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM k WHERE x + 1 < ?)
			INSERT INTO binding_events (customer_account_id, distributor_id, outcome, reason, at)
			SELECT ?, ?, 'bound', 'first touch', ? + (? + x) * 1000000 FROM k`, min(chunk, n-i), a.ID, d.ID, start.UnixMicro(), i); err != nil {
			b.Fatal(err)
		}
	}
	p, err := auditexport.ParsePeriod("2026-01-01", "2026-12-31", time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		zw := auditexport.NewWriter(io.Discard, p, start)
		if err := db.ExportAudit(ctx, p, zw); err != nil {
			b.Fatal(err)
		}
		m, err := zw.Close()
		if err != nil {
			b.Fatal(err)
		}
		if m.Files[3].Rows != int64(n) {
			b.Fatalf("exported %d bindings of %d", m.Files[3].Rows, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
