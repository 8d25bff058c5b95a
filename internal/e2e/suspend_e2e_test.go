package e2e

import (
	"net/http"
	"testing"
)

// The operator finds Leaf & Co among the distributors, suspends it with a
// reason (after the confirmation), and its share link then opens a page
// saying the shop is closed: a newcomer's visit is not counted and a
// signed-in customer is bound to nobody. Reinstated, the link works again.
func TestOperatorSuspendsDistributor(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "en"
		w := newWorld(t, app, "Longjing green tea")
		leaf, _ := w.distributor("leaf@example.com", "Leaf", "Leaf & Co", "")
		link := w.shareLink(w.actor(leaf.AccountID), w.tea.ID)
		ann := w.person("ann@example.com", "Ann")

		u := app.SignedIn(lang, "op@example.com", password)
		u.Open("/ops/distributors")
		u.Fill(Label(T(lang, "ops.distributors.name")), "Leaf")
		u.Click(Button(T(lang, "ops.filter")))
		u.Click(Link("Leaf").In(Test(testID("row", leaf.ID))))
		u.Click(Test("open-actions"))
		asked := acceptDialogs(u)
		u.Fill(Label(T(lang, "opsx.reason")), "orders from its own accounts")
		u.Click(Test("suspend"))
		u.See(T(lang, "opsx.actions.suspended"))
		if got := u.Text(Test("status")); got != T(lang, "ops.status.suspended") {
			t.Errorf("the distributor's status shows %q", got)
		}
		if got := asked(); len(got) != 1 || got[0] != T(lang, "opsx.suspend.confirm") {
			t.Errorf("suspending asked %q", got)
		}

		for _, v := range []*Tab{app.Visitor("zh"), app.SignedIn(lang, "ann@example.com", password)} {
			if status := v.Open(link); status != http.StatusOK {
				t.Errorf("the closed shop's link: status %d, want 200", status)
			}
			v.WaitFor(Test("shop-closed"))
			v.Close()
		}
		if seller, err := app.DB.AttributedSeller(w.ctx, ann); err != nil || seller != 0 {
			t.Errorf("the customer who opened the closed shop's link is bound to %d (%v)", seller, err)
		}
		visits, err := app.DB.ShareLinkVisits(w.ctx, w.op, leaf.ID)
		w.must(err)
		for _, l := range visits {
			if l.Visits != 0 {
				t.Errorf("the closed shop's link %s counted %d visits", l.Code, l.Visits)
			}
		}

		u.Fill(Label(T(lang, "opsx.reason")), "cleared after review")
		u.Click(Test("reinstate"))
		if got := u.Text(Test("status")); got != T(lang, "ops.status.active") {
			t.Errorf("reinstated, the status shows %q", got)
		}
		v := app.Visitor(lang)
		v.Open(link)
		if got := v.Text(Test("shop-name")); got != "Leaf & Co" {
			t.Errorf("reinstated, the link opens %q", got)
		}
		visits, err = app.DB.ShareLinkVisits(w.ctx, w.op, leaf.ID)
		w.must(err)
		if len(visits) != 1 || visits[0].Visits != 1 {
			t.Errorf("reinstated, the link's visits are %+v, want the one visit", visits)
		}
	})
}
