package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// centreWorld: an operator, an approved supplier (markup allowed) with a
// product of two SKUs in stock (33.33 up to 49.99; 10.00 without ceiling),
// and a sponsor who joined and opened its shop through the pages.
type centreWorld struct {
	t       *testing.T
	s       *testSite // the sponsor's browser
	ctx     context.Context
	op      account.Actor
	prod    *catalog.Product
	sponsor *network.Distributor
	n       int
}

func newCentreWorld(t *testing.T, db *store.DB) *centreWorld {
	t.Helper()
	w := &centreWorld{t: t, s: newTestSite(t, db), ctx: context.Background()}
	op, err := db.CreateAccount(w.ctx, account.SignUp{Email: "op@example.com"}, "hash", account.Operator)
	if err != nil {
		t.Fatal(err)
	}
	w.op = w.actor(op.ID)
	owner, err := db.CreateAccount(w.ctx, account.SignUp{Email: "tea@example.com"}, "hash", account.Customer)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := db.ApplySupplier(w.ctx, w.actor(owner.ID), catalog.SupplierApplication{Name: "Tea Co", ContactEmail: "t@example.com", AllowMarkup: true})
	if err == nil {
		_, err = db.SetSupplierStatus(w.ctx, w.op, sup.ID, catalog.Approved, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	ceiling := money.Amount(4999)
	w.prod, err = db.CreateProduct(w.ctx, w.actor(owner.ID), &catalog.Product{Title: "Oolong 乌龙", OnSale: true, SKUs: []catalog.SKU{
		{Code: "O-250", RetailPrice: 3333, PriceCeiling: &ceiling, OnSale: true},
		{Code: "O-100", RetailPrice: 1000, OnSale: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wh, err := db.CreateWarehouse(w.ctx, w.actor(owner.ID), &catalog.Warehouse{Name: "W", RegionCode: "CN", Active: true, Areas: []string{"CN"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range w.prod.SKUs {
		if _, err := db.SetStock(w.ctx, w.actor(owner.ID), wh.ID, k.ID, 100); err != nil {
			t.Fatal(err)
		}
	}
	w.s.signUp("Mei", "13800138001")
	if p := w.s.post("/join", url.Values{"display_name": {"Mei"}}); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/centre" {
		t.Fatalf("sponsor joins: %d %s", p.Status, p.Header.Get("Location"))
	}
	w.sponsor = w.distributor(w.s, "13800138001")
	if p := w.s.post("/centre/shop", url.Values{"shop_name": {"Mei 的茶铺"}, "shop_intro": {"Teas"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("open shop: %d %s", p.Status, p.Body)
	}
	return w
}

func (w *centreWorld) actor(accountID int64) account.Actor {
	w.t.Helper()
	a, err := w.s.db.ActorFor(w.ctx, accountID)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// accountOf is the actor of the account signed up with a (national) phone.
func (w *centreWorld) accountOf(phone string) account.Actor {
	w.t.Helper()
	c, err := w.s.db.CredentialsFor(w.ctx, "", "+86"+phone)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.actor(c.AccountID)
}

func (w *centreWorld) distributor(s *testSite, phone string) *network.Distributor {
	w.t.Helper()
	a := w.accountOf(phone)
	d, err := w.s.db.DistributorByAccount(w.ctx, a, a.AccountID)
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

// browser is another person's browser on the same server.
func (w *centreWorld) browser() *testSite {
	c := *w.s
	c.jar, _ = cookiejar.New(nil)
	return &c
}

// newcomer is a browser of someone who just signed up.
func (w *centreWorld) newcomer(name string) (*testSite, string) {
	w.t.Helper()
	w.n++
	b, phone := w.browser(), fmt.Sprintf("139001390%02d", w.n)
	b.signUp(name, phone)
	return b, phone
}

func wantStatus(t *testing.T, what string, p *page, status int) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.Status, status, p.Body)
	}
}

func wantRedirect(t *testing.T, what string, p *page, to string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != to {
		t.Fatalf("%s: %d to %q, want 303 to %q\n%s", what, p.Status, p.Header.Get("Location"), to, p.Body)
	}
}

// TestCentreJoinByInviteLink: a new visitor opens the invite link, sees
// who invites and the terms, signs up, comes back, joins and is a member of
// the sponsor at level 1; refused joins say why by the field and keep what
// was typed.
func TestCentreJoinByInviteLink(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		link := "/join/" + w.sponsor.ReferralCode

		v := w.browser()
		p := v.get(link)
		wantStatus(t, "invite link", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="sponsor-name">Mei<`, `data-test="sponsor-shop"`, "Mei 的茶铺", "Joining is free",
			`data-test="tier-rate">10%<`, `data-test="tier-rate">5%<`, `href="/signup?next=%2fjoin%2f`+w.sponsor.ReferralCode+`"`)
		if strings.Contains(p.Body, `data-test="term-review"`) {
			t.Error("review is off, yet the terms say it is on")
		}
		bad := v.get("/join/ZZZZZZZZ")
		wantStatus(t, "unknown code", bad, http.StatusBadRequest)
		mustContain(t, bad.Body, `data-test="error-invite_code"`)
		wantRedirect(t, "anonymous join", v.post("/join", url.Values{"invite_code": {w.sponsor.ReferralCode}}), "/signin?next=%2F")

		p = v.post("/signup", url.Values{"name": {"Lin"}, "phone": {"13900139099"}, "password": {"correct horse 1"}, "next": {link}})
		wantRedirect(t, "sign up from the invite", p, link)
		p = v.get(link)
		mustContain(t, p.Body, `name="from_link" value="1"`, `name="invite_code" value="`+w.sponsor.ReferralCode+`"`, `value="Lin"`, `data-test="join-submit"`)

		long := strings.Repeat("名", network.MaxDisplayName+1)
		p = v.post("/join", url.Values{"invite_code": {w.sponsor.ReferralCode}, "from_link": {"1"}, "display_name": {long}})
		wantStatus(t, "long name", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-display_name"`, `value="`+long+`"`, `name="from_link" value="1"`)
		p = v.post("/join", url.Values{"invite_code": {"ZZZZZZZZ"}, "display_name": {"Lin"}})
		wantStatus(t, "unknown code", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-invite_code"`, `value="ZZZZZZZZ"`, `value="Lin"`)

		wantRedirect(t, "join", v.post("/join", url.Values{"invite_code": {w.sponsor.ReferralCode}, "from_link": {"1"}, "display_name": {"Lin"}}), "/centre")
		lin := w.distributor(v, "13900139099")
		sponsor := w.accountOf("13800138001")
		members, err := db.Members(w.ctx, sponsor, w.sponsor.ID, 1, 0, 10)
		if err != nil || len(members) != 1 || members[0].ID != lin.ID || members[0].DisplayName != "Lin" {
			t.Fatalf("the sponsor's level 1: %+v %v", members, err)
		}
		f, err := db.TeamFigures(w.ctx, sponsor, w.sponsor.ID)
		if err != nil || f.MembersByDepth[0] != 1 {
			t.Fatalf("team figures: %+v %v", f, err)
		}
		wantStatus(t, "the new distributor's centre", v.get("/centre"), http.StatusOK)
		mustContain(t, v.get(link).Body, `data-test="join-status-active"`)
		p = v.post("/join", url.Values{"invite_code": {w.sponsor.ReferralCode}})
		wantStatus(t, "joining twice", p, http.StatusConflict)
	})
}

// TestCentreJoinPending: with review on, the joiner waits, is told so, and
// the centre sends it back to the join page until approved.
func TestCentreJoinPending(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		st, err := db.Settings(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.DistributorReview = true
		if _, err := db.UpdateSettings(w.ctx, w.op, st, st.Version); err != nil {
			t.Fatal(err)
		}
		v, _ := w.newcomer("Wu")
		p := v.get("/join?code=" + w.sponsor.ReferralCode)
		mustContain(t, p.Body, `data-test="term-review"`, `name="invite_code"`, `value="`+w.sponsor.ReferralCode+`"`)
		wantRedirect(t, "join under review", v.post("/join", url.Values{"invite_code": {w.sponsor.ReferralCode}}), "/join")
		mustContain(t, v.get("/join").Body, `data-test="join-status-pending"`)
		wantRedirect(t, "a pending distributor's centre", v.get("/centre"), "/join")
		wantRedirect(t, "a pending distributor's shop", v.get("/centre/shop"), "/join")
	})
}

// TestCentreHome: the distributor's header card and entries; everyone else
// is sent to join or to sign in.
func TestCentreHome(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		p := w.s.get("/centre")
		wantStatus(t, "centre", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="shop-name">Mei 的茶铺<`, `data-test="available">¥0.00<`, `data-test="pending">¥0.00<`,
			`href="/centre/money" data-test="withdraw"`, `href="/centre/team"`, `href="/centre/orders"`, `href="/centre/ranking"`,
			`href="/centre/invite"`, `href="/centre/coupons"`, `href="/centre/customers"`, `href="/centre/share"`, w.sponsor.ReferralCode)
		c, _ := w.newcomer("Zhao")
		wantRedirect(t, "a customer's centre", c.get("/centre"), "/join")
		mustContain(t, c.get("/me").Body, `href="/join" data-test="join-link"`)
		wantRedirect(t, "anonymous", w.browser().get("/centre"), "/signin?next=%2Fcentre")
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/centre").Body, "推广中心", "可提现佣金")
	})
}

// TestCentreShop: the shop's card, picking a product, prices within the
// ceiling (refused above it by the field, the typed price kept), and
// removing.
func TestCentreShop(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		s, pid := w.s, w.prod.ID
		k0, k1 := w.prod.SKUs[0].ID, w.prod.SKUs[1].ID

		p := s.post("/centre/shop", url.Values{"shop_name": {" "}, "shop_avatar": {"https://img.example/a.png"}, "shop_intro": {"x"}})
		wantStatus(t, "no name", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-shop_name"`, `value="https://img.example/a.png"`)
		p = s.post("/centre/shop", url.Values{"shop_name": {"Leaf"}, "shop_avatar": {"ftp://x"}})
		wantStatus(t, "bad avatar", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-shop_avatar"`, `value="Leaf"`)
		wantRedirect(t, "save shop", s.post("/centre/shop", url.Values{"shop_name": {"Leaf 茶"}, "shop_intro": {"Green teas"}}), "/centre/shop?saved=shop")
		mustContain(t, s.get("/centre/shop?saved=shop").Body, `value="Leaf 茶"`, "Green teas", `data-test="no-items"`)

		p = s.get("/centre/shop/pick")
		wantStatus(t, "pick", p, http.StatusOK)
		// At retail 33.33 tier 1 (10%) is 3.33; at the ceiling 49.99 the markup 16.66 comes on top.
		mustContain(t, p.Body, fmt.Sprintf(`data-test="add-%d"`, pid), "¥3.33", "¥19.99 at ¥49.99", "Retail ¥33.33", "up to ¥49.99")
		p = s.get(fmt.Sprintf("/centre/shop/pick?sku=%d&shop_price=40.00", k0))
		mustContain(t, html.UnescapeString(p.Body), `data-test="preview"`, "At ¥40.00 you earn ¥10.00 per unit: ¥3.33 commission + ¥6.67 markup.")
		p = s.get(fmt.Sprintf("/centre/shop/pick?sku=%d&shop_price=55.00", k0))
		wantStatus(t, "preview above the ceiling", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-shop_price"`, `value="55.00"`)

		wantStatus(t, "add nothing", s.post("/centre/shop/items", url.Values{"product_id": {"abc"}}), http.StatusBadRequest)
		wantRedirect(t, "add", s.post("/centre/shop/items", url.Values{"product_id": {fmt.Sprint(pid)}}), fmt.Sprintf("/centre/shop?saved=added#p%d", pid))
		p = s.get("/centre/shop")
		mustContain(t, p.Body, fmt.Sprintf(`data-test="item-%d"`, pid), fmt.Sprintf(`data-test="price-%d">¥33.33<`, k0), fmt.Sprintf(`data-test="earn-%d">¥3.33<`, k0),
			fmt.Sprintf(`data-test="earn-%d">¥1.00<`, k1))
		if strings.Contains(p.Body, fmt.Sprintf(`id="price-%d"`, k1)) {
			t.Error("a SKU without a ceiling offers a price field")
		}

		p = s.post(fmt.Sprintf("/centre/shop/prices/%d", k0), url.Values{"shop_price": {"50.00"}})
		wantStatus(t, "above the ceiling", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-shop_price"`, `value="50.00"`, "must be at most the ceiling")
		p = s.post(fmt.Sprintf("/centre/shop/prices/%d", k0), url.Values{"shop_price": {"4o"}})
		wantStatus(t, "not an amount", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="error-shop_price"`, `value="4o"`)
		wantStatus(t, "a SKU not in the shop", s.post(fmt.Sprintf("/centre/shop/prices/%d", 999999), url.Values{"shop_price": {"1.00"}}), http.StatusNotFound)
		wantRedirect(t, "set price", s.post(fmt.Sprintf("/centre/shop/prices/%d", k0), url.Values{"shop_price": {"¥45.5"}}), fmt.Sprintf("/centre/shop?saved=price#sku-%d", k0))
		items, err := db.ShopItems(w.ctx, w.sponsor.ID, 0, 10)
		if err != nil || len(items) != 1 || items[0].SKUs[0].Price != 4550 {
			t.Fatalf("shop items %+v %v", items, err)
		}
		mustContain(t, s.get("/centre/shop").Body, fmt.Sprintf(`data-test="earn-%d">¥15.50<`, k0))

		wantRedirect(t, "remove", s.post(fmt.Sprintf("/centre/shop/items/%d/remove", pid), nil), "/centre/shop?saved=removed")
		if strings.Contains(s.get("/centre/shop").Body, fmt.Sprintf(`data-test="item-%d"`, pid)) {
			t.Error("the removed product is still listed")
		}
		wantStatus(t, "remove again", s.post(fmt.Sprintf("/centre/shop/items/%d/remove", pid), nil), http.StatusNotFound)

		c, _ := w.newcomer("Zhao")
		wantRedirect(t, "a customer's shop form", c.post("/centre/shop", url.Values{"shop_name": {"x"}}), "/join")
	})
}

// TestCentreEarningsAsBooked: what the shop page says a unit earns at a
// price is what checkout books for a unit sold at that price, and the
// centre's home then shows it pending.
func TestCentreEarningsAsBooked(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		s, k0 := w.s, w.prod.SKUs[0].ID
		wantRedirect(t, "add", s.post("/centre/shop/items", url.Values{"product_id": {fmt.Sprint(w.prod.ID)}}), fmt.Sprintf("/centre/shop?saved=added#p%d", w.prod.ID))
		wantRedirect(t, "set price", s.post(fmt.Sprintf("/centre/shop/prices/%d", k0), url.Values{"shop_price": {"41.11"}}), fmt.Sprintf("/centre/shop?saved=price#sku-%d", k0))
		preview := regexp.MustCompile(`<span data-test="preview">([^<]*)</span>`).FindStringSubmatch(s.get(fmt.Sprintf("/centre/shop?sku=%d&shop_price=41.11", k0)).Body)
		if preview == nil {
			t.Fatal("no preview on the shop page")
		}
		preview[1] = html.UnescapeString(preview[1])
		var live struct{ Text, Error string }
		if p := s.get(fmt.Sprintf("/centre/shop/earnings?sku=%d&price=41.11", k0)); p.Status != http.StatusOK || json.Unmarshal([]byte(p.Body), &live) != nil || live.Text != preview[1] {
			t.Fatalf("live preview %d %s, page %q", p.Status, p.Body, preview[1])
		}
		if p := s.get(fmt.Sprintf("/centre/shop/earnings?sku=%d&price=99", k0)); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "ceiling") {
			t.Fatalf("live preview above the ceiling: %d %s", p.Status, p.Body)
		}

		// A customer of the shop buys one unit; payment books the commissions.
		c, phone := w.newcomer("Zhao")
		cust := w.accountOf(phone)
		code := shareCode(t, s, "shop")
		if p := c.get("/s/" + code); p.Status != http.StatusOK {
			t.Fatalf("open the share link: %d", p.Status)
		}
		o, err := db.Checkout(w.ctx, cust, order.CheckoutInput{Items: []order.Item{{SKUID: k0, Quantity: 1}},
			ShipTo: order.ShipTo{RegionCode: "CN.31.01.15", Name: "Zhao", Phone: "13900139001", Address: "1 Road"}}, "")
		if err != nil {
			t.Fatal(err)
		}
		if o.SellerID != w.sponsor.ID || o.Lines[0].UnitPrice != 4111 {
			t.Fatalf("order seller %d, unit price %d", o.SellerID, o.Lines[0].UnitPrice)
		}
		if _, err := db.StartPayment(w.ctx, cust, o.ID, "sandbox", "ref-1"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.ApplyPayment(w.ctx, store.CallbackInput{Provider: "sandbox", ProviderRef: "ref-1", Amount: o.Total, Currency: o.Currency, Payload: "{}"}); err != nil {
			t.Fatal(err)
		}
		shares, err := db.Commissions(w.ctx, w.op, store.CommissionFilter{OrderID: o.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var tier1, markup money.Amount
		for _, sh := range shares {
			switch {
			case sh.Party == commission.Party{Kind: commission.KindTier, Tier: 1, ID: w.sponsor.ID}:
				tier1 = sh.Booked
			case sh.Party == commission.Party{Kind: commission.KindMarkup, ID: w.sponsor.ID}:
				markup = sh.Booked
			}
		}
		cur := money.CurrencyOf("CNY")
		want := fmt.Sprintf("At ¥41.11 you earn ¥%s per unit: ¥%s commission + ¥%s markup.", cur.Format(tier1+markup), cur.Format(tier1), cur.Format(markup))
		if preview[1] != want || tier1 == 0 {
			t.Fatalf("preview %q, booked %q", preview[1], want)
		}
		mustContain(t, s.get("/centre").Body, `data-test="pending">¥`+cur.Format(tier1+markup)+`<`)
	})
}

// shareCode makes (or finds) the link of target ("shop" or a product id)
// through the share page and returns its code.
func shareCode(t *testing.T, s *testSite, target string) string {
	t.Helper()
	wantRedirect(t, "make links", s.post("/centre/share", url.Values{"target": {target}}), "/centre/share/"+target)
	m := regexp.MustCompile(`href="[^"]*/s/([0-9A-Z]+)" data-test="link"`).FindStringSubmatch(s.get("/centre/share/" + target).Body)
	if m == nil {
		t.Fatalf("no link on the poster page of %s", target)
	}
	return m[1]
}

// TestCentreShare: links and posters for the shop and a product, written
// for the request's own host; the invite link and its QR code.
func TestCentreShare(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		s, pid := w.s, fmt.Sprint(w.prod.ID)
		wantRedirect(t, "add", s.post("/centre/shop/items", url.Values{"product_id": {pid}}), "/centre/shop?saved=added#p"+pid)

		p := s.get("/centre/share")
		wantStatus(t, "share", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="make-shop"`, `data-test="make-`+pid+`"`, `data-test="local-base"`, "Oolong 乌龙", "from ¥10.00")
		p = s.get("/centre/share/" + pid)
		mustContain(t, p.Body, `data-test="make-`+pid+`"`)
		if strings.Contains(p.Body, "data-poster") {
			t.Error("a poster before its link was made")
		}

		code := shareCode(t, s, pid)
		p = s.get("/centre/share/" + pid)
		mustContain(t, p.Body, `href="`+s.url+`/s/`+code+`"`, `data-copy="`+s.url+`/s/`+code+`"`, `data-share-url="`+s.url+`/s/`+code+`"`,
			`data-price="from ¥10.00"`, `data-shop="Mei 的茶铺"`, `data-title="Oolong 乌龙"`, `data-test="poster-qr"`, `data-poster-save`)
		qr := regexp.MustCompile(`data-qr="(/api/v1/share-links/[0-9A-Z]+/poster.png)"`).FindStringSubmatch(p.Body)
		if qr == nil || strings.Contains(qr[1], code) {
			t.Fatalf("the poster's QR code is not of its own (poster) link: %v", qr)
		}
		if png := s.get(qr[1]); png.Status != http.StatusOK || png.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("QR code: %d %s", png.Status, png.Header.Get("Content-Type"))
		}
		if again := shareCode(t, s, pid); again != code {
			t.Errorf("asking again made another link: %s, then %s", code, again)
		}
		shop := shareCode(t, s, "shop")
		mustContain(t, s.get("/centre/share").Body, s.url+"/s/"+shop, s.url+"/s/"+code, `data-test="poster-shop"`)

		p = s.post("/centre/share", url.Values{"target": {"abc"}})
		wantStatus(t, "no such target", p, http.StatusBadRequest)
		mustContain(t, p.Body, `data-test="form-error"`)
		wantStatus(t, "a poster of nothing", s.get("/centre/share/999999"), http.StatusNotFound)

		p = s.get("/centre/invite")
		invite := s.url + "/join/" + w.sponsor.ReferralCode
		mustContain(t, p.Body, `data-test="invite-url">`+invite+`<`, `data-copy="`+invite+`"`, `data-qr="/join/`+w.sponsor.ReferralCode+`/qr.png"`)
		if png := w.browser().get("/join/" + w.sponsor.ReferralCode + "/qr.png"); png.Status != http.StatusOK || png.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("invite QR code: %d", png.Status)
		}
		wantStatus(t, "QR code of no invite", s.get("/join/ZZZZZZZZ/qr.png"), http.StatusNotFound)
	})
}

// TestCentreCoupons: making coupons (refusals by the field, typed values
// kept), listing and stopping them; another distributor's is not found.
func TestCentreCoupons(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		s := w.s
		mustContain(t, s.get("/centre/coupons").Body, `data-test="no-coupons"`, `data-test="coupon-form"`)
		for _, tc := range []struct {
			form  url.Values
			field string
			code  int
			keep  string
		}{
			{url.Values{"new_code": {"X1"}, "kind": {"amount"}, "amount_off": {"5"}}, "new_code", 400, `value="X1"`},
			{url.Values{"new_code": {"SAVE5"}, "kind": {"amount"}, "amount_off": {"five"}}, "amount_off", 400, `value="five"`},
			{url.Values{"new_code": {"SAVE5"}, "kind": {"percent"}, "percent_off": {"60"}}, "percent_off", 400, `value="60"`},
			{url.Values{"new_code": {"SAVE5"}, "kind": {"gift"}}, "kind", 400, `value="SAVE5"`},
			{url.Values{"new_code": {"SAVE5"}, "kind": {"amount"}, "amount_off": {"5"}, "max_uses": {"0"}}, "max_uses", 400, `value="0"`},
			{url.Values{"new_code": {"SAVE5"}, "kind": {"amount"}, "amount_off": {"5"}, "valid_until": {"2001-01-01"}}, "valid_until", 400, `value="2001-01-01"`},
		} {
			p := s.post("/centre/coupons", tc.form)
			if p.Status != tc.code || !strings.Contains(p.Body, `data-test="error-`+tc.field+`"`) || !strings.Contains(p.Body, tc.keep) {
				t.Fatalf("%v: %d, want %d with the error by %s and %s kept\n%s", tc.form, p.Status, tc.code, tc.field, tc.keep, p.Body)
			}
		}
		wantRedirect(t, "amount coupon", s.post("/centre/coupons", url.Values{"new_code": {"save5"}, "kind": {"amount"}, "amount_off": {"5"}, "min_order": {"50"}, "max_uses": {"10"}}), "/centre/coupons?saved=created")
		wantRedirect(t, "percent coupon", s.post("/centre/coupons", url.Values{"new_code": {"TEA75"}, "kind": {"percent"}, "percent_off": {"7.5"}, "valid_until": {"2099-12-31"}}), "/centre/coupons?saved=created")
		p := s.post("/centre/coupons", url.Values{"new_code": {"SAVE5"}, "kind": {"amount"}, "amount_off": {"1"}})
		wantStatus(t, "a taken code", p, http.StatusConflict)
		mustContain(t, p.Body, `data-test="error-new_code"`)

		p = s.get("/centre/coupons")
		mustContain(t, p.Body, `data-test="coupon-SAVE5"`, "¥5.00 off", "orders from ¥50.00", "Used 0 of 10 times", `data-test="coupon-TEA75"`, "7.5% off", `data-test="status-SAVE5">Active<`)
		id := regexp.MustCompile(`action="/centre/coupons/(\d+)/deactivate"`).FindStringSubmatch(p.Body)
		if id == nil {
			t.Fatal("no stop button")
		}
		o, _ := w.newcomer("Other")
		if p := o.post("/join", url.Values{}); p.Status != http.StatusSeeOther {
			t.Fatalf("another distributor joins: %d", p.Status)
		}
		wantStatus(t, "another's coupon", o.post("/centre/coupons/"+id[1]+"/deactivate", nil), http.StatusNotFound)
		wantRedirect(t, "stop", s.post("/centre/coupons/"+id[1]+"/deactivate", nil), "/centre/coupons?saved=deactivated")
		mustContain(t, s.get("/centre/coupons").Body, `data-test="status-SAVE5">Stopped<`)
		c, err := db.Coupons(w.ctx, w.accountOf("13800138001"), 0, 0, 10)
		if err != nil || len(c) != 2 || c[0].Active || c[1].Value != 750 || c[1].ValidUntil == nil {
			t.Fatalf("stored coupons %+v %v", c, err)
		}
	})
}

// TestCentreCustomers: a visitor opens the shop's link and signs up; the
// distributor sees the visit on its link and today, and the customer bound
// to it with a masked name.
func TestCentreCustomers(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newCentreWorld(t, db)
		s := w.s
		p := s.get("/centre/customers")
		wantStatus(t, "customers", p, http.StatusOK)
		mustContain(t, p.Body, `data-test="no-links"`, `data-test="no-customers"`, `data-test="visits-total">0 visits`)

		code := shareCode(t, s, "shop")
		v := w.browser()
		if p := v.get("/s/" + code); p.Status != http.StatusOK {
			t.Fatalf("open the link: %d", p.Status)
		}
		v.signUp("Lin Wei", "13900139077")
		p = s.get("/centre/customers")
		mustContain(t, p.Body, `data-test="link-`+code+`"`, `data-test="visits">1<`, `data-test="visits-total">1 visits`,
			`data-test="customer-name">L**<`, "My customers (1)")
		if strings.Contains(p.Body, "Lin Wei") {
			t.Error("the customer's name is not masked")
		}
		_, _, err := db.BoundCustomers(w.ctx, w.accountOf("13900139077"), w.sponsor.ID, store.CustomerCursor{}, 10)
		if !errs.Is(err, errs.Forbidden) {
			t.Errorf("a customer reads the distributor's customers: %v", err)
		}
	})
}
