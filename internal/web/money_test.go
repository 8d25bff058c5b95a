package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

const moneyDay = 24 * time.Hour

// moneyWorld is a supplier with a tea at 100.00 in stock, an operator, and
// a seller (signed in on the site) under a sponsor, with a shop and a
// share link; the program's defaults: tiers 10% and 5%, a withdrawal
// minimum of 1.00, no fee, three requests a day.
type moneyWorld struct {
	t        *testing.T
	s        *testSite
	db       *store.DB
	ctx      context.Context
	op, sup  account.Actor
	sku      int64
	product  int64
	seller   account.Actor
	sellerID int64
	sponsor  account.Actor
	link     string
	sandbox  *payment.Sandbox
	n        int
}

func newMoneyWorld(t *testing.T, db *store.DB) *moneyWorld {
	t.Helper()
	w := &moneyWorld{t: t, s: newTestSite(t, db), db: db, ctx: context.Background(), sandbox: &payment.Sandbox{Secret: []byte("s")}}
	w.op = w.account("op@example.com", "Olivia", account.Operator)
	w.sup = w.account("sup@example.com", "Tea Co")
	sp, err := db.ApplySupplier(w.ctx, w.sup, catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "sup@example.com"})
	w.must(err)
	_, err = db.SetSupplierStatus(w.ctx, w.op, sp.ID, catalog.Approved, "")
	w.must(err)
	w.sup = w.actor(w.sup.AccountID)
	p, err := db.CreateProduct(w.ctx, w.sup, &catalog.Product{Title: "Green tea", OnSale: true,
		SKUs: []catalog.SKU{{Code: "T1", RetailPrice: 10000, OnSale: true}}})
	w.must(err)
	w.product, w.sku = p.ID, p.SKUs[0].ID
	wh, err := db.CreateWarehouse(w.ctx, w.sup, &catalog.Warehouse{Name: "W", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	w.must(err)
	_, err = db.SetStock(w.ctx, w.sup, wh.ID, w.sku, 1000)
	w.must(err)

	var sponsor *network.Distributor
	sponsor, w.sponsor = w.distributor("sam@example.com", "Sam", "")
	var seller *network.Distributor
	seller, w.seller = w.distributor("lin@example.com", "Lin's tea", sponsor.ReferralCode)
	w.sellerID = seller.ID
	w.link = w.shop(w.seller)
	w.signIn("lin@example.com")
	return w
}

func (w *moneyWorld) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *moneyWorld) actor(id int64) account.Actor {
	w.t.Helper()
	a, err := w.db.ActorFor(w.ctx, id)
	w.must(err)
	return a
}

// account makes an account whose password is "correct horse 1".
func (w *moneyWorld) account(email, name string, roles ...account.Role) account.Actor {
	w.t.Helper()
	hash, err := account.HashPassword(account.HashParams{Memory: 64, Time: 1, Threads: 1}, "correct horse 1")
	w.must(err)
	a, err := w.db.CreateAccount(w.ctx, account.SignUp{Email: email, Name: name}, hash, append(roles, account.Customer)...)
	w.must(err)
	return w.actor(a.ID)
}

func (w *moneyWorld) distributor(email, name, invite string) (*network.Distributor, account.Actor) {
	w.t.Helper()
	a := w.account(email, name)
	d, err := w.db.JoinNetwork(w.ctx, a, network.Join{InviteCode: invite, DisplayName: name})
	w.must(err)
	return d, w.actor(a.AccountID)
}

// shop opens a's shop with the tea and returns its share link's code.
func (w *moneyWorld) shop(a account.Actor) string {
	w.t.Helper()
	_, err := w.db.OpenShop(w.ctx, a, store.ShopInput{Name: "Shop"})
	w.must(err)
	_, err = w.db.AddShopItem(w.ctx, a, w.product)
	w.must(err)
	l, err := w.db.ShareLink(w.ctx, a, 0, store.ChannelLink)
	w.must(err)
	return l.Code
}

// signIn signs the site's browser in as login.
func (w *moneyWorld) signIn(login string) {
	w.t.Helper()
	if p := w.s.post("/signin", url.Values{"login": {login}, "password": {"correct horse 1"}}); p.Status != http.StatusSeeOther {
		w.t.Fatalf("sign in %s: %d", login, p.Status)
	}
}

// customer makes a customer bound to the shop of link.
func (w *moneyWorld) customer(email, name, link string) account.Actor {
	w.t.Helper()
	c := w.account(email, name)
	_, _, err := w.db.RecordVisit(w.ctx, c, link, "")
	w.must(err)
	return c
}

