package api

import (
	"strings"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/payout"
	"sharemall/internal/store"
)

func TestSupplierPayoutsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		ctx := t.Context()
		line, err := payout.NewKeyLine("k1")
		if err != nil {
			t.Fatal(err)
		}
		keys, _ := payout.ParseKeys([]byte(line))
		ta.db.UsePayoutKeys(keys)
		opTok := ta.operator()
		supID, supTok := ta.newAccount("cups@example.com")
		_, otherTok := ta.newAccount("other@example.com")
		owner, _ := ta.db.ActorFor(ctx, supID)
		s, err := ta.db.ApplySupplier(ctx, owner, catalog.SupplierApplication{Name: "Cup Co", ContactEmail: "c@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		S := itoa(s.ID)
		ta.do("PUT", "/api/v1/suppliers/"+S+"/payout-details", supTok,
			map[string]any{"method": "bank_card", "bank": "中国银行", "holder_name": "张三丰", "card_number": "6222600260001072444"}).must(t, 200)
		snap := commission.Snapshot{Currency: "CNY", SupplierID: s.ID, SellerID: 0, Rules: nil, Cap: 3000}
		if _, _, err := ta.db.BookLine(ctx, store.LineBooking{LineID: 9001, OrderID: 9001, Snapshot: snap, Line: commission.Line{Base: 10000, Quantity: 1}}); err != nil {
			t.Fatal(err)
		}
		if _, err := ta.db.SettleLine(ctx, 9001); err != nil {
			t.Fatal(err)
		}
		bal := ta.do("GET", "/api/v1/suppliers/"+S+"/balance", supTok, nil).must(t, 200)
		if bal.Body["available"] != "100.00" {
			t.Fatalf("balance = %s", bal.Raw)
		}
		ta.do("GET", "/api/v1/suppliers/"+S+"/balance", otherTok, nil).must(t, 404)
		const P = "/api/v1/supplier-payouts"
		ta.runWd(t, []wdCase{
			{"no key", "POST", P, opTok, map[string]any{"supplier_id": s.ID, "amount": "10.00"}, "", 400, errs.Invalid, "Idempotency-Key"},
			{"supplier itself", "POST", P, supTok, map[string]any{"supplier_id": s.ID, "amount": "10.00"}, "k1", 403, errs.Forbidden, ""},
			{"no supplier", "POST", P, opTok, map[string]any{"amount": "10.00"}, "k1", 400, errs.Invalid, "supplier_id"},
			{"bad amount", "POST", P, opTok, map[string]any{"supplier_id": s.ID, "amount": "ten"}, "k1", 400, errs.Invalid, "amount"},
			{"above available", "POST", P, opTok, map[string]any{"supplier_id": s.ID, "amount": "100.01"}, "k1", 409, errs.Conflict, "amount"},
		})
		p := ta.doKey("POST", P, opTok, map[string]any{"supplier_id": s.ID, "amount": "60.00"}, "jan").must(t, 201)
		if again := ta.doKey("POST", P, opTok, map[string]any{"supplier_id": s.ID, "amount": "60.00"}, "jan").must(t, 201); again.id() != p.id() {
			t.Fatalf("replay made payout %d", again.id())
		}
		q := ta.doKey("POST", P, opTok, map[string]any{"supplier_id": s.ID, "amount": "10.00"}, "jan-2").must(t, 201)
		ta.do("POST", P+"/"+itoa(q.id())+"/reject", opTok, map[string]any{"reason": "wrong amount"}).must(t, 200)
		ta.do("GET", P+"?status=approved", opTok, nil).must(t, 200)
		ta.do("GET", P, supTok, nil).must(t, 403)
		ta.do("GET", "/api/v1/suppliers/"+S+"/payouts", supTok, nil).must(t, 200)
		b := ta.do("POST", "/api/v1/supplier-payout-batches", opTok, nil).must(t, 201).id()
		B := "/api/v1/supplier-payout-batches/" + itoa(b)
		ta.do("GET", B, opTok, nil).must(t, 200)
		ta.do("GET", B+"/export?format=alipay", opTok, nil).must(t, 409)
		file := ta.do("GET", B+"/export?format=bank", opTok, nil).must(t, 200)
		if !strings.Contains(string(file.Raw), "6222600260001072444,张三丰,中国银行,,60.00,CNY,sharemall-s"+itoa(p.id())) {
			t.Fatalf("bank file = %s", file.Raw)
		}
		ta.do("POST", B+"/paid", opTok, map[string]any{"payout_ref": "BOC-1"}).must(t, 200)
		bal = ta.do("GET", "/api/v1/suppliers/"+S+"/balance", supTok, nil).must(t, 200)
		if bal.Body["available"] != "40.00" || bal.Body["paid_out"] != "60.00" || bal.Body["paying"] != "0.00" {
			t.Fatalf("balance = %s", bal.Raw)
		}
		day := ta.clock.Now().Format("2006-01-02")
		st := ta.do("GET", "/api/v1/suppliers/"+S+"/statement?from="+day+"&to="+day, supTok, nil).must(t, 200)
		if st.Body["closing"] != "40.00" {
			t.Fatalf("statement = %s", st.Raw)
		}
		ta.do("GET", "/api/v1/suppliers/"+S+"/statement?from=x&to="+day, supTok, nil).must(t, 400)
		csv := ta.do("GET", "/api/v1/suppliers/"+S+"/statement/export?from="+day+"&to="+day, supTok, nil).must(t, 200)
		if !strings.Contains(string(csv.Raw), "closing,,,,40.00,CNY") {
			t.Fatalf("statement csv = %s", csv.Raw)
		}
		for _, res := range []*response{bal, st, csv, p, q} {
			if strings.Contains(string(res.Raw), "6222600260001072444") || strings.Contains(string(res.Raw), "张三丰") {
				t.Fatalf("plaintext in %s", res.Raw)
			}
		}
		if problems, err := ta.db.CheckLedger(ctx); err != nil || len(problems) > 0 {
			t.Fatalf("ledger check: %v %v", problems, err)
		}
	})
}
