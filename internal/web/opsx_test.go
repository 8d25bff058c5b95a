package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// opsxPages are the group's pages; 1 and 2 are the world's first accounts
// and distributors.
var opsxPages = []string{"/ops/distributors/1/actions", "/ops/customers", "/ops/customers/1/binding", "/ops/products/review", "/ops/rankings", "/ops/journals"}

func TestOpsxPagesOnlyForOperators(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		anon := newTestSite(t, db)
		for _, path := range opsxPages {
			if p := anon.get(path); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/signin?next=") {
				t.Errorf("anonymous %s: %d", path, p.Status)
			}
		}
		posts := []string{"/ops/distributors/1/suspend", "/ops/distributors/1/reinstate", "/ops/distributors/1/adjustments", "/ops/customers/1/binding", "/ops/products/1/review"}
		for _, who := range []string{"lin@example.com", "sup@example.com"} {
			w.signIn(who)
			for _, path := range opsxPages {
				if p := w.s.get(path); p.Status != http.StatusForbidden {
					t.Errorf("%s %s: %d", who, path, p.Status)
				}
			}
			for _, path := range posts {
				if p := w.s.post(path, url.Values{"reason": {"x"}, "amount": {"1"}, "direction": {"credit"}, "key": {"k"}}); p.Status != http.StatusForbidden {
					t.Errorf("%s POST %s: %d", who, path, p.Status)
				}
			}
		}
		d, err := db.Distributor(w.ctx, w.op, w.sellerID)
		w.must(err)
		if d.Status != network.Active {
			t.Fatalf("refused posts changed the distributor: %s", d.Status)
		}
		w.signIn("op@example.com")
		for _, path := range opsxPages {
			if p := w.s.get(path); p.Status != http.StatusOK {
				t.Fatalf("operator %s: %d %s", path, p.Status, p.Body)
			}
		}
	})
}

