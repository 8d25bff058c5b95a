package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// A sponsor sees its new team member in the list, with the unread badge
// on Me until it marks them read; the seller its commission; the supplier
// its new parcel; in English and Chinese.
func TestNotificationsPage(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		c := w.customer("cal@example.com", "Cal", w.link)
		w.buy(c, 1)
		if _, err := db.SweepNotifications(w.ctx, 0); err != nil {
			t.Fatal(err)
		}
		me := w.s.get("/me")
		mustContain(t, me.Body, `data-test="unread-badge"`, `data-test="notifications-link"`)
		p := w.s.get("/notifications")
		mustContain(t, p.Body, "You earn ¥10.00 on order", "pending until its after-sale window closes")

		w.signIn("sam@example.com")
		p = w.s.get("/notifications")
		if p.Status != http.StatusOK {
			t.Fatalf("status %d", p.Status)
		}
		mustContain(t, p.Body, "Lin&#39;s tea joined your team.", "2 unread", `data-kind="team.joined"`, `data-kind="commission.booked"`)
		w.s.lang = "zh"
		mustContain(t, w.s.get("/notifications").Body, "Lin&#39;s tea 加入了你的团队。", "2 条未读")
		w.s.lang = "en"
		id := regexp.MustCompile(`data-test="read-(\d+)"`).FindStringSubmatch(p.Body)
		if r := w.s.post("/notifications/read", url.Values{"id": {id[1]}}); r.Status != http.StatusSeeOther {
			t.Fatalf("mark one: %d %s", r.Status, r.Body)
		}
		mustContain(t, w.s.get("/notifications").Body, "1 unread")
		if r := w.s.post("/notifications/read", url.Values{"all": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("mark all: %d", r.Status)
		}
		if b := w.s.get("/me").Body; strings.Contains(b, `data-test="unread-badge"`) {
			t.Fatal("the badge stays after all were read")
		}
		if r := w.s.post("/notifications/read", url.Values{"id": {"999999"}}); r.Status != http.StatusNotFound {
			t.Fatalf("someone else's: %d", r.Status)
		}

		w.signIn("sup@example.com")
		mustContain(t, w.s.get("/notifications").Body, "New parcel to ship for order", `data-test="console-unread"`)
	})
}

// The operator registers an endpoint: a private address is refused by
// its field, a public one shows its secret once; the supplier's page
// offers only its own kinds.
func TestWebhooksConsole(t *testing.T) {
	w := newMoneyWorld(t, testutil.OpenSQLite(t))
	w.signIn("op@example.com")
	if p := w.s.get("/ops/webhooks"); p.Status != http.StatusOK {
		t.Fatalf("status %d", p.Status)
	}
	p := w.s.post("/ops/webhooks", url.Values{"url": {"http://127.0.0.1:9/h"}, "active": {"1"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-url"`) {
		t.Fatalf("private address: %d", p.Status)
	}
	p = w.s.post("/ops/webhooks", url.Values{"url": {"https://93.184.215.14/hooks"}, "event_types": {"order.paid", "team.joined"}, "active": {"1"}})
	secret := regexp.MustCompile(`data-test="secret">(whsec_[0-9a-f]{64})<`).FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || secret == nil {
		t.Fatalf("create: %d", p.Status)
	}
	list := w.s.get("/ops/webhooks").Body
	mustContain(t, list, "https://93.184.215.14/hooks", "order.paid, team.joined")
	if strings.Contains(list, secret[1]) {
		t.Fatal("the secret is shown again")
	}
	// An order paid (and the joins, swept only now): deliveries listed, shown, replayed.
	w.buy(w.customer("cal@example.com", "Cal", w.link), 1)
	if _, err := w.db.SweepNotifications(w.ctx, 0); err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`data-test="delivery-(\d+)"`).FindStringSubmatch(w.s.get("/ops/webhooks").Body)
	if id == nil {
		t.Fatal("no delivery listed")
	}
	d := w.s.get("/ops/webhooks/deliveries/" + id[1])
	mustContain(t, d.Body, " · evt_", `data-test="delivery-status">Pending<`, "Not tried yet.")
	r := w.s.post("/ops/webhooks/deliveries/"+id[1]+"/replay", nil)
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "?replayed=1") {
		t.Fatalf("replay: %d %s", r.Status, r.Header.Get("Location"))
	}
	mustContain(t, w.s.get(r.Header.Get("Location")).Body, "replay of #"+id[1], "The event will be sent again")

	w.signIn("sup@example.com")
	sup := w.s.get("/sup/webhooks").Body
	mustContain(t, sup, `value="fulfilment.created"`)
	if strings.Contains(sup, `value="commission.booked"`) || strings.Contains(sup, "93.184.215.14") {
		t.Fatal("the supplier sees the program's kinds or endpoints")
	}
	if p := w.s.get("/ops/webhooks"); p.Status != http.StatusForbidden {
		t.Fatalf("supplier on the operator's page: %d", p.Status)
	}
}
