package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sharemall/internal/notify"
	"sharemall/internal/store"
)

// received is what a webhook receiver was sent: each event id with
// whether its signature verified under the secret the console showed.
type received struct {
	mu     sync.Mutex
	secret string
	ids    []string
	bad    []string // why a request did not verify
}

func (rc *received) receive(w http.ResponseWriter, r *http.Request, now time.Time) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := notify.Verify(rc.secret, r.Header.Get(notify.SignatureHeader), body, now); err != nil {
		rc.bad = append(rc.bad, err.Error())
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	rc.ids = append(rc.ids, r.Header.Get(notify.EventIDHeader))
	io.WriteString(w, "ok")
}

func (rc *received) got() (ids, bad []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.ids...), append([]string(nil), rc.bad...)
}

// The operator registers a webhook endpoint for paid orders on the
// console, pointing at a receiver in this test, and copies its secret. An
// order is paid: the receiver gets the event signed (it verifies the
// signature); the console logs the delivery and its attempt. The operator
// sends it again: the receiver sees the same event once more, signed.
func TestWebhookConsoleDeliversAndReplays(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "en"
		w := newWorld(t, app, "Longjing tea")
		rc := &received{}
		receiver := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rc.receive(rw, r, app.Clock.Now())
		}))
		defer receiver.Close()
		deliver := func() {
			t.Helper()
			if _, err := app.DB.DeliverDueWebhooks(w.ctx, notify.NewSender(10*time.Second, true), "e2e", 10); err != nil {
				t.Fatal(err)
			}
		}

		op := app.SignedIn(lang, "op@example.com", password)
		op.Open("/ops/webhooks")
		op.WaitFor(Test("no-endpoints"))
		op.Fill(Label(T(lang, "notify.webhooks.url")), receiver.URL+"/hooks")
		op.ClickInPlace(Label(string(notify.OrderPaid)))
		op.Click(Test("create-endpoint"))
		secret := op.Text(Test("secret")) // shown this once
		rc.mu.Lock()
		rc.secret = secret
		rc.mu.Unlock()
		if secret == "" {
			t.Fatal("the console shows no secret for the new endpoint")
		}
		if n := op.Count(Test("endpoint-form")); n != 1 || op.Count(Test("no-endpoints")) != 0 {
			t.Errorf("after creating: %d forms, endpoints listed %v", n, !op.Has(Test("no-endpoints")))
		}

		ann := w.person("ann@example.com", "Ann")
		o := w.buy(ann, w.tea.SKUs[0].ID, 1)
		if _, err := app.RunDue(w.ctx); err != nil { // records the event and its delivery
			t.Fatal(err)
		}
		deliver()
		ids, bad := rc.got()
		if len(ids) != 1 || len(bad) != 0 {
			t.Fatalf("the receiver got %q, refused %q; want one event of order %d, signed", ids, bad, o.ID)
		}

		ds, err := app.DB.WebhookDeliveries(w.ctx, w.op, store.DeliveryFilter{Limit: 10})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries in the store: %+v %v", ds, err)
		}
		op.Open("/ops/webhooks")
		row := Test(testID("delivery", ds[0].ID))
		if got := op.Text(row); !strings.Contains(got, string(notify.OrderPaid)) || !strings.Contains(got, T(lang, "notify.status.delivered")) {
			t.Errorf("the console lists the delivery as %q", got)
		}
		op.Click(Link(strconv.FormatInt(ds[0].ID, 10)).In(row))
		if got := op.Text(Test("attempt-1")); !strings.HasPrefix(got, "HTTP 200") {
			t.Errorf("the delivery's log says %q", got)
		}
		op.Click(Test("replay"))
		op.See(T(lang, "notify.webhooks.replay_of", ds[0].ID))
		if got := op.Text(Test("delivery-status")); got != T(lang, "notify.status.pending") {
			t.Errorf("the replay is %q before it is sent", got)
		}
		deliver()
		again, bad := rc.got()
		if len(again) != 2 || again[1] != ids[0] || len(bad) != 0 {
			t.Errorf("after the replay the receiver got %q, refused %q; want %s twice", again, bad, ids[0])
		}
		op.Open(op.Path()) // the replay's page, again
		if got := op.Text(Test("delivery-status")); got != T(lang, "notify.status.delivered") {
			t.Errorf("the replay is %q after it is sent", got)
		}
	})
}
