package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sharemall/internal/commission"
	"sharemall/internal/network"
	"sharemall/internal/payout"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// The payout pages in both languages: details recorded and shown masked
// (a refused form never shows the card back), the supplier's balance and
// payouts, the operator's tax report and supplier batches.
func TestPayoutPages(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		line, err := payout.NewKeyLine("k1")
		if err != nil {
			t.Fatal(err)
		}
		keys, _ := payout.ParseKeys([]byte(line))
		db.UsePayoutKeys(keys)
		if _, err := db.JoinNetwork(f.ctx, f.cust, network.Join{DisplayName: "Buyer's shop"}); err != nil {
			t.Fatal(err)
		}
		f.signIn("buyer@example.com")
		for _, lang := range []string{"en", "zh-CN"} {
			f.lang = lang
			mustContain(t, f.get("/centre/payout").Body, `data-test="payout-none"`, `data-test="payout-form"`)
			mustContain(t, f.get("/centre/money").Body, `data-test="payout-link"`)
		}
		f.lang = "en"
		bad := url.Values{"method": {"bank_card"}, "bank": {"中国工商银行"}, "holder_name": {"张三丰"}, "card_number": {"6222600260001072445"}}
		p := f.post("/centre/payout", bad)
		if p.Status != http.StatusBadRequest {
			t.Fatalf("bad card: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-card_number"`, "中国工商银行")
		mustLack(t, p.Body, "6222600260001072445", "张三丰")
		bad.Set("card_number", "6222 6002 6000 1072 444")
		if p := f.post("/centre/payout", bad); p.Status != http.StatusSeeOther {
			t.Fatalf("save: %d %s", p.Status, p.Body)
		}
		p = f.get("/centre/payout?saved=1")
		mustContain(t, p.Body, `data-test="saved"`, "****2444", "张**", `<option value="bank_card" selected>`)
		mustLack(t, p.Body, "6222600260001072444", "张三丰")

		// The supplier's page.
		f.signIn("a@example.com")
		for _, lang := range []string{"en", "zh-CN"} {
			f.lang = lang
			mustContain(t, f.get("/sup/payouts").Body, `data-test="sup-balance"`, `data-test="payout-form"`, `data-test="statement-form"`)
		}
		f.lang = "en"
		if p := f.post("/sup/payouts/details", url.Values{"method": {"alipay"}, "alipay_account": {"13800138000"}, "real_name": {"李四光"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("supplier details: %d %s", p.Status, p.Body)
		}
		p = f.get("/sup/payouts")
		mustContain(t, p.Body, "1*********0", "李**", `<option value="alipay" selected>`) // the form opens on the method recorded
		mustLack(t, p.Body, "13800138000", "李四光")

		// Money owed to the supplier, settled.
		snap := commission.Snapshot{Currency: "CNY", SupplierID: f.a.SupplierID, Cap: 3000}
		if _, _, err := db.BookLine(f.ctx, store.LineBooking{LineID: 99001, OrderID: 99001, Snapshot: snap, Line: commission.Line{Base: 5000, Quantity: 1}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SettleLine(f.ctx, 99001); err != nil {
			t.Fatal(err)
		}
		// The statement's days are the program's (China's): after 16:00 UTC
		// its date is already tomorrow's.
		ps, err := db.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		day := f.clock.Now().In(ps.Location()).Format("2006-01-02")
		st := f.get("/sup/payouts/statement?from=" + day + "&to=" + day)
		if st.Status != http.StatusOK || !strings.Contains(st.Body, ",closing,,,,50.00,CNY") {
			t.Fatalf("statement: %d %s", st.Status, st.Body)
		}

		// The operator.
		f.signIn("op@example.com")
		for _, lang := range []string{"en", "zh-CN"} {
			f.lang = lang
			mustContain(t, f.get("/ops/withholding").Body, `data-test="withholding"`)
			mustContain(t, f.get("/ops/supplier-payouts").Body, `data-test="supplier-payout-form"`)
		}
		f.lang = "en"
		if p := f.get("/ops/withholding/export"); p.Status != http.StatusOK || !strings.HasPrefix(p.Body, strings.Join(store.WithholdingHeader, ",")) {
			t.Fatalf("withholding csv: %d %s", p.Status, p.Body)
		}
		sid := id(f.a.SupplierID)
		p = f.post("/ops/supplier-payouts", url.Values{"supplier_id": {sid}, "amount": {"50.01"}, "key": {"k-over"}})
		if p.Status != http.StatusConflict {
			t.Fatalf("over available: %d", p.Status)
		}
		mustContain(t, p.Body, `data-test="error-amount"`)
		if p := f.post("/ops/supplier-payouts", url.Values{"supplier_id": {sid}, "amount": {"50.00"}, "key": {"k-1"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", p.Status, p.Body)
		}
		p = f.post("/ops/supplier-payout-batches", nil)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("batch: %d %s", p.Status, p.Body)
		}
		batch := p.Header.Get("Location")
		mustContain(t, f.get(batch).Body, `data-test="export-alipay"`, "1*********0")
		if p := f.get(batch + "/export?format=bank"); p.Status != http.StatusConflict {
			t.Fatalf("bank file of an alipay batch: %d", p.Status)
		}
		file := f.get(batch + "/export?format=alipay")
		if file.Status != http.StatusOK || !strings.Contains(file.Body, "13800138000,李四光,50.00") {
			t.Fatalf("alipay file: %d %s", file.Status, file.Body)
		}
		if p := f.post(batch+"/paid", url.Values{"payout_ref": {"ALI-1"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("paid: %d %s", p.Status, p.Body)
		}
		if problems, err := db.CheckLedger(f.ctx); err != nil || len(problems) > 0 {
			t.Fatalf("ledger: %v %v", problems, err)
		}
	})
}
