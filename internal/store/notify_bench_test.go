package store_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/network"
	"sharemall/internal/notify"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// BenchmarkNotifySweep: b.N distributors join under one sponsor (b.N
// team.joined events) with one endpoint subscribed; the timed part is the
// notify sweep recording them (event, notification, delivery each) and
// the webhook sweep posting them to a local receiver.
//
//	go test ./internal/store -run '^$' -bench NotifySweep -benchtime 2000x
func BenchmarkNotifySweep(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchNotify(b, testutil.OpenSQLite(b)) })
	if os.Getenv(testutil.PostgresEnv) != "" {
		b.Run("postgres", func(b *testing.B) { benchNotify(b, testutil.OpenPostgres(b)) })
	}
}

func benchNotify(b *testing.B, db *store.DB) {
	ctx := context.Background()
	op := newActor(b, db, "op@example.com", "op", account.Operator)
	sponsor := newActor(b, db, "s@example.com", "s", account.Customer)
	d, err := db.JoinNetwork(ctx, sponsor, network.Join{DisplayName: "s"})
	if err != nil {
		b.Fatal(err)
	}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer rcv.Close()
	if _, err := db.CreateWebhookEndpoint(ctx, op, notify.EndpointInput{URL: rcv.URL, EventTypes: "*", Active: true}, true); err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		a := newActor(b, db, fmt.Sprintf("m%d@example.com", i), "m", account.Customer)
		if _, err := db.JoinNetwork(ctx, a, network.Join{InviteCode: d.ReferralCode, DisplayName: "m"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	n, err := db.SweepNotifications(ctx, b.N+10)
	if err != nil || n != b.N {
		b.Fatalf("swept %d %v", n, err)
	}
	swept := time.Since(start)
	sender := notify.NewSender(5*time.Second, true)
	sent := 0
	for sent < b.N {
		k, err := db.DeliverDueWebhooks(ctx, sender, "bench", 500)
		if err != nil || k == 0 {
			b.Fatalf("delivered %d %v", k, err)
		}
		sent += k
	}
	b.ReportMetric(float64(b.N)/swept.Seconds(), "events_recorded/s")
	b.ReportMetric(float64(b.N)/(time.Since(start)-swept).Seconds(), "deliveries/s")
}
