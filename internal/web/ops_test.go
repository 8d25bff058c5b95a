package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wallet"
)

var opsPages = []string{"/ops", "/ops/suppliers", "/ops/reviews", "/ops/distributors", "/ops/distributors/1", "/ops/distributors/1/tree", "/ops/withdrawals", "/ops/cases", "/ops/settings", "/ops/audit"}

// opsWorld is the money world with its operator signed in.
func opsWorld(t *testing.T, db *store.DB) *moneyWorld {
	w := newMoneyWorld(t, db)
	w.signIn("op@example.com")
	return w
}

func TestOpsPagesOnlyForOperators(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := newMoneyWorld(t, db)
		anon := newTestSite(t, db)
		for _, path := range opsPages {
			if p := anon.get(path); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/signin?next=") {
				t.Errorf("anonymous %s: %d %s", path, p.Status, p.Header.Get("Location"))
			}
		}
		for _, who := range []string{"lin@example.com", "sup@example.com"} { // a distributor and customer; a supplier
			w.signIn(who)
			for _, path := range opsPages {
				if p := w.s.get(path); p.Status != http.StatusForbidden || !strings.Contains(p.Body, `data-test="error-page"`) {
					t.Errorf("%s %s: %d", who, path, p.Status)
				}
			}
			for _, path := range []string{"/ops/ledger-check", "/ops/payout-batches", "/ops/settings", "/ops/suppliers/1/decision", "/ops/cases/1/decision", "/ops/distributors/1/grade", "/ops/distributors/1/agent-areas"} {
				if p := w.s.post(path, url.Values{"decision": {"approve"}}); p.Status != http.StatusForbidden {
					t.Errorf("%s POST %s: %d", who, path, p.Status)
				}
			}
		}
		w.signIn("op@example.com")
		for _, path := range opsPages {
			p := w.s.get(path)
			if p.Status != http.StatusOK {
				t.Fatalf("operator %s: %d %s", path, p.Status, p.Body)
			}
			mustContain(t, p.Body, `class="console-nav"`, `href="/ops/settings"`, `aria-current="page"`)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/ops").Body, "运营控制台", "待审核供应商", "立即核对账本")
	})
}

