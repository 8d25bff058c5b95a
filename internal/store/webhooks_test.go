package store_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/notify"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// receiver is an integrator's endpoint as docs/notifications.md tells one
// to write it: it verifies the signature (HMAC-SHA256 over "t.body",
// 5 minutes' tolerance) and answers with the statuses it is given in turn
// (200 once they run out).
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	answer []int
	got    []received
}

type received struct {
	eventID string
	body    map[string]any
	status  int
}

func newReceiver(t *testing.T, answer ...int) *receiver {
	r := &receiver{t: t, answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := notify.Verify(r.secret, req.Header.Get(notify.SignatureHeader), body, time.Now()); err != nil {
			r.t.Errorf("receiver: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		status := http.StatusOK
		if len(r.answer) > 0 {
			status, r.answer = r.answer[0], r.answer[1:]
		}
		var b map[string]any
		if err := json.Unmarshal(body, &b); err != nil {
			r.t.Errorf("receiver: body %q: %v", body, err)
		}
		r.got = append(r.got, received{req.Header.Get(notify.EventIDHeader), b, status})
		w.WriteHeader(status)
		io.WriteString(w, `{"ok":`+map[bool]string{true: "true", false: "false"}[status == 200]+`}`)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// hookWorld is the shop world with the operator's endpoint at a receiver.
type hookWorld struct {
	*lifeWorld
	rcv      *receiver
	endpoint *notify.Endpoint
	sender   *notify.Sender
}

func newHookWorld(t *testing.T, db *store.DB, types string, answer ...int) *hookWorld {
	w := &hookWorld{lifeWorld: newLifeWorld(t, db), rcv: newReceiver(t, answer...), sender: notify.NewSender(5*time.Second, true)}
	// Events so far (the joins) are before the endpoint: it gets only later ones.
	_, err := db.SweepNotifications(w.ctx, 0)
	w.must(err)
	w.endpoint, err = db.CreateWebhookEndpoint(w.ctx, w.op, notify.EndpointInput{URL: w.rcv.srv.URL + "/hooks", EventTypes: types, Active: true}, true)
	w.must(err)
	w.rcv.secret = w.endpoint.Secret
	return w
}

// event makes one event: a distributor joins under the root.
func (w *hookWorld) event() {
	w.t.Helper()
	w.join(w.root.ReferralCode)
	_, err := w.db.SweepNotifications(w.ctx, 0)
	w.must(err)
}

func (w *hookWorld) deliver(executor string, want int) {
	w.t.Helper()
	n, err := w.db.DeliverDueWebhooks(w.ctx, w.sender, executor, 0)
	if err != nil || n != want {
		w.t.Fatalf("%s delivered %d (%v), want %d", executor, n, err, want)
	}
}

func (w *hookWorld) deliveries() []notify.Delivery {
	w.t.Helper()
	ds, err := w.db.WebhookDeliveries(w.ctx, w.op, store.DeliveryFilter{EndpointID: w.endpoint.ID})
	w.must(err)
	return ds
}

func (w *hookWorld) delivery(id int64) *notify.Delivery {
	w.t.Helper()
	d, err := w.db.WebhookDelivery(w.ctx, w.op, id)
	w.must(err)
	return d
}

// A delivery reaches a receiver that verifies its signature, once.
func TestWebhookDelivered(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newHookWorld(t, db, "team.joined")
		w.event()
		w.deliver("a", 1)
		w.deliver("a", 0)
		got := w.rcv.received()
		if len(got) != 1 || got[0].body["type"] != "team.joined" || got[0].eventID != got[0].body["id"] {
			t.Fatalf("received %+v", got)
		}
		ds := w.deliveries()
		d := w.delivery(ds[0].ID)
		if len(ds) != 1 || d.Status != notify.Delivered || d.Attempts != 1 || len(d.Log) != 1 || d.Log[0].StatusCode != 200 ||
			d.Log[0].Response != `{"ok":true}` || d.Log[0].Executor != "a" || d.EndedAt == nil {
			t.Fatalf("delivery %+v", d)
		}
		// A paused endpoint's pending delivery waits for it to be resumed.
		w.event()
		pause := notify.EndpointInput{URL: w.endpoint.URL, EventTypes: "team.joined"}
		_, err := db.UpdateWebhookEndpoint(w.ctx, w.op, w.endpoint.ID, pause, true)
		w.must(err)
		w.deliver("a", 0)
		w.event() // made while paused: no delivery
		pause.Active = true
		_, err = db.UpdateWebhookEndpoint(w.ctx, w.op, w.endpoint.ID, pause, true)
		w.must(err)
		w.deliver("a", 1)
		if n := len(w.deliveries()); n != 2 {
			t.Fatalf("%d deliveries after pausing", n)
		}
		// An endpoint not subscribed to the kind gets nothing.
		_, err = db.UpdateWebhookEndpoint(w.ctx, w.op, w.endpoint.ID, notify.EndpointInput{URL: w.endpoint.URL, EventTypes: "order.paid", Active: true}, true)
		w.must(err)
		w.event()
		if n := len(w.deliveries()); n != 2 {
			t.Fatalf("%d deliveries after an unsubscribed event", n)
		}
	})
}

// A receiver that fails twice then succeeds: each failure logged with the
// backoff it chose, the delivery not due before it, acknowledged once.
func TestWebhookRetriedWithBackoff(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newHookWorld(t, db, "*", 500, 503)
		w.event()
		w.deliver("a", 1)
		w.deliver("a", 0) // not due yet
		w.clock.Advance(time.Minute)
		w.deliver("b", 1)
		w.deliver("b", 0)
		w.clock.Advance(2 * time.Minute)
		w.deliver("a", 1)
		w.clock.Advance(time.Hour)
		w.deliver("a", 0)
		d := w.delivery(w.deliveries()[0].ID)
		if d.Status != notify.Delivered || d.Attempts != 3 || len(d.Log) != 3 {
			t.Fatalf("delivery %+v", d)
		}
		for i, want := range []int{500, 503, 200} {
			a := d.Log[i]
			if a.StatusCode != want || (want == 200) != (a.NextAt == nil) || (want != 200 && a.Error == "") {
				t.Fatalf("attempt %d: %+v", i+1, a)
			}
		}
		first, second := d.Log[0].NextAt.Sub(d.Log[0].At), d.Log[1].NextAt.Sub(d.Log[1].At)
		if first < 30*time.Second || first > 38*time.Second || second < 60*time.Second || second > 75*time.Second {
			t.Fatalf("backoffs %s then %s, want 30s then 60s with up to a quarter of jitter", first, second)
		}
		got := w.rcv.received()
		if len(got) != 3 || got[0].eventID != got[2].eventID {
			t.Fatalf("received %+v", got)
		}
	})
}