// buy checks out qty teas and pays through the sandbox's callback path.
func (w *moneyWorld) buy(c account.Actor, qty int64) *order.Order {
	w.t.Helper()
	o, err := w.db.Checkout(w.ctx, c, order.CheckoutInput{Items: []order.Item{{SKUID: w.sku, Quantity: qty}},
		ShipTo: order.ShipTo{RegionCode: "CN.11.01.01", Name: "Zhang San", Phone: "13800138000", Address: "1 Road"}}, "")
	w.must(err)
	w.n++
	ref := fmt.Sprintf("sbx_money_%d", w.n)
	_, err = w.db.StartPayment(w.ctx, c, o.ID, "sandbox", ref)
	w.must(err)
	out, _, err := w.db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: ref, Amount: o.Total, Currency: "CNY", Payload: "{}"})
	if err != nil || out != store.OutcomeApplied {
		w.t.Fatalf("payment: %s %v", out, err)
	}
	return o
}

// deliver ships o and has its customer confirm receipt.
func (w *moneyWorld) deliver(o *order.Order, c account.Actor) {
	w.t.Helper()
	for _, f := range o.Fulfilments {
		_, err := w.db.ShipFulfilment(w.ctx, w.sup, f.ID, "SF Express", fmt.Sprintf("SF%08d", f.ID))
		w.must(err)
		_, err = w.db.ConfirmReceipt(w.ctx, c, f.ID)
		w.must(err)
	}
}

// refund has who (the customer, or an operator after its window) ask for
// qty units of l back and the supplier approve.
func (w *moneyWorld) refund(who account.Actor, l order.Line, qty int64, reason string) {
	w.t.Helper()
	c, err := w.db.OpenCase(w.ctx, who, l.ID, store.RefundOnly, qty, reason)
	w.must(err)
	_, err = w.db.DecideCase(w.ctx, w.sup, c.ID, true, "sorry", w.sandbox)
	w.must(err)
}

// settle closes the after-sale windows and settles what is due.
func (w *moneyWorld) settle() {
	w.t.Helper()
	w.s.clock.Advance(8 * moneyDay)
	_, err := w.db.SettleMaturedLines(w.ctx, 100)
	w.must(err)
}

// moneyCentrePages are the pages of this group, each for a distributor only.
var moneyCentrePages = []string{"/centre/team", "/centre/money", "/centre/orders", "/centre/ranking"}

func TestMoneyPagesOnlyForDistributors(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		s := newTestSite(t, db)
		for _, path := range moneyCentrePages {
			if p := s.get(path); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/signin?next="+url.QueryEscape(path) {
				t.Errorf("anonymous %s: %d to %q", path, p.Status, p.Header.Get("Location"))
			}
		}
		s.signUp("Lin", "13800138000")
		for _, path := range moneyCentrePages {
			if p := s.get(path); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/join" {
				t.Errorf("customer %s: %d to %q", path, p.Status, p.Header.Get("Location"))
			}
		}
		if p := s.post("/centre/money/withdraw", url.Values{"amount": {"5.00"}}); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/join" {
			t.Errorf("customer withdraws: %d to %q", p.Status, p.Header.Get("Location"))
		}
	})
}

