package e2e

import (
	"strings"
	"testing"
	"time"

	"sharemall/internal/payout"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// A distributor with ¥16.80 settled records where she is paid (a bank
// card): the page shows it masked and never in full. She withdraws
// ¥10.00 (fee 1%, tax withheld 3%): the request shows the tax and where it
// goes. The operator approves it, batches it, sees the tax and the masked
// card in the batch, and marks the batch paid with the bank's reference.
func TestPayoutDetailsToPaidBatch(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		const lang, card = "en", "6222021001123456789"
		line, err := payout.NewKeyLine("e2e")
		if err != nil {
			t.Fatal(err)
		}
		keys, err := payout.ParseKeys([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		app.DB.UsePayoutKeys(keys) // as serve does from its key file
		w := newWorld(t, app, "Longjing tea")
		w.withdrawalRules(500, 100, 3)
		s, err := app.DB.Settings(w.ctx)
		w.must(err)
		s.Withdrawal.WithholdingRate = 300
		_, err = app.DB.UpdateSettings(w.ctx, w.op, s, s.Version)
		w.must(err)
		_, lin := w.distributor("lin@example.com", "Lin", "Lin's Tea", "")
		ann := w.person("ann@example.com", "Ann")
		_, _, err = app.DB.RecordVisit(w.ctx, ann, w.shareLink(lin, w.tea.ID)[len("/s/"):], "")
		w.must(err)
		w.deliver(w.buy(ann, w.tea.SKUs[1].ID, 1), ann) // ¥168.00: Lin earns 10%
		app.Clock.Advance(8 * 24 * time.Hour)           // past the after-sale window
		if _, err := app.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}

		me := app.SignedIn(lang, "lin@example.com", password)
		me.Open("/centre/money")
		me.Click(Test("payout-link"))
		me.WaitFor(Test("payout-none"))
		me.Choose(Label(T(lang, "payouts.method")), T(lang, "payouts.method.bank_card"))
		me.Fill(Label(T(lang, "payouts.bank")), "ICBC")
		me.Fill(Label(T(lang, "payouts.holder_name")), "Lin Mei")
		me.Fill(Label(T(lang, "payouts.card_number")), "6222 0210 0112 3456 789")
		me.Click(Test("save-payout"))
		if got := me.Text(Test("payout-masked")); got != "Bank card · ICBC ****6789 L******" {
			t.Errorf("the recorded details show %q", got)
		}
		var html string
		me.Eval(`document.documentElement.outerHTML`, &html)
		if strings.Contains(strings.ReplaceAll(html, " ", ""), card[4:]) || strings.Contains(html, "Lin Mei") {
			t.Error("the payout page holds the card number or the holder's name in full")
		}

		me.Open("/centre/money")
		me.Fill(Label(T(lang, "money.amount")), "10.00")
		me.Click(Button(T(lang, "money.withdraw_submit")))
		me.See(T(lang, "money.requested"))
		mine := Test("withdrawal").With("¥10.00")
		want := T(lang, "money.wd.line_taxed", "", "¥0.10", "¥0.30", "¥9.60") // after the time it was asked
		if got := me.Text(Test("withdrawal-withheld").In(mine)); !strings.HasSuffix(got, want) {
			t.Errorf("the request says %q, want the tax withheld and what the bank pays", got)
		}
		if got := me.Text(Test("withdrawal-payout-to").In(mine)); !strings.HasSuffix(got, "Bank card ICBC ****6789 L******") {
			t.Errorf("the request is paid to %q", got)
		}
		ws, err := app.DB.Withdrawals(w.ctx, w.op, store.WithdrawalFilter{Limit: 10})
		w.must(err)
		if len(ws) != 1 {
			t.Fatalf("%d withdrawals in the store", len(ws))
		}
		wd := ws[0]

		op := app.SignedIn(lang, "op@example.com", password)
		op.Open("/ops/withdrawals")
		acceptDialogs(op)
		op.Click(Button(T(lang, "ops.approve")).In(Test(testID("withdrawal", wd.ID))))
		op.See(T(lang, "ops.notice.decided"))
		op.Click(Button(T(lang, "ops.withdrawals.create_batch")))
		row := Test(testID("batch-withdrawal", wd.ID))
		if got, to := op.Text(Test("withheld").In(row)), op.Text(Test("payout-to").In(row)); got != "¥0.30" || to != "Bank card ICBC ****6789 L******" {
			t.Errorf("the batch shows tax %q, paid to %q", got, to)
		}
		op.Fill(Label(T(lang, "payouts.reference")), "ICBC-20261203-01")
		op.Click(Test("batch-paid"))
		if got := op.Text(Test("batch-status")); !strings.HasPrefix(got, T(lang, "ops.batch.status.paid")) || !strings.HasSuffix(got, "ICBC-20261203-01") {
			t.Errorf("the paid batch says %q", got)
		}
		got, err := app.DB.Withdrawal(w.ctx, w.op, wd.ID)
		w.must(err)
		if got.Status != wallet.Paid || got.Withheld != 30 || got.Payable() != 960 || got.PayoutRef != "ICBC-20261203-01" {
			t.Errorf("the withdrawal in the store: %s, withheld %d, payable %d, ref %q", got.Status, got.Withheld, got.Payable(), got.PayoutRef)
		}
		if problems, err := app.DB.CheckLedger(w.ctx); err != nil || len(problems) > 0 {
			t.Errorf("ledger check: %v %v", problems, err)
		}
		me.Open("/centre/money")
		if got := me.Text(Test("withdrawal-status").In(mine)); got != T(lang, "money.wd.paid") {
			t.Errorf("Lin's withdrawal is %q", got)
		}
	})
}