func TestOpsHomeAndLedgerCheck(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		for _, e := range []string{"a@example.com", "b@example.com"} {
			a := w.account(e, "Applicant")
			_, err := db.ApplySupplier(w.ctx, a, catalog.SupplierApplication{Name: "Applicant " + e, ContactEmail: e})
			w.must(err)
		}
		p := w.s.get("/ops")
		mustContain(t, p.Body, `data-test="queue-count-suppliers">2<`, `data-test="queue-count-withdrawals">0<`, `data-test="review-off"`,
			`data-test="ledger-never"`)
		if strings.Contains(p.Body, `data-test="queue-reviews"`) {
			t.Error("a review queue while review is off")
		}
		p = w.s.post("/ops/ledger-check", nil)
		if p.Status != http.StatusOK {
			t.Fatalf("ledger check: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="ledger-ok"`, "The ledger is sound", "Run from this console.")
		// The run is recorded: the home shows it afterwards, and the
		// hourly sweep's run once it is due.
		mustContain(t, w.s.get("/ops").Body, `data-test="ledger-ok"`, "Run from this console.")
		w.s.clock.Advance(store.LedgerCheckEvery)
		if n, err := db.CheckLedgerIfDue(w.ctx, 1); err != nil || n != 1 {
			t.Fatalf("hourly check: %d %v", n, err)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/ops").Body, `data-test="ledger-ok"`, "由每小时自动核对发起")
	})
}

func TestOpsSupplierQueue(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		var ids []int64
		for _, e := range []string{"a@example.com", "b@example.com"} {
			s, err := db.ApplySupplier(w.ctx, w.account(e, "Applicant"), catalog.SupplierApplication{Name: "Shop " + e, ContactEmail: e})
			w.must(err)
			ids = append(ids, s.ID)
		}
		mustContain(t, w.s.get("/ops/suppliers").Body, "Shop a@example.com", "Shop b@example.com")
		path := func(id int64) string { return fmt.Sprintf("/ops/suppliers/%d/decision", id) }
		// A rejection without a reason is refused by the field.
		p := w.s.post(path(ids[1]), url.Values{"decision": {"reject"}, "reason": {""}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("reject without reason: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-reason"`, "is required to reject")
		if p := w.s.post(path(ids[0]), url.Values{"decision": {"maybe"}}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "must be approve or reject") {
			t.Errorf("decision maybe: %d", p.Status)
		}
		if p := w.s.post(path(ids[0]), url.Values{"decision": {"approve"}}); p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/ops/suppliers?done=1" {
			t.Fatalf("approve: %d", p.Status)
		}
		if p := w.s.post(path(ids[1]), url.Values{"decision": {"reject"}, "reason": {"no licence"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("reject: %d %s", p.Status, p.Body)
		}
		for i, want := range []catalog.SupplierStatus{catalog.Approved, catalog.Rejected} {
			s, err := db.Supplier(w.ctx, w.op, ids[i])
			w.must(err)
			if s.Status != want {
				t.Errorf("supplier %d: %s, want %s", ids[i], s.Status, want)
			}
		}
		// Decided already: the queue no longer lists them, and approving a
		// rejected one again is refused, the typed reason kept.
		p = w.s.post(path(ids[1]), url.Values{"decision": {"approve"}, "reason": {"changed my mind"}})
		if p.Status != http.StatusConflict && p.Status != http.StatusBadRequest {
			t.Errorf("approve a rejected supplier: %d", p.Status)
		}
		mustContain(t, w.s.get("/ops/suppliers").Body, `data-test="empty"`)
	})
}

func TestOpsReviewQueue(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		st, err := db.Settings(w.ctx)
		w.must(err)
		st.DistributorReview = true
		_, err = db.UpdateSettings(w.ctx, w.op, st, st.Version)
		w.must(err)
		d, _ := w.distributor("new@example.com", "Newcomer", "")
		if d.Status != network.Pending {
			t.Fatalf("joined %s", d.Status)
		}
		mustContain(t, w.s.get("/ops").Body, `data-test="queue-count-reviews">1<`)
		mustContain(t, w.s.get("/ops/reviews").Body, "Newcomer", fmt.Sprintf(`data-test="approve-%d"`, d.ID))
		path := fmt.Sprintf("/ops/reviews/%d/decision", d.ID)
		p := w.s.post(path, url.Values{"decision": {"reject"}, "reason": {"   "}})
		if p.Status != http.StatusBadRequest {
			t.Fatalf("reject without reason: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-reason"`)
		if p := w.s.post(path, url.Values{"decision": {"approve"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d", p.Status)
		}
		got, err := db.Distributor(w.ctx, w.op, d.ID)
		w.must(err)
		if got.Status != network.Active {
			t.Errorf("after approval: %s", got.Status)
		}
		p = w.s.post(path, url.Values{"decision": {"reject"}, "reason": {"too late"}})
		if p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Errorf("reject a reviewed distributor: %d", p.Status)
		}
	})
}

// opsWithdrawals gives the seller 30.00 available and asks for two withdrawals.
func opsWithdrawals(t *testing.T, w *moneyWorld) []int64 {
	c := w.customer("zhang@example.com", "Zhang", w.link)
	o := w.buy(c, 3)
	w.deliver(o, c)
	w.settle()
	var ids []int64
	for _, amount := range []money.Amount{1000, 500} {
		wd, err := w.db.RequestWithdrawal(w.ctx, w.seller, w.sellerID, amount, "")
		w.must(err)
		ids = append(ids, wd.ID)
	}
	return ids
}

func TestOpsWithdrawalQueue(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		ids := opsWithdrawals(t, w)
		p := w.s.get("/ops/withdrawals")
		mustContain(t, p.Body, fmt.Sprintf(`data-test="withdrawal-%d"`, ids[0]), `data-test="net">¥10.00<`, `data-test="net">¥5.00<`,
			html.EscapeString(fmt.Sprintf("Approve withdrawal #%d? ¥10.00 will be paid", ids[0])), `data-test="approved-empty"`)
		mustContain(t, w.s.get("/ops").Body, `data-test="queue-count-withdrawals">2<`)

		// Nothing approved yet: a batch is refused, said at the top.
		if p := w.s.post("/ops/payout-batches", nil); p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Errorf("empty batch: %d", p.Status)
		}
		// A rejection needs its reason; a payout reference too long is refused, kept.
		reject := fmt.Sprintf("/ops/withdrawals/%d/reject", ids[1])
		if p := w.s.post(reject, url.Values{"reason": {""}}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-reason"`) {
			t.Errorf("reject without reason: %d", p.Status)
		}
		long := strings.Repeat("R", 500)
		p = w.s.post(fmt.Sprintf("/ops/withdrawals/%d/approve", ids[0]), url.Values{"payout_ref": {long}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-payout_ref"`) || !strings.Contains(p.Body, `value="`+long+`"`) {
			t.Errorf("long payout ref: %d", p.Status)
		}
		if p := w.s.post(reject, url.Values{"reason": {"wrong account"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("reject: %d %s", p.Status, p.Body)
		}
		if p := w.s.post(fmt.Sprintf("/ops/withdrawals/%d/approve", ids[0]), url.Values{"payout_ref": {""}}); p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", p.Status, p.Body)
		}
		p = w.s.get("/ops/withdrawals")
		mustContain(t, p.Body, fmt.Sprintf(`data-test="approved-%d"`, ids[0]), `data-test="create-batch"`, `data-test="requested-empty"`)

		p = w.s.post("/ops/payout-batches", nil)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/ops/payout-batches/") {
			t.Fatalf("batch: %d %s", p.Status, p.Header.Get("Location"))
		}
		batch := p.Header.Get("Location")
		mustContain(t, w.s.get(batch).Body, fmt.Sprintf(`data-test="batch-withdrawal-%d"`, ids[0]), "¥10.00")
		csv := w.s.get(batch + "/export")
		if csv.Status != http.StatusOK || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(csv.Body, strings.Join(store.PayoutCSVHeader, ",")) || !strings.Contains(csv.Body, store.PayoutReference(ids[0])) {
			t.Errorf("export: %d %q", csv.Status, csv.Body)
		}
		for i, want := range []wallet.Status{wallet.Approved, wallet.Rejected} {
			wd, err := db.Withdrawal(w.ctx, w.op, ids[i])
			w.must(err)
			if wd.Status != want {
				t.Errorf("withdrawal %d: %s, want %s", ids[i], wd.Status, want)
			}
		}
		mustContain(t, w.s.get("/ops/withdrawals").Body, `data-test="approved-empty"`)
	})
}