func TestTeamPage(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		seller, err := db.DistributorByAccount(w.ctx, w.seller, w.seller.AccountID)
		w.must(err)
		// Level 1: Amy, Amber, Bob and 19 more; level 2: Cid under Amy, who sells.
		amy, amyActor := w.distributor("amy@example.com", "Amy", seller.ReferralCode)
		w.distributor("amber@example.com", "Amber", seller.ReferralCode)
		w.distributor("bob@example.com", "Bob", seller.ReferralCode)
		for i := range 19 {
			w.distributor(fmt.Sprintf("m%d@example.com", i), fmt.Sprintf("Member %02d", i), seller.ReferralCode)
		}
		w.distributor("cid@example.com", "Cid", amy.ReferralCode)
		w.buy(w.customer("zhang@example.com", "张三", w.shop(amyActor)), 3)
		if _, err := db.FoldSalesEvents(w.ctx, 100); err != nil {
			t.Fatal(err)
		}

		p := w.s.get("/centre/team")
		if p.Status != http.StatusOK {
			t.Fatalf("team: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="team-size">23<`, `data-test="level-count-1">22<`, `data-test="level-count-2">1<`,
			`aria-current="page" data-test="level-1"`, "¥300.00", `href="/centre/team?level=2"`)
		if strings.Contains(p.Body, `data-test="level-3"`) {
			t.Error("a tab for level 3: the program pays 2")
		}
		if n := strings.Count(p.Body, `data-test="member"`); n != 20 {
			t.Errorf("first page: %d members, want 20", n)
		}
		// Amy's card: her sales (3 × 100.00) and orders.
		i := strings.Index(p.Body, `data-test="member-name">Amy<`)
		if i < 0 || !strings.Contains(p.Body[i:min(i+600, len(p.Body))], `data-test="member-sales">¥300.00<`) || !strings.Contains(p.Body[i:min(i+600, len(p.Body))], "Orders: 1") {
			t.Errorf("Amy's card: %s", p.Body[max(i, 0):min(max(i, 0)+600, len(p.Body))])
		}
		next := regexp.MustCompile(`href="([^"]+)" data-test="next-page"`).FindStringSubmatch(p.Body)
		if next == nil {
			t.Fatal("no next page")
		}
		p2 := w.s.get(html.UnescapeString(next[1]))
		if n := strings.Count(p2.Body, `data-test="member"`); n != 2 || strings.Contains(p2.Body, `data-test="next-page"`) {
			t.Errorf("second page: %d members", n)
		}

		p = w.s.get("/centre/team?q=am")
		mustContain(t, p.Body, `data-test="member-name">Amy<`, `data-test="member-name">Amber<`, `value="am"`)
		if strings.Contains(p.Body, `>Bob<`) || strings.Count(p.Body, `data-test="member"`) != 2 {
			t.Error("search am lists others")
		}
		p = w.s.get("/centre/team?level=2")
		if !strings.Contains(p.Body, `data-test="member-name">Cid<`) || strings.Count(p.Body, `data-test="member"`) != 1 {
			t.Error("level 2 does not list Cid alone")
		}
		mustContain(t, w.s.get("/centre/team?q=nobody").Body, `data-test="team-empty"`)
		if p := w.s.get("/centre/team?level=3"); p.Status != http.StatusBadRequest {
			t.Errorf("level 3: %d", p.Status)
		}
		if p := w.s.get("/centre/team?q=" + strings.Repeat("x", 41)); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-q"`) {
			t.Errorf("long search: %d", p.Status)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/centre/team").Body, "我的团队", "1 级")
	})
}

// moneyAmounts reads every amount of the page after marker attr (¥12.34) into cents.
func moneyAmounts(t *testing.T, body, attr string) []int64 {
	t.Helper()
	var out []int64
	for _, m := range regexp.MustCompile(attr+`[^>]*>(−?)¥(\d+)\.(\d\d)<`).FindAllStringSubmatch(body, -1) {
		v, _ := strconv.ParseInt(m[2]+m[3], 10, 64)
		if m[1] != "" {
			v = -v
		}
		out = append(out, v)
	}
	return out
}

func moneySum(xs []int64) (n int64) {
	for _, x := range xs {
		n += x
	}
	return n
}

func TestMoneyPage(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		zhang := w.customer("zhang@example.com", "张三", w.link)
		a := w.buy(zhang, 2)
		w.s.clock.Advance(moneyDay)
		w.buy(zhang, 1)
		w.deliver(a, zhang)
		w.refund(zhang, a.Lines[0], 1, "arrived damaged")

		p := w.s.get("/centre/money")
		if p.Status != http.StatusOK {
			t.Fatalf("money: %d", p.Status)
		}
		// Pending: 10.00 (the refund took 10.00 of a's 20.00) + 10.00.
		mustContain(t, p.Body, `data-test="available">¥0.00<`, `data-test="pending">¥20.00<`, `data-test="withdrawn">¥0.00<`,
			"Minimum: ¥1.00", "Fee: 0% of the amount", "At most 3 requests a day", `name="key" value="`,
			`data-test="reversal"`, `data-test="reversal-reason">Refund asked: “arrived damaged”`,
			`data-test="share-booked">¥20.00<`, "Tier 1 · my sale", "Green tea", "Partly reversed")
		if strings.Contains(p.Body, `data-test="withdraw-all"`) {
			t.Error("an all shortcut with nothing available")
		}
		// The chart's periods add up to the commission lines.
		shares, bars := moneyAmounts(t, p.Body, `data-test="share-amount"`), moneyAmounts(t, p.Body, `<td class="num"`)
		if len(shares) != 2 || moneySum(shares) != 2000 || len(bars) != 30 || moneySum(bars) != moneySum(shares) {
			t.Errorf("shares %v, days %v", shares, bars)
		}
		if n := strings.Count(p.Body, `data-test="bar"`); n != 30 {
			t.Errorf("%d bars", n)
		}
		month := w.s.get("/centre/money?chart=month")
		if bars := moneyAmounts(t, month.Body, `<td class="num"`); len(bars) != 12 || moneySum(bars) != 2000 {
			t.Errorf("months %v", bars)
		}
		if p := w.s.get("/centre/money?chart=year"); p.Status != http.StatusBadRequest {
			t.Errorf("chart=year: %d", p.Status)
		}
		// Filters.
		if got := moneyAmounts(t, w.s.get("/centre/money?status=pending").Body, `data-test="share-amount"`); len(got) != 2 {
			t.Errorf("pending: %v", got)
		}
		mustContain(t, w.s.get("/centre/money?status=reversed").Body, `data-test="details-empty"`)
		if p := w.s.get("/centre/money?status=lost"); p.Status != http.StatusBadRequest {
			t.Errorf("status=lost: %d", p.Status)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/centre/money").Body, "佣金明细", "仅退款，原因：", "部分冲回")
	})
}

