package e2e

import (
	"strings"
	"testing"

	"sharemall/internal/fraud"
	"sharemall/internal/store"
)

// Leaf's share link is opened three times from one network address by
// nobody who buys (the click-spam threshold set to 3). After the fraud
// sweep the operator, on a phone in Chinese, finds the signal in the queue
// with its count, is told a dismissal needs a reason, gives one, and the
// signal leaves the open queue for the dismissed one.
func TestOperatorReviewsFraudSignal(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "zh"
		w := newWorld(t, app, "Longjing green tea")
		s, err := app.DB.Settings(w.ctx)
		w.must(err)
		s.Fraud.ClickSpamVisits = 3
		_, err = app.DB.UpdateSettings(w.ctx, w.op, s, s.Version)
		w.must(err)
		leaf, _ := w.distributor("leaf@example.com", "Leaf", "Leaf & Co", "")
		link := w.shareLink(w.actor(leaf.AccountID), w.tea.ID)
		v := app.Visitor(lang)
		for range 3 {
			v.Open(link)
		}
		v.Close()
		_, err = app.DB.SweepFraud(w.ctx, 500)
		w.must(err)
		open, err := app.DB.FraudSignals(w.ctx, w.op, store.FraudFilter{Status: fraud.Open})
		w.must(err)
		if len(open) != 1 {
			t.Fatalf("signals %+v", open)
		}
		id := open[0].ID

		u := app.SignedIn(lang, "op@example.com", password)
		u.Open("/ops/fraud")
		row := Test(testID("signal", id))
		u.See(T(lang, "fraud.kind.click_spam"))
		if got := u.Text(Test(testID("evidence", id))); !strings.HasPrefix(got, T(lang, "fraud.ev.count")+": 3 ") {
			t.Errorf("evidence %q", got)
		}
		u.Click(Test(testID("dismiss", id)).In(row))
		u.WaitFor(Test("error-reason"))
		u.Fill(Label(T(lang, "ops.reason")).In(row), "店员在测试链接")
		u.Click(Test(testID("dismiss", id)).In(row))
		u.See(T(lang, "ops.notice.decided"))
		u.WaitFor(Test("empty"))
		u.Click(Link(T(lang, "fraud.status.dismissed")))
		u.See("店员在测试链接")
	})
}