func TestOpsLateCases(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		c := w.customer("zhang@example.com", "Zhang", w.link)
		o := w.buy(c, 1)
		w.deliver(o, c)
		cs, err := db.OpenCase(w.ctx, c, o.Lines[0].ID, store.RefundOnly, 1, "broken lid")
		w.must(err)
		mustContain(t, w.s.get("/ops/cases").Body, `data-test="empty"`)
		w.s.clock.Advance(4 * moneyDay)
		p := w.s.get("/ops/cases")
		mustContain(t, p.Body, fmt.Sprintf(`data-test="case-%d"`, cs.ID), "broken lid", `data-test="waiting">4 days<`, "¥100.00")
		mustContain(t, w.s.get("/ops").Body, `data-test="queue-count-cases">1<`)
		mustContain(t, w.s.get("/ops/cases?days=5").Body, `data-test="empty"`)
		p = w.s.get("/ops/cases?days=lots")
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-days"`) || !strings.Contains(p.Body, `value="lots"`) {
			t.Errorf("days=lots: %d", p.Status)
		}
		// Deciding in the supplier's place: a rejection needs its note, the
		// typed one is kept on a refusal; an approval books the refund.
		o2 := w.buy(c, 1)
		w.deliver(o2, c)
		cs2, err := db.OpenCase(w.ctx, c, o2.Lines[0].ID, store.RefundOnly, 1, "wrong colour")
		w.must(err)
		w.s.clock.Advance(4 * moneyDay)
		decide := func(id int64) string { return fmt.Sprintf("/ops/cases/%d/decision", id) }
		p = w.s.post(decide(cs2.ID), url.Values{"decision": {"reject"}, "note": {""}, "days": {"3"}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-note"`) {
			t.Errorf("reject without note: %d", p.Status)
		}
		p = w.s.post(decide(cs2.ID), url.Values{"decision": {"later"}, "note": {"call them"}, "days": {"3"}})
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-decision"`) || !strings.Contains(p.Body, `value="call them"`) {
			t.Errorf("decision later: %d", p.Status)
		}
		if p := w.s.post(decide(cs2.ID), url.Values{"decision": {"reject"}, "note": {"colour as pictured"}, "days": {"3"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("reject: %d %s", p.Status, p.Body)
		}
		if p := w.s.post(decide(cs.ID), url.Values{"decision": {"approve"}, "days": {"3"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", p.Status, p.Body)
		}
		for id, want := range map[int64]store.CaseStatus{cs.ID: store.CaseRefundDue, cs2.ID: store.CaseRejected} {
			got, err := db.AfterSaleCase(w.ctx, w.op, id)
			w.must(err)
			if got.Status != want {
				t.Errorf("case %d: %s, want %s", id, got.Status, want)
			}
		}
		mustContain(t, w.s.get("/ops/cases").Body, `data-test="empty"`)
		if p := w.s.post(decide(cs2.ID), url.Values{"decision": {"approve"}}); p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Errorf("approve a rejected case: %d", p.Status)
		}
	})
}