func TestOpsxSuspendAndReinstate(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		page := fmt.Sprintf("/ops/distributors/%d", w.sellerID)
		mustContain(t, w.s.get(page).Body, `href="`+page+`/actions" data-test="open-actions"`)
		if p := newTestSite(t, db).get("/s/" + w.link); p.Status != http.StatusOK {
			t.Fatalf("share link before: %d", p.Status)
		}
		p := w.s.get(page + "/actions")
		mustContain(t, p.Body, `data-test="suspend-form"`, `data-confirm="Suspend this distributor? Its links will bind nobody`)

		// Refused: no reason; nothing changes, the error shows by the reason.
		p = w.s.post(page+"/suspend", url.Values{"reason": {"  "}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("no reason: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-reason"`, `data-test="suspend-form"`)
		if strings.Contains(p.Body, `data-test="error-adjust-reason"`) {
			t.Error("the suspension's error shows by the adjustment form too")
		}

		p = w.s.post(page+"/suspend", url.Values{"reason": {"fake orders"}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != page+"/actions?suspended=1" {
			t.Fatalf("suspend: %d %s", p.Status, p.Header.Get("Location"))
		}
		mustContain(t, w.s.get(page+"/actions?suspended=1").Body, "The distributor is suspended.", `data-test="reinstate-form"`)
		mustContain(t, w.s.get(page).Body, `data-test="status">Suspended<`)
		// Its share link says the shop is closed, counts no visit and binds
		// nobody (a signed-in customer stays unbound).
		visitsBefore := linkVisits(t, w)
		buyer := newTestSite(t, db)
		buyer.signUp("New Buyer", "13800009999")
		p = buyer.get("/s/" + w.link)
		if p.Status != http.StatusOK {
			t.Errorf("share link of a suspended distributor: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="shop-closed"`, "This shop is closed for now")
		if got := linkVisits(t, w); got != visitsBefore {
			t.Errorf("closed shop's link counted a visit: %d → %d", visitsBefore, got)
		}
		if p := newTestSite(t, db).get("/s/NOSUCHLINK"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, `data-test="link-gone"`) {
			t.Errorf("a link that never existed: %d", p.Status)
		}

		// Suspending again is refused by the status, the reason kept.
		w.s.get(page + "/actions")
		p = w.s.post(page+"/suspend", url.Values{"reason": {"again"}})
		if p.Status != http.StatusConflict {
			t.Fatalf("suspend twice: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-status"`, `value="again"`)

		p = w.s.post(page+"/reinstate", url.Values{"reason": {"cleared"}})
		if p.Status != http.StatusSeeOther {
			t.Fatalf("reinstate: %d %s", p.Status, p.Body)
		}
		mustContain(t, w.s.get(page).Body, `data-test="status">Active<`)
		if p := newTestSite(t, db).get("/s/" + w.link); p.Status != http.StatusOK {
			t.Errorf("share link after reinstatement: %d", p.Status)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get(page+"/actions").Body, "确定暂停该分销商吗", "手动调整钱包")
	})
}

var opsxKey = regexp.MustCompile(`name="key" value="([^"]+)"`)

func TestOpsxAdjustWallet(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		page := fmt.Sprintf("/ops/distributors/%d/actions", w.sellerID)
		p := w.s.get(page)
		mustContain(t, p.Body, `data-test="no-adjustments"`, `data-confirm-credit="Credit {amount} to this wallet?"`)
		m := opsxKey.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatal("no key in the form")
		}
		if m2 := opsxKey.FindStringSubmatch(w.s.get(page).Body); m2[1] == m[1] {
			t.Error("two renders share one key")
		}

		// Refusals by the field, the typed values kept.
		for _, c := range []struct {
			form  url.Values
			field string
		}{
			{url.Values{"direction": {"credit"}, "amount": {"12.345"}, "reason": {"bonus"}, "key": {m[1]}}, "error-amount"},
			{url.Values{"direction": {"credit"}, "amount": {"0"}, "reason": {"bonus"}, "key": {m[1]}}, "error-amount"},
			{url.Values{"direction": {"sideways"}, "amount": {"12.50"}, "reason": {"bonus"}, "key": {m[1]}}, "error-direction"},
			{url.Values{"direction": {"credit"}, "amount": {"12.50"}, "reason": {""}, "key": {m[1]}}, "error-adjust-reason"},
		} {
			p = w.s.post(strings.TrimSuffix(page, "/actions")+"/adjustments", c.form)
			if p.Status != http.StatusBadRequest {
				t.Fatalf("%v: %d", c.form, p.Status)
			}
			mustContain(t, p.Body, `data-test="`+c.field+`"`, `value="`+c.form.Get("amount")+`"`, `name="key" value="`+m[1]+`"`)
			if c.form.Get("reason") != "" {
				mustContain(t, p.Body, `value="bonus"`)
			}
		}

		form := url.Values{"direction": {"credit"}, "amount": {"12.50"}, "reason": {"goodwill for the late parcel"}, "key": {m[1]}}
		adjust := strings.TrimSuffix(page, "/actions") + "/adjustments"
		if p = w.s.post(adjust, form); p.Status != http.StatusSeeOther || p.Header.Get("Location") != page+"?adjusted=1" {
			t.Fatalf("adjust: %d %s", p.Status, p.Header.Get("Location"))
		}
		// The same form sent again books nothing more.
		if p = w.s.post(adjust, form); p.Status != http.StatusSeeOther || p.Header.Get("Location") != page+"?repeated=1" {
			t.Fatalf("resend: %d %s", p.Status, p.Header.Get("Location"))
		}
		list, err := db.WalletAdjustments(w.ctx, w.op, w.sellerID, 0, 10)
		w.must(err)
		if len(list) != 1 || list[0].Amount != 1250 {
			t.Fatalf("adjustments after a resend: %+v", list)
		}
		wal, err := db.Wallet(w.ctx, w.op, w.sellerID)
		w.must(err)
		if wal.Available != 1250 {
			t.Errorf("available: %d", wal.Available)
		}
		p = w.s.get(page + "?repeated=1")
		mustContain(t, p.Body, "booked once", `data-test="adj-reason">goodwill for the late parcel<`, `data-test="adj-amount">¥12.50<`, `data-test="available">¥12.50<`)

		// The same key with other terms is refused by the key.
		form.Set("amount", "13")
		if p = w.s.post(adjust, form); p.Status != http.StatusConflict {
			t.Fatalf("key reused: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-key"`)

		// A debit beyond what is available books the rest as debt.
		m = opsxKey.FindStringSubmatch(w.s.get(page).Body)
		if p = w.s.post(adjust, url.Values{"direction": {"debit"}, "amount": {"20"}, "reason": {"clawback"}, "key": {m[1]}}); p.Status != http.StatusSeeOther {
			t.Fatalf("debit: %d %s", p.Status, p.Body)
		}
		mustContain(t, w.s.get(page).Body, `data-test="debt">¥7.50<`, `data-test="adj-direction">Debit<`)
	})
}

func TestOpsxMoveBinding(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		c := w.customer("cat@example.com", "Cat", w.link)
		page := fmt.Sprintf("/ops/customers/%d/binding", c.AccountID)

		// The finder: by email, by id; an unknown login refused by the field.
		mustContain(t, w.s.get("/ops/customers").Body, `data-test="find-form"`, `href="/ops/customers" aria-current="page"`)
		for _, q := range []string{"cat@example.com", fmt.Sprint(c.AccountID)} {
			if p := w.s.get("/ops/customers?customer=" + url.QueryEscape(q)); p.Status != http.StatusSeeOther || p.Header.Get("Location") != page {
				t.Errorf("find %s: %d %s", q, p.Status, p.Header.Get("Location"))
			}
		}
		p := w.s.get("/ops/customers?customer=nobody%40example.com")
		if p.Status != http.StatusNotFound {
			t.Fatalf("unknown: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-customer"`, `value="nobody@example.com"`)

		p = w.s.get(page)
		mustContain(t, p.Body, `data-test="customer-name">Cat<`, fmt.Sprintf(`href="/ops/distributors/%d">Lin&#39;s tea</a>`, w.sellerID),
			`data-test="outcome">Bound<`, `data-test="move-form"`)

		sam := w.sponsor.DistributorID
		for _, c := range []struct {
			form   url.Values
			status int
			field  string
		}{
			{url.Values{"distributor_id": {"abc"}, "reason": {"asked by phone"}}, http.StatusBadRequest, "error-distributor_id"},
			{url.Values{"distributor_id": {"99999"}, "reason": {"asked by phone"}}, http.StatusBadRequest, "error-distributor_id"},
			{url.Values{"distributor_id": {fmt.Sprint(sam)}, "reason": {" "}}, http.StatusBadRequest, "error-reason"},
		} {
			p = w.s.post(page, c.form)
			if p.Status != c.status {
				t.Fatalf("%v: %d", c.form, p.Status)
			}
			mustContain(t, p.Body, `data-test="`+c.field+`"`, `value="`+c.form.Get("distributor_id")+`"`)
		}
		_, err := db.SuspendDistributor(w.ctx, w.op, sam, "checks")
		w.must(err)
		if p = w.s.post(page, url.Values{"distributor_id": {fmt.Sprint(sam)}, "reason": {"asked by phone"}}); p.Status != http.StatusConflict {
			t.Fatalf("to a suspended distributor: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-distributor_id"`, `value="asked by phone"`)
		b, err := db.Binding(w.ctx, w.op, c.AccountID)
		w.must(err)
		if b.DistributorID != w.sellerID {
			t.Fatalf("refused moves moved the binding to %d", b.DistributorID)
		}

		_, err = db.ReinstateDistributor(w.ctx, w.op, sam, "cleared")
		w.must(err)
		p = w.s.post(page, url.Values{"distributor_id": {fmt.Sprint(sam)}, "reason": {"asked by phone"}})
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != page+"?moved=1" {
			t.Fatalf("move: %d %s", p.Status, p.Body)
		}
		p = w.s.get(page + "?moved=1")
		mustContain(t, p.Body, "The binding is moved.", fmt.Sprintf(`href="/ops/distributors/%d">Sam</a>`, sam),
			`data-test="outcome">Moved by an operator<`, `data-test="event-reason">asked by phone<`)
		if b, _ = db.Binding(w.ctx, w.op, c.AccountID); b.DistributorID != sam {
			t.Errorf("bound to %d after the move", b.DistributorID)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get(page).Body, "运营转移", "转移绑定")
	})
}

func TestOpsxProductReview(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		mustContain(t, w.s.get("/ops/products/review").Body, `data-test="empty"`, `data-test="review-off"`, `href="/ops/products/review" aria-current="page"`)
		mustLack(t, w.s.get("/ops").Body, `data-test="queue-products"`)
		st, err := db.Settings(w.ctx)
		w.must(err)
		st.ProductReview = true
		_, err = db.UpdateSettings(w.ctx, w.op, st, st.Version)
		w.must(err)
		var ids []int64
		for _, title := range []string{"White tea", "Oolong"} {
			p, err := db.CreateProduct(w.ctx, w.sup, &catalog.Product{Title: title, OnSale: true,
				SKUs: []catalog.SKU{{Code: "C" + fmt.Sprint(len(ids)), RetailPrice: 2500, OnSale: true}}})
			w.must(err)
			ids = append(ids, p.ID)
		}
		mustContain(t, w.s.get("/ops").Body, `data-test="queue-count-products">2<`, `href="/ops/products/review" data-test="queue-products"`)
		p := w.s.get("/ops/products/review")
		mustContain(t, p.Body, fmt.Sprintf(`data-test="product-%d"`, ids[0]), fmt.Sprintf(`data-test="product-%d"`, ids[1]), "Tea Co", "¥25.00")
		if strings.Contains(p.Body, `data-test="review-off"`) || strings.Contains(p.Body, fmt.Sprintf(`data-test="product-%d"`, w.product)) {
			t.Error("the queue says review is off, or lists an approved product")
		}

		decide := func(id int64, form url.Values) *page {
			return w.s.post(fmt.Sprintf("/ops/products/%d/review", id), form)
		}
		// A rejection without a reason is refused by the reason, on its row.
		p = decide(ids[0], url.Values{"decision": {"reject"}, "reason": {" "}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("reject without reason: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-reason"`, fmt.Sprintf(`id="e-reason-%d"`, ids[0]))
		if p = decide(ids[0], url.Values{"decision": {"maybe"}}); p.Status != http.StatusBadRequest {
			t.Fatalf("unknown decision: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-decision"`)

		if p = decide(ids[0], url.Values{"decision": {"reject"}, "reason": {"photos of another brand"}}); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/ops/products/review?rejected=1" {
			t.Fatalf("reject: %d %s", p.Status, p.Header.Get("Location"))
		}
		if p = decide(ids[1], url.Values{"decision": {"approve"}}); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/ops/products/review?approved=1" {
			t.Fatalf("approve: %d %s", p.Status, p.Header.Get("Location"))
		}
		mustContain(t, w.s.get("/ops/products/review?approved=1").Body, "The product is approved", `data-test="empty"`)
		got, err := db.Product(w.ctx, w.sup, ids[0])
		w.must(err)
		if got.Review != catalog.ReviewRejected || got.ReviewReason != "photos of another brand" {
			t.Errorf("rejected: %s %q", got.Review, got.ReviewReason)
		}
		if _, err := db.Product(w.ctx, w.seller, ids[1]); err != nil {
			t.Errorf("the approved product is not for sale: %v", err)
		}

		// Deciding again is refused by the review, shown at the top (the row is gone).
		p = decide(ids[1], url.Values{"decision": {"approve"}})
		if p.Status != http.StatusConflict {
			t.Fatalf("approve twice: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="form-error">is approved; only a product waiting for review can be reviewed<`)
		w.s.lang = "zh-CN"
		mustContain(t, decide(ids[1], url.Values{"decision": {"approve"}}).Body, `data-test="form-error">该商品已审核过。<`)
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/ops/products/review").Body, "没有待审核的商品", "商品审核")
	})
}

func TestOpsxRankings(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		p := w.s.get("/ops/rankings")
		mustContain(t, p.Body, `data-test="ranking-sales"`, `data-test="ranking-commission"`, `data-test="empty"`, `href="/ops/rankings" aria-current="page"`)
		_, rival := w.distributor("rita@example.com", "Rita", "")
		w.buy(w.customer("zhang@example.com", "Zhang", w.link), 1)
		w.buy(w.customer("lily@example.com", "Lily", w.shop(rival)), 3)
		order := func(body, list string) string {
			i := strings.Index(body, `data-test="ranking-`+list+`"`)
			if i < 0 {
				t.Fatalf("no ranking %s: %s", list, body)
			}
			body = body[i:]
			if j := strings.Index(body, "</section>"); j > 0 {
				body = body[:j]
			}
			var out []string
			for _, m := range regexp.MustCompile(`class="who" href="/ops/distributors/\d+">([^<]+)<[\s\S]*?data-test="amount">([^<]+)<`).FindAllStringSubmatch(body, -1) {
				out = append(out, m[1]+" "+m[2])
			}
			return strings.Join(out, ", ")
		}
		for _, period := range []string{"week", "month"} {
			p = w.s.get("/ops/rankings?period=" + period)
			if got := order(p.Body, "sales"); got != "Rita ¥300.00, Lin&#39;s tea ¥100.00" {
				t.Errorf("%s by sales: %q", period, got)
			}
			if got := order(p.Body, "commission"); got != "Rita ¥30.00, Lin&#39;s tea ¥10.00, Sam ¥5.00" {
				t.Errorf("%s by commission: %q", period, got)
			}
		}
		mustContain(t, p.Body, `href="/ops/rankings?period=month" aria-current="page"`)
		if p = w.s.get("/ops/rankings?period=year"); p.Status != http.StatusBadRequest {
			t.Errorf("period=year: %d", p.Status)
		}
		// A suspended distributor leaves the rankings.
		_, err := db.SuspendDistributor(w.ctx, w.op, rival.DistributorID, "checks")
		w.must(err)
		if got := order(w.s.get("/ops/rankings").Body, "sales"); got != "Lin&#39;s tea ¥100.00" {
			t.Errorf("after Rita's suspension: %q", got)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/ops/rankings").Body, "按佣金", "本周")
	})
}

var opsxJournalRow = regexp.MustCompile(`data-test="journal-\d+"`)

func TestOpsxJournals(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		w.buy(w.customer("zhang@example.com", "Zhang", w.link), 1)
		_, _, err := db.AdjustWallet(w.ctx, w.op, w.sellerID, store.AdjustmentInput{Amount: 700, Direction: "credit", Reason: "late parcel", Key: "k1"})
		w.must(err)
		all := w.s.get("/ops/journals")
		if all.Status != http.StatusOK || len(opsxJournalRow.FindAllString(all.Body, -1)) < 2 {
			t.Fatalf("all journals: %d %s", all.Status, all.Body)
		}
		account := fmt.Sprintf("distributor_available:%d", w.sellerID)
		mustContain(t, w.s.get(fmt.Sprintf("/ops/distributors/%d/actions", w.sellerID)).Body, `href="/ops/journals?account=`+account+`" data-test="journals"`)
		p := w.s.get("/ops/journals?account=" + url.QueryEscape(account))
		if p.Status != http.StatusOK || len(opsxJournalRow.FindAllString(p.Body, -1)) != 1 {
			t.Fatalf("the seller's available: %d %s", p.Status, p.Body)
		}
		mustContain(t, p.Body, `data-test="memo">late parcel<`, "<code>"+account+"</code> · credit <strong>¥7.00</strong>", `value="`+account+`"`)
		list, err := db.Journals(w.ctx, store.JournalFilter{Account: account})
		w.must(err)
		if len(list) != 1 {
			t.Fatalf("the store has %d journals on %s", len(list), account)
		}
		if p = w.s.get("/ops/journals?journal_kind=nothing-like-this"); !strings.Contains(p.Body, `data-test="empty"`) {
			t.Error("an unknown kind lists journals")
		}
		for q, field := range map[string]string{"account=wallet:7": "error-account", "journal_kind=" + strings.Repeat("x", 101): "error-journal_kind", "after=-1": "form-error"} {
			p = w.s.get("/ops/journals?" + q)
			if p.Status != http.StatusBadRequest {
				t.Errorf("%s: %d", q, p.Status)
			}
			mustContain(t, p.Body, `data-test="`+field+`"`)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/ops/journals?account=wallet:7").Body, "请填写账户代码")
	})
}

// linkVisits is the visits counted on the seller's share links.
func linkVisits(t *testing.T, w *moneyWorld) int64 {
	t.Helper()
	links, err := w.db.ShareLinkVisits(w.ctx, w.op, w.sellerID)
	w.must(err)
	var n int64
	for _, l := range links {
		n += l.Visits
	}
	return n
}
