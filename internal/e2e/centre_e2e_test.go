package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"sharemall/internal/order"
)

// A distributor's commission, in Chinese, from sale to withdrawal: 张三
// opens 林's share link and buys; 林 sees the commission pending on the
// centre and in the details with the order and the product; after the
// after-sale window it is settled and available; a withdrawal above it is
// refused by the amount, which stays typed; a smaller one is listed.
func TestCommissionToWithdrawal(t *testing.T) {
	Journey(t, func(t *testing.T, app *App) {
		w := newWorld(t, app, "西湖龙井")
		w.withdrawalRules(500, 100, 3) // at least ¥5.00, a fee of 1%, three requests a day
		_, lin := w.distributor("lin@example.com", "林", "林的茶铺", "")
		link := w.shareLink(lin, w.tea.ID)

		zhang := w.person("zhang@example.com", "张三")
		buyer := app.SignedIn("zh", "zhang@example.com", password)
		buyer.Open(link) // signed in: the visit binds her to 林 at once
		buyer.See("林的茶铺", "西湖龙井")
		o := w.buy(zhang, w.tea.SKUs[1].ID, 1) // 250 g at ¥168.00: 林 earns tier 1, 10%

		me := app.SignedIn("zh", "lin@example.com", password)
		seeCommission(t, me, o, "待结算", "¥0.00", "¥16.80")

		w.deliver(o, zhang)
		app.Clock.Advance(8 * 24 * time.Hour) // past the after-sale window of 7 days
		if _, err := app.RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		seeCommission(t, me, o, "已结算", "¥16.80", "¥0.00")

		withdraw(t, me)
	})
}

// seeCommission checks the centre's figures and o's commission line on
// the money page, where it leaves the distributor.
func seeCommission(t *testing.T, u *Tab, o *order.Order, status, available, pending string) {
	t.Helper()
	u.Open("/centre")
	if got := u.Text(Test("available")); got != available {
		t.Errorf("the centre: available %s, want %s", got, available)
	}
	if got := u.Text(Test("pending")); got != pending {
		t.Errorf("the centre: pending %s, want %s", got, pending)
	}
	u.Click(Link("佣金提现"))
	line := Test("share").With(T("zh", "money.order", o.ID))
	if got := u.Text(line); !strings.Contains(got, "西湖龙井") || !strings.Contains(got, "¥16.80") {
		t.Errorf("the commission line shows %q, want the product and ¥16.80", got)
	}
	if got := u.Text(Test("share-status").In(line)); got != status {
		t.Errorf("the commission line is %q, want %q", got, status)
	}
	if got := u.Text(Test("available").In(Test("wallet"))); got != available {
		t.Errorf("the wallet: available %s, want %s", got, available)
	}
}

// withdraw: the form states its rules; ¥20.00 is more than the ¥16.80
// available and is refused by the field; ¥10.00 is requested.
func withdraw(t *testing.T, u *Tab) {
	t.Helper()
	rules := u.Text(Test("withdraw-rules"))
	for _, rule := range []string{T("zh", "money.rule_minimum", "¥5.00"), T("zh", "money.rule_fee", "1%"), T("zh", "money.rule_limit", 3)} {
		if !strings.Contains(rules, rule) {
			t.Errorf("the withdrawal rules %q do not say %q", rules, rule)
		}
	}
	u.Fill(Label("提现金额"), "20.00")
	if status := u.Click(Button("申请提现")); status != http.StatusConflict {
		t.Errorf("more than available: status %d, want 409", status)
	}
	if got := u.Text(Test("error-amount")); got != T("zh", "err.conflict.amount") {
		t.Errorf("the amount's error says %q", got)
	}
	if got := u.Value(Label("提现金额")); got != "20.00" {
		t.Errorf("the refused form lost the amount: %q", got)
	}
	if u.Has(Test("withdrawal")) {
		t.Error("a refused withdrawal is listed")
	}

	u.Fill(Label("提现金额"), "10.00")
	if status := u.Click(Button("申请提现")); status != http.StatusOK {
		t.Errorf("a withdrawal: status %d", status)
	}
	u.See(T("zh", "money.requested"))
	mine := Test("withdrawal").With("¥10.00")
	if got := u.Text(Test("withdrawal-status").In(mine)); got != "审核中" {
		t.Errorf("the withdrawal is %q, want 审核中", got)
	}
	if got := u.Text(mine); !strings.Contains(got, "手续费 ¥0.10 · 到账 ¥9.90") {
		t.Errorf("the withdrawal says %q, want the fee and what is paid", got)
	}
	if got, wd := u.Text(Test("available").In(Test("wallet"))), u.Text(Test("withdrawing")); got != "¥6.80" || wd != "¥10.00" {
		t.Errorf("after the request: available %s, being withdrawn %s; want ¥6.80 and ¥10.00", got, wd)
	}
}