// settingsValues is the settings form as the page fills it.
func settingsValues(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range regexp.MustCompile(`name="([^"]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		v.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`<select id="[^"]+" name="([^"]+)"[^>]*>(?:<option[^>]*>[^<]*</option>)*?<option value="([^"]+)" selected`).FindAllStringSubmatch(body, -1) {
		v.Set(m[1], m[2])
	}
	v.Del("action")
	return v
}

func TestOpsSettings(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		p := w.s.get("/ops/settings")
		form := settingsValues(t, p.Body)
		if form.Get("withdrawal.withholding_rate_bp") != "0" || form.Get("tiers") != "2" || form.Get("tier_rates_bp[0]") != "1000" || form.Get("commission_cap_bp") != "3000" || form.Get("binding.mode") != "first_touch" {
			t.Fatalf("form %v", form)
		}
		// Above the cap: refused by the rates' field, everything typed kept, nothing saved.
		form.Set("tier_rates_bp[0]", "2600")
		form.Set("action", "save")
		p = w.s.post("/ops/settings", form)
		if p.Status != http.StatusBadRequest {
			t.Fatalf("above the cap: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-tier_rates_bp"`, "above the commission cap", `value="2600"`)
		if st, _ := db.Settings(w.ctx); st.TierRates[0] != 1000 {
			t.Errorf("saved anyway: %v", st.TierRates)
		}
		// Not a number: refused by its own field.
		bad := cloneValues(form)
		bad.Set("auto_confirm_days", "ten")
		if p := w.s.post("/ops/settings", bad); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-auto_confirm_days"`) || !strings.Contains(p.Body, `value="ten"`) {
			t.Errorf("auto_confirm_days=ten: %d", p.Status)
		}
		// The preview splits a typed price by the typed rules, without saving,
		// exactly as commission.Split does.
		form.Set("tiers", "3")
		form.Set("tier_rates_bp[0]", "1200")
		form.Set("tier_rates_bp[2]", "300")
		form.Set("commission_cap_bp", "3500")
		form.Set("platform_rate_bp", "150")
		form.Set("area_rate_bp", "100")
		form.Set("example_price", "88.88")
		form.Set("action", "preview")
		p = w.s.post("/ops/settings", form)
		if p.Status != http.StatusOK {
			t.Fatalf("preview: %d %s", p.Status, p.Body)
		}
		want, err := commission.Split(commission.Snapshot{Currency: "CNY", SupplierID: 1, SellerID: 1, Upline: []int64{2, 3},
			Rules:        []commission.TierRule{commission.Rate(1200), commission.Rate(500), commission.Rate(300)},
			PlatformRate: 150, Cap: 3500, Agent: &commission.Agent{DistributorID: 9, Rate: 100}}, commission.Line{Base: 8888, Quantity: 1})
		w.must(err)
		var wantAmounts []string
		for _, s := range want {
			if s.Party.Kind != commission.KindMarkup {
				wantAmounts = append(wantAmounts, strconv.FormatInt(int64(s.Amount), 10))
			}
		}
		var got []string
		for _, m := range regexp.MustCompile(`data-test="share-amount" data-minor="(\d+)"`).FindAllStringSubmatch(p.Body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, ",") != strings.Join(wantAmounts, ",") {
			t.Errorf("preview %v, commission.Split %v", got, wantAmounts)
		}
		mustContain(t, p.Body, `data-test="split-total">¥88.88<`, `data-test="share-tier3"`, `data-test="share-agent"`)
		if st, _ := db.Settings(w.ctx); st.Tiers != 2 {
			t.Error("a preview saved the settings")
		}
		// Saved: a warning by the tiers and the cap; product review kept on.
		form.Set("action", "save")
		form.Set("product_review", "on")
		form.Set("withdrawal.withholding_rate_bp", "300") // the page holds every setting: saving it keeps the rest
		p = w.s.post("/ops/settings", form)
		if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/ops/settings?saved=1" {
			t.Fatalf("save: %d %s", p.Status, p.Body)
		}
		st, err := db.Settings(w.ctx)
		w.must(err)
		if st.Tiers != 3 || st.TierRates[2] != 300 || st.CommissionCap != 3500 || st.PlatformRate != 150 || !st.ProductReview || st.Withdrawal.WithholdingRate != 300 {
			t.Errorf("saved %+v", st)
		}
		p = w.s.get("/ops/settings?saved=1")
		mustContain(t, p.Body, `data-test="warning-tiers"`, `data-test="warning-commission_cap_bp"`, "Settings saved")
		// A stale form (the version it read) is refused, not lost.
		if p := w.s.post("/ops/settings", form); p.Status != http.StatusConflict || !strings.Contains(p.Body, `data-test="error-version"`) {
			t.Errorf("stale version: %d", p.Status)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get("/ops/settings").Body, "三级分佣在多个法域已处于法律边缘", "订单分账预览")
	})
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestOpsAuditLog(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		st, err := db.Settings(w.ctx)
		w.must(err)
		st.AfterSaleDays = 5
		_, err = db.UpdateSettings(w.ctx, w.op, st, st.Version)
		w.must(err)
		p := w.s.get("/ops/audit?action=supplier.status")
		if p.Status != http.StatusOK {
			t.Fatalf("audit: %d", p.Status)
		}
		if n := strings.Count(p.Body, `data-test="entry-action">supplier.status<`); n != 1 || strings.Count(p.Body, `data-test="entry"`) != 1 {
			t.Errorf("filtered: %d supplier.status of %d", n, strings.Count(p.Body, `data-test="entry"`))
		}
		mustContain(t, w.s.get("/ops/audit?action=nothing.like.this").Body, `data-test="empty"`)
		if p := w.s.get("/ops/audit?after=x"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-after"`) {
			t.Errorf("after=x: %d", p.Status)
		}
		csv := w.s.get("/ops/audit/export?action=supplier.status")
		lines := strings.Split(strings.TrimSpace(csv.Body), "\n")
		if csv.Status != http.StatusOK || len(lines) != 2 || lines[0] != "id,at,actor_account_id,action,subject,old,new" || !strings.Contains(lines[1], "supplier.status") {
			t.Errorf("export: %d %q", csv.Status, csv.Body)
		}
		all := w.s.get("/ops/audit/export")
		if strings.Count(all.Body, "\n") != 3 || !strings.Contains(all.Body, "program.settings.update") {
			t.Errorf("whole export: %q", all.Body)
		}
	})
}