// withdraw posts the money page's form with its own key.
func (w *moneyWorld) withdraw(amount string) *page {
	w.t.Helper()
	m := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(w.s.get("/centre/money").Body)
	if m == nil {
		w.t.Fatal("no key in the form")
	}
	return w.s.post("/centre/money/withdraw", url.Values{"amount": {amount}, "key": {m[1]}})
}

func TestWithdrawForm(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		zhang := w.customer("zhang@example.com", "张三", w.link)
		a, b := w.buy(zhang, 1), w.buy(zhang, 1)
		w.deliver(a, zhang)
		w.deliver(b, zhang)
		w.settle()
		p := w.s.get("/centre/money?amount=20.00")
		mustContain(t, p.Body, `data-test="available">¥20.00<`, `data-test="withdraw-all"`, `href="/centre/money?amount=20.00#withdraw"`,
			`id="f-amount" name="amount" type="text" inputmode="decimal" autocomplete="off" value="20.00"`)

		// Refusals by the field, the amount kept.
		for _, c := range []struct {
			amount string
			status int
			field  string
		}{
			{"", http.StatusBadRequest, "amount"},
			{"abc", http.StatusBadRequest, "amount"},
			{"0.50", http.StatusBadRequest, "amount"},
			{"5.001", http.StatusBadRequest, "amount"},
			{"20.01", http.StatusConflict, "amount"},
		} {
			p := w.withdraw(c.amount)
			if p.Status != c.status || !strings.Contains(p.Body, `data-test="error-`+c.field+`"`) ||
				!strings.Contains(p.Body, `name="amount" type="text" inputmode="decimal" autocomplete="off" value="`+c.amount+`"`) {
				t.Errorf("withdraw %q: %d, want %d and the error by %s with the amount kept", c.amount, p.Status, c.status, c.field)
			}
		}
		// One form sent twice makes one withdrawal.
		m := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(w.s.get("/centre/money").Body)
		for range 2 {
			p := w.s.post("/centre/money/withdraw", url.Values{"amount": {"5.00"}, "key": {m[1]}})
			if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/centre/money?requested=1#withdrawals" {
				t.Fatalf("withdraw: %d to %q", p.Status, p.Header.Get("Location"))
			}
		}
		p = w.s.get("/centre/money?requested=1")
		mustContain(t, p.Body, "Withdrawal requested", `data-test="available">¥15.00<`, `data-test="withdrawing">¥5.00<`)
		if n := strings.Count(p.Body, `data-test="withdrawal"`); n != 1 {
			t.Fatalf("%d withdrawals listed, want 1", n)
		}
		// Three requests a day: the fourth is refused by the daily limit.
		for _, amt := range []string{"1.00", "1.00"} {
			if p := w.withdraw(amt); p.Status != http.StatusSeeOther {
				t.Fatalf("withdraw %s: %d", amt, p.Status)
			}
		}
		p = w.withdraw("1.50")
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, `data-test="error-daily_limit"`) || !strings.Contains(p.Body, `value="1.50"`) {
			t.Errorf("fourth request: %d", p.Status)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.withdraw("1.50").Body, "今天的提现申请次数已用完")
		w.s.lang = "en"

		// Refunds after settlement take back 20.00 from 13.00 available: 7.00 of debt.
		w.s.clock.Advance(moneyDay)
		w.refund(w.op, a.Lines[0], 1, "never arrived")
		w.refund(w.op, b.Lines[0], 1, "never arrived")
		p = w.withdraw("1.00")
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="error-debt"`) || !strings.Contains(p.Body, `value="1.00"`) {
			t.Errorf("in debt: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="debt">−¥7.00<`, `data-test="debt-note"`, `data-test="available">¥0.00<`)
		p = w.s.get("/centre/money?status=reversed")
		if got := moneyAmounts(t, p.Body, `data-test="share-amount"`); len(got) != 2 || moneySum(got) != 0 {
			t.Errorf("reversed shares %v", got)
		}
		mustContain(t, p.Body, `data-test="reversal-reason">Refund asked: “never arrived”`)
	})
}

