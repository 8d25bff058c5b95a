package e2e

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/money"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// The operator raises the tier-1 rate past the commission cap and tries to
// save: refused by the rates, with what she typed kept and nothing saved.
// She lowers it, previews the split of a ¥200.00 order (nothing saved
// yet), then saves after the confirmation.
func TestOperatorChangesCommission(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "en"
		w := &world{t: t, app: app, ctx: context.Background()}
		w.person("op@example.com", "Olivia", account.Operator)
		u := app.SignedIn(lang, "op@example.com", password)
		u.Open("/ops")
		u.Click(Link(T(lang, "console.nav.settings")))
		tier1 := Label(T(lang, "ops.settings.tier1"))
		if got := u.Value(tier1); got != "1000" {
			t.Fatalf("tier 1 shows %q, want the program's 1000", got)
		}

		asked := acceptDialogs(u)
		u.Fill(tier1, "2600") // with tier 2's 500: 31%, over the cap of 30%
		if status := u.Click(Button(T(lang, "ops.settings.save"))); status != http.StatusBadRequest {
			t.Errorf("rates over the cap: status %d, want 400", status)
		}
		if got := u.Text(Test("error-tier_rates_bp")); !strings.Contains(got, "above the commission cap") {
			t.Errorf("the rates' error says %q", got)
		}
		if got, limit := u.Value(tier1), u.Value(Label(T(lang, "ops.settings.cap"))); got != "2600" || limit != "3000" {
			t.Errorf("the refused form holds tier 1 %q and cap %q, want 2600 and 3000", got, limit)
		}
		if got := asked(); len(got) != 1 || got[0] != T(lang, "ops.settings.confirm") {
			t.Errorf("saving asked %q", got)
		}
		tierRates(t, w, 1000, 500)

		u.Fill(tier1, "1500")
		u.Fill(Label(T(lang, "ops.preview.price")), "200.00")
		if status := u.Click(Button(T(lang, "ops.preview.button"))); status != http.StatusOK {
			t.Errorf("a preview: status %d", status)
		}
		split := map[string]string{"share-tier1": "¥30.00", "share-tier2": "¥10.00", "share-platform": "¥0.00", "share-supplier": "¥160.00"}
		for name, want := range split {
			if got := u.Text(Test("share-amount").In(Test(name))); got != want {
				t.Errorf("the preview's %s is %s, want %s", name, got, want)
			}
		}
		if got := u.Text(Test("split-total")); got != "¥200.00" {
			t.Errorf("the preview's customer pays %s", got)
		}
		if got := asked(); len(got) != 1 {
			t.Errorf("after a save and a preview, %d questions were asked, want 1 (the save's)", len(got))
		}
		tierRates(t, w, 1000, 500)

		if status := u.Click(Button(T(lang, "ops.settings.save"))); status != http.StatusOK {
			t.Errorf("saving: status %d", status)
		}
		u.See(T(lang, "ops.settings.saved"))
		if got := u.Value(tier1); got != "1500" {
			t.Errorf("saved, tier 1 shows %q", got)
		}
		tierRates(t, w, 1500, 500)
	})
}

// tierRates checks the program's saved tier rates.
func tierRates(t *testing.T, w *world, want ...money.Rate) {
	t.Helper()
	s, err := w.app.DB.Settings(w.ctx)
	w.must(err)
	if !slices.Equal(s.TierRates, want) {
		t.Errorf("the saved tier rates are %v, want %v", s.TierRates, want)
	}
}