// A delivery claimed by an executor that crashed before sending is sent
// by another once the claim lapses; the dead one's late report then
// changes nothing but the log. A restart loses nothing: all of it is rows.
func TestWebhookClaimLapses(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newHookWorld(t, db, "*")
		w.event()
		id := w.deliveries()[0].ID
		dead, err := db.ClaimDelivery(w.ctx, id, "dead")
		if err != nil || dead == nil || dead.Attempt != 1 {
			t.Fatalf("claim %+v %v", dead, err)
		}
		w.deliver("live", 0) // claimed
		w.clock.Advance(time.Minute)
		w.deliver("live", 0) // still claimed
		w.clock.Advance(2 * time.Minute)
		w.deliver("live", 1)
		w.must(db.RecordAttempt(w.ctx, dead, notify.Result{Err: "too late"}))
		d := w.delivery(id)
		if d.Status != notify.Delivered || d.Attempts != 2 || len(d.Log) != 2 || d.Log[0].Executor != "dead" || d.Log[1].Executor != "live" {
			t.Fatalf("delivery %+v", d)
		}
		if n := len(w.rcv.received()); n != 1 {
			t.Fatalf("received %d", n)
		}
	})
}

// The operator replays a delivered event: a new delivery of the same
// event (the same Sharemall-Event-Id), sent once.
func TestWebhookReplay(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newHookWorld(t, db, "*")
		w.event()
		w.deliver("a", 1)
		first := w.deliveries()[0]
		again, err := db.ReplayWebhookDelivery(w.ctx, w.op, first.ID)
		w.must(err)
		if again.ReplayOf != first.ID || again.EventID != first.EventID || again.Status != notify.Pending {
			t.Fatalf("replay %+v", again)
		}
		w.deliver("a", 1)
		got := w.rcv.received()
		if len(got) != 2 || got[0].eventID != got[1].eventID || w.delivery(again.ID).Status != notify.Delivered {
			t.Fatalf("received %+v", got)
		}
		_, err = db.ReplayWebhookDelivery(w.ctx, w.a, first.ID) // a supplier, not the endpoint's owner
		wantCode(t, err, errs.NotFound, "")
		_, err = db.ReplayWebhookDelivery(w.ctx, w.cust, first.ID)
		wantCode(t, err, errs.Forbidden, "")
	})
}