func TestShopOrdersPage(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		zhang := w.customer("zhang@example.com", "张三", w.link)
		lily := w.customer("lily@example.com", "Lily", w.link)
		a := w.buy(zhang, 2)
		w.deliver(a, zhang)
		w.refund(zhang, a.Lines[0], 1, "arrived damaged")
		w.buy(lily, 1)

		p := w.s.get("/centre/orders")
		if p.Status != http.StatusOK || strings.Count(p.Body, `data-test="order"`) != 2 {
			t.Fatalf("orders: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="order-customer">张**<`, `data-test="order-customer">L**<`, `data-test="order-total">¥200.00<`,
			`data-test="order-refunded"`, "¥20.00</s> ¥10.00", `data-test="order-total">¥100.00<`)
		for _, leak := range []string{"张三", "Lily", "zhang@", "1 Road", "13800138000"} {
			if strings.Contains(p.Body, leak) {
				t.Errorf("the page shows %q", leak)
			}
		}
		// Lily's (newest) first.
		if strings.Index(p.Body, "L**") > strings.Index(p.Body, "张**") {
			t.Error("not newest first")
		}
		if n := strings.Count(w.s.get("/centre/orders?status=completed").Body, `data-test="order"`); n != 0 {
			t.Errorf("%d completed orders", n)
		}
		if p := w.s.get("/centre/orders?status=lost"); p.Status != http.StatusBadRequest {
			t.Errorf("status=lost: %d", p.Status)
		}
		// The sponsor earns tier 2 on them but sold none.
		w.signIn("sam@example.com")
		mustContain(t, w.s.get("/centre/orders").Body, `data-test="orders-empty"`)
	})
}

func TestRankingPage(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		_, rival := w.distributor("rita@example.com", "Rita", "")
		w.buy(w.customer("zhang@example.com", "张三", w.link), 1)
		w.buy(w.customer("lily@example.com", "Lily", w.shop(rival)), 3)

		names := func(body string) string {
			var out []string
			for _, m := range regexp.MustCompile(`data-test="rank-name">([^<]+)<`).FindAllStringSubmatch(body, -1) {
				out = append(out, html.UnescapeString(strings.TrimSpace(m[1])))
			}
			return strings.Join(out, ", ")
		}
		p := w.s.get("/centre/ranking")
		if p.Status != http.StatusOK || names(p.Body) != "Rita, Lin's tea" {
			t.Fatalf("this week by sales: %d %q", p.Status, names(p.Body))
		}
		mustContain(t, p.Body, `data-test="rank-amount">¥300.00<`, `data-test="rank-amount">¥100.00<`, `data-test="my-rank">You are number 2<`,
			`aria-current="page" data-test="period-week"`)
		// Commission: Rita 30.00, Lin 10.00, Sam (Lin's sponsor) 5.00.
		p = w.s.get("/centre/ranking?period=month&by=commission")
		if names(p.Body) != "Rita, Lin's tea, Sam" {
			t.Errorf("this month by commission: %q", names(p.Body))
		}
		mustContain(t, p.Body, `data-test="rank-amount">¥30.00<`, `data-test="rank-amount">¥5.00<`)
		for _, q := range []string{"period=year", "by=orders"} {
			if p := w.s.get("/centre/ranking?" + q); p.Status != http.StatusBadRequest {
				t.Errorf("%s: %d", q, p.Status)
			}
		}
		w.s.clock.Advance(31 * moneyDay)
		w.signIn("lin@example.com") // the session lasted 30 days
		p = w.s.get("/centre/ranking?period=month")
		mustContain(t, p.Body, `data-test="ranking-empty"`)
	})
}
