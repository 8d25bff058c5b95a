package e2e

import (
	"testing"
)

// Ann pays for tea she found through Lin's link. Once the notify sweep has
// run, Ann's phone (English) shows one unread notice on the Me tab (her
// order is paid) and Lin's (Chinese) one (her commission is booked). Each
// opens the list from Me, sees the notice, marks all read, and the badge
// is gone.
func TestNotificationBadges(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		w := newWorld(t, app, "Longjing tea")
		_, lin := w.distributor("lin@example.com", "Lin", "Lin's Tea", "")
		ann := w.person("ann@example.com", "Ann")
		_, _, err := app.DB.RecordVisit(w.ctx, ann, w.shareLink(lin, w.tea.ID)[len("/s/"):], "")
		w.must(err)
		o := w.buy(ann, w.tea.SKUs[1].ID, 1)         // ¥168.00: Lin earns 10%
		if _, err := app.RunDue(w.ctx); err != nil { // the notify sweep among the others
			t.Fatal(err)
		}

		for _, who := range []struct{ lang, login, notice string }{
			{"en", "ann@example.com", T("en", "notify.text.order_paid", o.ID, "¥168.00")},
			{"zh", "lin@example.com", T("zh", "notify.text.commission_booked", "¥16.80", o.ID)},
		} {
			u := app.SignedIn(who.lang, who.login, password)
			u.Open("/")
			if got := u.Attr(Test("unread-badge"), "data-unread"); got != "1" {
				t.Errorf("%s: the Me tab's badge says %q, want 1", who.login, got)
			}
			u.Click(Link(T(who.lang, "nav.me")))
			if got := u.Text(Test("me-unread")); got != "1" {
				t.Errorf("%s: Me counts %q unread", who.login, got)
			}
			u.Click(Test("notifications-link"))
			if got := u.Texts(Test("notifications").With(who.notice)); len(got) != 1 {
				t.Errorf("%s: the list does not say %q", who.login, who.notice)
			}
			if got := u.Text(Test("unread-count")); got != T(who.lang, "notify.unread", 1) {
				t.Errorf("%s: the list counts %q", who.login, got)
			}
			u.Click(Button(T(who.lang, "notify.read_all")))
			if got := u.Text(Test("unread-count")); got != T(who.lang, "notify.unread", 0) {
				t.Errorf("%s: after marking all read the list counts %q", who.login, got)
			}
			if u.Has(Test("unread-badge")) || u.Has(Button(T(who.lang, "notify.read_all"))) {
				t.Errorf("%s: the badge or the button stays after marking all read", who.login)
			}
			u.Open("/")
			if u.Has(Test("unread-badge")) {
				t.Errorf("%s: the Me tab still has a badge", who.login)
			}
		}
	})
}