// A distributor earned ¥16.80 and asked for ¥10.00 of it (fee 1%); the
// operator finds the request on the dashboard, approves it without a
// payout reference, puts it in a payout batch and downloads the batch's
// bank file.
func TestOperatorPaysWithdrawal(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang = "en"
		w, wd := requestedWithdrawal(t, app)
		u := app.SignedIn(lang, "op@example.com", password)
		u.Open("/ops")
		if got := u.Text(Test("queue-count-withdrawals")); got != "1" {
			t.Errorf("the dashboard counts %s withdrawals to decide", got)
		}
		u.Click(Test("queue-withdrawals"))
		row := Test(testID("withdrawal", wd.ID))
		if got, net := u.Text(Test("amount").In(row)), u.Text(Test("net").In(row)); got != "¥10.00" || net != "¥9.90" {
			t.Errorf("the request shows %s, to pay %s; want ¥10.00 and ¥9.90", got, net)
		}

		asked := acceptDialogs(u)
		u.Click(Button(T(lang, "ops.approve")).In(row))
		u.See(T(lang, "ops.notice.decided"))
		if got := asked(); len(got) != 1 || got[0] != T(lang, "ops.withdrawals.confirm_approve", wd.ID, "¥9.90") {
			t.Errorf("approving asked %q", got)
		}
		u.WaitFor(Test("requested-empty"))
		if got := u.Text(Test(testID("approved", wd.ID))); !strings.Contains(got, "¥9.90") {
			t.Errorf("the approved withdrawal shows %q", got)
		}

		u.Click(Button(T(lang, "ops.withdrawals.create_batch")))
		if got := asked(); len(got) != 2 || got[1] != T(lang, "ops.withdrawals.confirm_batch", 1) {
			t.Errorf("the batch asked %q", got)
		}
		got, err := app.DB.Withdrawal(w.ctx, w.op, wd.ID)
		if err != nil || got.Status != wallet.Approved || got.BatchID == 0 {
			t.Fatalf("the withdrawal in the store: %+v %v, want approved in a batch", got, err)
		}
		if path := u.Path(); path != "/ops/payout-batches/"+strconv.FormatInt(got.BatchID, 10) {
			t.Errorf("creating the batch opened %s", path)
		}
		u.See(T(lang, "ops.batch.heading", got.BatchID))
		if line := u.Text(Test(testID("batch-withdrawal", wd.ID))); !strings.Contains(line, "¥9.90") {
			t.Errorf("the batch lists %q", line)
		}

		// The bank file, fetched as the download link asks for it.
		var file struct {
			Status                  int
			Type, Disposition, Body string
		}
		href := u.Attr(Link(T(lang, "ops.batch.export")), "href")
		u.Eval(`fetch(`+jsString(href)+`).then(async r => ({Status: r.status, Type: r.headers.get("content-type"),
			Disposition: r.headers.get("content-disposition"), Body: await r.text()}))`, &file)
		if file.Status != http.StatusOK || file.Type != "text/csv; charset=utf-8" || !strings.HasPrefix(file.Disposition, "attachment;") {
			t.Errorf("the bank file: status %d, %q, %q", file.Status, file.Type, file.Disposition)
		}
		want := strings.Join(store.PayoutCSVHeader, ",") + "\n" + strings.Join([]string{strconv.FormatInt(wd.ID, 10),
			strconv.FormatInt(wd.DistributorID, 10), "Lin", "9.90", "CNY", store.PayoutReference(wd.ID)}, ",") + "\n"
		if file.Body != want {
			t.Errorf("the bank file reads\n%s\nwant\n%s", file.Body, want)
		}
	})
}

// requestedWithdrawal seeds, through the store, a distributor (Lin) whose
// commission of ¥16.80 is settled, and her request to withdraw ¥10.00
// under a fee of 1%.
func requestedWithdrawal(t *testing.T, app *App) (*world, *wallet.Withdrawal) {
	t.Helper()
	w := newWorld(t, app, "Longjing tea")
	w.withdrawalRules(500, 100, 3)
	d, lin := w.distributor("lin@example.com", "Lin", "Lin's Tea", "")
	ann := w.person("ann@example.com", "Ann")
	link, err := app.DB.ShareLink(w.ctx, lin, w.tea.ID, store.ChannelLink)
	w.must(err)
	_, _, err = app.DB.RecordVisit(w.ctx, ann, link.Code, "") // she opened Lin's link signed in
	w.must(err)
	o := w.buy(ann, w.tea.SKUs[1].ID, 1) // ¥168.00: Lin earns 10%
	w.deliver(o, ann)
	app.Clock.Advance(8 * 24 * time.Hour) // past the after-sale window
	if _, err := app.RunDue(w.ctx); err != nil {
		t.Fatal(err)
	}
	wd, err := app.DB.RequestWithdrawal(w.ctx, lin, d.ID, 1000, "e2e-withdrawal")
	w.must(err)
	return w, wd
}