// Two executors see one delivery due at once; the first is held after
// seeing it due and before claiming it, while the second claims, sends and
// records; then the first's claim finds it taken. The receiver gets one
// request and the log one attempt.
func TestWebhookTwoExecutors(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newHookWorld(t, db, "*")
		w.event()
		h := testutil.Hold(t, db, "webhook.claim.due")
		a := testutil.Run(func() error { _, err := db.DeliverDueWebhooks(w.ctx, w.sender, "a", 0); return err })
		h.Reached()
		b := testutil.Run(func() error { _, err := db.DeliverDueWebhooks(w.ctx, w.sender, "b", 0); return err })
		testutil.BlockedOrEnded(t, db, b)
		h.Release()
		if err := a.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := b.Err(t); err != nil {
			t.Fatal(err)
		}
		d := w.delivery(w.deliveries()[0].ID)
		if n := len(w.rcv.received()); n != 1 || d.Attempts != 1 || len(d.Log) != 1 || d.Status != notify.Delivered {
			t.Fatalf("received %d, delivery %+v", n, d)
		}

		// Again, with the second executor only claiming while the first is
		// held: both claims overlap, and only one can be granted.
		w.event()
		id := w.deliveries()[0].ID
		h = testutil.Hold(t, db, "webhook.claim.due")
		var sent int
		a = testutil.Run(func() error { var err error; sent, err = db.DeliverDueWebhooks(w.ctx, w.sender, "a", 0); return err })
		h.Reached()
		var claim *store.Claim
		b = testutil.Run(func() error { var err error; claim, err = db.ClaimDelivery(w.ctx, id, "b"); return err })
		won := testutil.BlockedOrEnded(t, db, b) // PostgreSQL: b claims; SQLite: b waits for a's write
		h.Release()
		if err := a.Err(t); err != nil {
			t.Fatal(err)
		}
		if err := b.Err(t); err != nil {
			t.Fatal(err)
		}
		if (claim != nil) == (sent == 1) || (db.Engine() == store.Postgres && !won) {
			t.Fatalf("a sent %d, b claimed %+v: want exactly one", sent, claim)
		}
		if claim != nil {
			w.must(db.RecordAttempt(w.ctx, claim, w.sender.Send(w.ctx, claim.Post, time.Now())))
		}
		d = w.delivery(id)
		if n := len(w.rcv.received()); n != 2 || d.Attempts != 1 || len(d.Log) != 1 || d.Status != notify.Delivered {
			t.Fatalf("received %d, delivery %+v", n, d)
		}
	})
}