func TestOpsDistributors(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		w := opsWorld(t, db)
		sam, err := db.DistributorByAccount(w.ctx, w.op, w.sponsor.AccountID)
		w.must(err)
		c := w.customer("zhang@example.com", "Zhang", w.link)
		w.buy(c, 2)
		_, err = db.FoldSalesEvents(w.ctx, 100)
		w.must(err)
		gold, err := db.CreateGrade(w.ctx, w.op, network.Grade{Name: "Gold", Rank: 1})
		w.must(err)

		// The list: sorted by sales, Lin (20.00) first; by team, Sam first.
		p := w.s.get("/ops/distributors?sort=sales")
		if p.Status != http.StatusOK {
			t.Fatalf("list: %d", p.Status)
		}
		if i, j := strings.Index(p.Body, fmt.Sprintf(`data-test="row-%d"`, w.sellerID)), strings.Index(p.Body, fmt.Sprintf(`data-test="row-%d"`, sam.ID)); i < 0 || j < 0 || i > j {
			t.Errorf("by sales: Lin at %d, Sam at %d", i, j)
		}
		mustContain(t, p.Body, `data-test="own-sales">¥200.00<`)
		p = w.s.get("/ops/distributors?sort=team&name=sam")
		mustContain(t, p.Body, fmt.Sprintf(`data-test="row-%d"`, sam.ID), `data-test="team">1<`)
		if strings.Contains(p.Body, fmt.Sprintf(`data-test="row-%d"`, w.sellerID)) {
			t.Error("name sam lists Lin")
		}
		mustContain(t, w.s.get(fmt.Sprintf("/ops/distributors?grade=%d", gold.ID)).Body, `data-test="empty"`)
		// A refused filter names its field and keeps what was typed.
		p = w.s.get("/ops/distributors?joined_from=yesterday&name=Lin")
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-joined_from"`) || !strings.Contains(p.Body, `value="yesterday"`) || !strings.Contains(p.Body, `value="Lin"`) {
			t.Errorf("joined_from=yesterday: %d", p.Status)
		}
		if p := w.s.get("/ops/distributors?sort=height"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `data-test="error-sort"`) {
			t.Errorf("sort=height: %d", p.Status)
		}

		// Lin's page: the upline path to Sam, the figures, the tree link.
		lin := fmt.Sprintf("/ops/distributors/%d", w.sellerID)
		p = w.s.get(lin)
		mustContain(t, p.Body, fmt.Sprintf(`href="/ops/distributors/%d">Sam</a>`, sam.ID), `data-test="own-sales">¥200.00<`, `data-test="open-tree"`)
		// Grade: a grade that does not exist is refused by its field; Gold is set and audited.
		if p := w.s.post(lin+"/grade", url.Values{"grade_id": {"999"}}); p.Status != http.StatusNotFound && p.Status != http.StatusBadRequest {
			t.Errorf("grade 999: %d", p.Status)
		} else if !strings.Contains(p.Body, `data-test="error-grade_id"`) && !strings.Contains(p.Body, `data-test="form-error"`) {
			t.Error("grade 999: no error shown")
		}
		if p := w.s.post(lin+"/grade", url.Values{"grade_id": {strconv.FormatInt(gold.ID, 10)}}); p.Status != http.StatusSeeOther {
			t.Fatalf("set grade: %d %s", p.Status, p.Body)
		}
		mustContain(t, w.s.get(lin+"?graded=1").Body, `data-test="grade">Gold<`, "Grade saved.")
		mustContain(t, w.s.get(fmt.Sprintf("/ops/distributors?grade=%d", gold.ID)).Body, fmt.Sprintf(`data-test="row-%d"`, w.sellerID))
		// Regional agent: a region that does not exist is refused, kept; CN.11 granted, then revoked.
		p = w.s.post(lin+"/agent-areas", url.Values{"region_code": {"CN.99"}})
		if p.Status < 400 || p.Status >= 500 || !strings.Contains(p.Body, `value="CN.99"`) {
			t.Errorf("grant CN.99: %d", p.Status)
		}
		if p := w.s.post(lin+"/agent-areas", url.Values{"region_code": {"CN.11"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("grant CN.11: %d %s", p.Status, p.Body)
		}
		mustContain(t, w.s.get(lin).Body, `data-test="area-CN.11"`)
		mustContain(t, w.s.get("/ops/distributors?region=CN").Body, fmt.Sprintf(`data-test="row-%d"`, w.sellerID))
		if p := w.s.post(fmt.Sprintf("/ops/distributors/%d/agent-areas/revoke", sam.ID), url.Values{"region_code": {"CN.11"}}); p.Status != http.StatusNotFound {
			t.Errorf("revoke Lin's area from Sam: %d", p.Status)
		}
		if p := w.s.post(lin+"/agent-areas/revoke", url.Values{"region_code": {"CN.11"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("revoke: %d", p.Status)
		}
		if strings.Contains(w.s.get(lin).Body, `data-test="area-CN.11"`) {
			t.Error("revoked area still listed")
		}

		// The tree opens level by level: Sam's members, Lin among them with no one below.
		p = w.s.get(fmt.Sprintf("/ops/distributors/%d/tree", sam.ID))
		mustContain(t, p.Body, fmt.Sprintf(`data-test="member-%d"`, w.sellerID))
		mustContain(t, w.s.get(fmt.Sprintf("/ops/distributors/%d/tree", w.sellerID)).Body, `data-test="empty"`, fmt.Sprintf(`href="/ops/distributors/%d/tree">Sam</a>`, sam.ID))
		if p := w.s.get("/ops/distributors/99999/tree"); p.Status != http.StatusNotFound {
			t.Errorf("tree of nobody: %d", p.Status)
		}
		w.s.lang = "zh-CN"
		mustContain(t, w.s.get(fmt.Sprintf("/ops/distributors/%d/tree", sam.ID)).Body, "团队树")
	})
}
