package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// A sponsor hears of a new team member in the app, and the operator's
// endpoint, registered through the API, gets it signed; the operator sees
// the delivery and replays it. Wrong requests are refused by field.
func TestNotificationsAndWebhooksAPI(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ta := newTestAPI(t, db, func(c *Config) { c.WebhooksAllowPrivate = true })
		op := ta.operator()
		var mu sync.Mutex
		var secret string
		var got []string
		rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			defer mu.Unlock()
			if err := notify.Verify(secret, r.Header.Get(notify.SignatureHeader), body, time.Now()); err != nil {
				t.Errorf("receiver: %v", err)
			}
			got = append(got, r.Header.Get(notify.EventIDHeader))
		}))
		defer rcv.Close()

		ta.do("POST", "/api/v1/webhooks/endpoints", op, map[string]any{"event_types": "*"}).wantErr(t, errs.Invalid, "url")
		ta.do("POST", "/api/v1/webhooks/endpoints", op, map[string]any{"url": rcv.URL, "event_types": "order.lost"}).wantErr(t, errs.Invalid, "event_types")
		e := ta.do("POST", "/api/v1/webhooks/endpoints", op, map[string]any{"url": rcv.URL, "event_types": "team.joined"}).must(t, http.StatusCreated)
		secret, _ = e.Body["secret"].(string)
		if ta.do("GET", "/api/v1/webhooks/endpoints/"+itoa(e.id()), op, nil).must(t, 200).Body["secret"] != nil {
			t.Fatal("the secret is shown again")
		}

		_, sponsorTok := ta.newAccount("sponsor@example.com")
		sponsor := ta.do("POST", "/api/v1/distributors", sponsorTok, map[string]any{"display_name": "Sponsor"}).must(t, http.StatusCreated)
		_, memberTok := ta.newAccount("member@example.com")
		ta.do("POST", "/api/v1/distributors", memberTok, map[string]any{"invite_code": sponsor.Body["referral_code"], "display_name": "Member"}).must(t, http.StatusCreated)
		if _, err := db.SweepNotifications(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		page := ta.do("GET", "/api/v1/notifications", sponsorTok, nil).must(t, 200)
		items, _ := page.Body["items"].([]any)
		if len(items) != 1 || page.Body["unread"] != float64(1) {
			t.Fatalf("sponsor's notifications %s", page.Raw)
		}
		n, _ := items[0].(map[string]any)
		if n["kind"] != "team.joined" {
			t.Fatalf("notification %v", n)
		}
		ta.do("GET", "/api/v1/notifications?unread=maybe", sponsorTok, nil).wantErr(t, errs.Invalid, "unread")
		ta.do("GET", "/api/v1/notifications", "", nil).wantErr(t, errs.Unauthorized, "")
		ta.do("POST", "/api/v1/notifications/read", memberTok, map[string]any{"ids": []any{n["id"]}}).wantErr(t, errs.NotFound, "ids")
		ta.do("POST", "/api/v1/notifications/read", sponsorTok, map[string]any{"ids": []any{}}).wantErr(t, errs.Invalid, "ids")
		if r := ta.do("POST", "/api/v1/notifications/read", sponsorTok, map[string]any{"ids": []any{n["id"]}}).must(t, 200); r.Body["unread"] != float64(0) {
			t.Fatalf("after read %s", r.Raw)
		}
		if r := ta.do("GET", "/api/v1/notifications/unread", sponsorTok, nil).must(t, 200); r.Body["unread"] != float64(0) {
			t.Fatalf("unread %s", r.Raw)
		}

		if _, err := db.DeliverDueWebhooks(context.Background(), notify.NewSender(5*time.Second, true), "api-test", 0); err != nil {
			t.Fatal(err)
		}
		list := ta.do("GET", "/api/v1/webhooks/deliveries?status=delivered", op, nil).must(t, 200)
		ds, _ := list.Body["items"].([]any)
		if len(ds) != 1 {
			t.Fatalf("deliveries %s", list.Raw)
		}
		d, _ := ds[0].(map[string]any)
		one := ta.do("GET", "/api/v1/webhooks/deliveries/"+itoa(int64(d["id"].(float64))), op, nil).must(t, 200)
		if log, _ := one.Body["log"].([]any); len(log) != 1 {
			t.Fatalf("delivery %s", one.Raw)
		}
		ta.do("POST", "/api/v1/webhooks/deliveries/"+itoa(int64(d["id"].(float64)))+"/replay", sponsorTok, nil).wantErr(t, errs.Forbidden, "")
		ta.do("POST", "/api/v1/webhooks/deliveries/"+itoa(int64(d["id"].(float64)))+"/replay", op, nil).must(t, http.StatusCreated)
		ta.do("GET", "/api/v1/webhooks/deliveries?status=lost", op, nil).wantErr(t, errs.Invalid, "status")
		if _, err := db.DeliverDueWebhooks(context.Background(), notify.NewSender(5*time.Second, true), "api-test", 0); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 2 || got[0] != got[1] {
			t.Fatalf("receiver got %v", got)
		}
	})
}

// Without the setting, private addresses are refused.
func TestWebhookPrivateRefused(t *testing.T) {
	ta := newTestAPI(t, testutil.OpenSQLite(t))
	op := ta.operator()
	ta.do("POST", "/api/v1/webhooks/endpoints", op, map[string]any{"url": "http://127.0.0.1:9/h"}).wantErr(t, errs.Invalid, "url")
	r := ta.do("POST", "/api/v1/webhooks/endpoints", op, map[string]any{"url": "https://93.184.215.14/h", "active": false}).must(t, http.StatusCreated)
	ta.do("POST", "/api/v1/webhooks/endpoints/"+itoa(r.id())+"/rotate-secret", op, nil).must(t, 200)
	ta.do("PUT", "/api/v1/webhooks/endpoints/"+itoa(r.id()), op, map[string]any{"url": "http://10.0.0.1/h"}).wantErr(t, errs.Invalid, "url")
	ta.do("GET", "/api/v1/webhooks/endpoints", op, nil).must(t, 200)
}