// Endpoints: private addresses refused unless allowed, a supplier's only
// for its own goods' kinds and events, the secret shown only when made or
// rotated.
func TestWebhookEndpoints(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newLifeWorld(t, db)
		ctx := context.Background()
		for _, url := range []string{"http://127.0.0.1:8080/h", "https://10.1.2.3/h", "http://[::1]/h", "http://localhost/h", "http://169.254.169.254/latest"} {
			_, err := db.CreateWebhookEndpoint(ctx, w.op, notify.EndpointInput{URL: url, Active: true}, false)
			wantCode(t, err, errs.Invalid, "url")
		}
		for _, url := range []string{"", "ftp://example.com/h", "https://user:pw@example.com/h", "not a url"} {
			_, err := db.CreateWebhookEndpoint(ctx, w.op, notify.EndpointInput{URL: url, Active: true}, true)
			wantCode(t, err, errs.Invalid, "url")
		}
		_, err := db.CreateWebhookEndpoint(ctx, w.op, notify.EndpointInput{URL: "https://93.184.215.14/h", EventTypes: "order.lost"}, false)
		wantCode(t, err, errs.Invalid, "event_types")
		_, err = db.CreateWebhookEndpoint(ctx, w.a, notify.EndpointInput{URL: "https://93.184.215.14/h", EventTypes: "commission.booked"}, false)
		wantCode(t, err, errs.Invalid, "event_types")
		_, err = db.CreateWebhookEndpoint(ctx, w.cust, notify.EndpointInput{URL: "https://93.184.215.14/h"}, false)
		wantCode(t, err, errs.Forbidden, "")

		rcv := newReceiver(t)
		e, err := db.CreateWebhookEndpoint(ctx, w.a, notify.EndpointInput{URL: rcv.srv.URL, EventTypes: "fulfilment.created, order.shipped", Active: true}, true)
		w.must(err)
		rcv.secret = e.Secret
		if e.SupplierID != w.supA.ID || len(e.EventTypes) != 2 || len(e.Secret) != 6+64 {
			t.Fatalf("endpoint %+v", e)
		}
		listed, err := db.WebhookEndpoints(ctx, w.a)
		w.must(err)
		if len(listed) != 1 || listed[0].Secret != "" {
			t.Fatalf("listed %+v", listed)
		}
		if l, _ := db.WebhookEndpoints(ctx, w.b); len(l) != 0 {
			t.Fatalf("supplier B sees %+v", l)
		}
		_, err = db.UpdateWebhookEndpoint(ctx, w.b, e.ID, notify.EndpointInput{URL: rcv.srv.URL}, true)
		wantCode(t, err, errs.NotFound, "")
		rotated, err := db.RotateWebhookSecret(ctx, w.a, e.ID)
		w.must(err)
		if rotated.Secret == e.Secret || rotated.Secret == "" {
			t.Fatalf("rotated %+v", rotated)
		}
		rcv.secret = rotated.Secret

		// An order of both suppliers' goods: supplier A's endpoint hears of
		// its own fulfilment order only, signed with the new secret.
		o := w.checkout(w.cust, cart("CN.44.03.05", order.Item{SKUID: w.a1, Quantity: 1}, order.Item{SKUID: w.b1, Quantity: 1}), "")
		w.pay(o, w.cust)
		_, err = db.SweepNotifications(ctx, 0)
		w.must(err)
		if n, err := db.DeliverDueWebhooks(ctx, notify.NewSender(5*time.Second, true), "x", 0); err != nil || n != 1 {
			t.Fatalf("delivered %d %v", n, err)
		}
		got := rcv.received()
		data, _ := got[0].body["data"].(map[string]any)
		if len(got) != 1 || got[0].body["type"] != "fulfilment.created" || data["supplier_id"] != float64(w.supA.ID) {
			t.Fatalf("supplier A received %+v", got)
		}
	})
}

// A server stops between attempts and another starts on the same
// database: the failed delivery is retried and acknowledged, and an event
// that happened before the stop but was not swept yet is found and sent.
func TestWebhookSurvivesRestart(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newHookWorld(t, db, "*", 500)
		w.event()
		w.deliver("before", 1)      // 500: due again after its backoff
		w.join(w.root.ReferralCode) // happened, not swept
		// The first server stops here (its handle is closed when the test ends).

		again := testutil.Reopen(t, db)
		again.Now = w.clock.Now
		w.clock.Advance(time.Minute)
		if n, err := again.SweepNotifications(w.ctx, 0); err != nil || n != 1 {
			t.Fatalf("swept %d %v after the restart", n, err)
		}
		if n, err := again.DeliverDueWebhooks(w.ctx, w.sender, "after", 0); err != nil || n != 2 {
			t.Fatalf("delivered %d %v after the restart", n, err)
		}
		ds, err := again.WebhookDeliveries(w.ctx, w.op, store.DeliveryFilter{})
		w.must(err)
		for _, d := range ds {
			if d.Status != notify.Delivered {
				t.Fatalf("delivery %+v", d)
			}
		}
		got := w.rcv.received()
		ok := map[string]int{}
		for _, r := range got[1:] {
			if r.status == 200 {
				ok[r.eventID]++
			}
		}
		if len(got) != 3 || got[0].status != 500 || ok[got[0].eventID] != 1 || len(ok) != 2 {
			t.Fatalf("received %+v", got)
		}
	})
}
