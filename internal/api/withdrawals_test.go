package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// wdCase is one request and what it must get back.
type wdCase struct {
	name   string
	method string
	path   string
	token  string
	body   any
	key    string // Idempotency-Key header, when set
	status int
	code   errs.Code
	field  string
}

// doKey is ta.do with an Idempotency-Key header.
func (ta *testAPI) doKey(method, path, token string, body any, key string) *response {
	ta.t.Helper()
	if key == "" {
		return ta.do(method, path, token, body)
	}
	b, err := json.Marshal(body)
	if err != nil {
		ta.t.Fatal(err)
	}
	req, err := http.NewRequest(method, ta.http.URL+path, bytes.NewReader(b))
	if err != nil {
		ta.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := ta.http.Client().Do(req)
	if err != nil {
		ta.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		ta.t.Fatal(err)
	}
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: raw}
	json.Unmarshal(raw, &out.Body)
	ta.validate(req, out)
	return out
}

func (ta *testAPI) runWd(t *testing.T, cases []wdCase) {
	t.Helper()
	for _, c := range cases {
		res := ta.doKey(c.method, c.path, c.token, c.body, c.key)
		if res.Status != c.status {
			t.Fatalf("%s: %s %s: status %d, want %d: %s", c.name, c.method, c.path, res.Status, c.status, res.Raw)
		}
		if c.code != "" && (res.errCode() != c.code || res.errField() != c.field) {
			t.Fatalf("%s: got %s, want error %s on %q", c.name, res.Raw, c.code, c.field)
		}
	}
}

// wdSetup makes an operator, two funded distributors and a customer, with
// a minimum of 1.00, a fee of 1% and 5 requests a day.
func wdSetup(t *testing.T, ta *testAPI) (op, tokA, tokB, tokC string, a, b int64) {
	t.Helper()
	op = ta.operator()
	s := settingsBody(t, ta, op)
	s["withdrawal"] = map[string]any{"minimum": "1.00", "fee_rate_bp": 100, "daily_limit": 5}
	ta.do("PUT", "/api/v1/program/settings", op, s).must(t, 200)
	_, tokA = ta.newAccount("ann@example.com")
	_, tokB = ta.newAccount("bob@example.com")
	_, tokC = ta.newAccount("carl@example.com")
	a = ta.do("POST", "/api/v1/distributors", tokA, map[string]any{"display_name": "Ann's"}).must(t, 201).id()
	b = ta.do("POST", "/api/v1/distributors", tokB, map[string]any{}).must(t, 201).id()
	for i, fund := range []struct {
		d      int64
		amount money.Amount
	}{{a, 10000}, {b, 5000}} {
		j := ledger.Journal{Key: fmt.Sprintf("test:fund:%d", i), Kind: "test", Currency: "CNY"}
		j.Move(ledger.Code(ledger.Clearing, 0), ledger.Code(ledger.DistributorAvailable, fund.d), fund.amount)
		if _, _, err := ta.db.Post(t.Context(), j); err != nil {
			t.Fatal(err)
		}
	}
	return op, tokA, tokB, tokC, a, b
}

// wdWallet checks a distributor's available and withdrawing balances.
func wdWallet(t *testing.T, ta *testAPI, d int64, available, withdrawing money.Amount) {
	t.Helper()
	av, err1 := ta.db.Balance(t.Context(), ledger.Code(ledger.DistributorAvailable, d))
	wi, err2 := ta.db.Balance(t.Context(), ledger.Code(ledger.DistributorWithdrawing, d))
	if err1 != nil || err2 != nil || av != available || wi != withdrawing {
		t.Fatalf("distributor %d: available %d, withdrawing %d; want %d, %d (%v %v)", d, av, wi, available, withdrawing, err1, err2)
	}
}

func TestWithdrawalsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op, tokA, tokB, tokC, a, b := wdSetup(t, ta)
		A, B := itoa(a), itoa(b)
		const wds = "/api/v1/withdrawals"
		ta.runWd(t, []wdCase{
			{"anonymous", "POST", wds, "", map[string]any{"amount": "5.00"}, "", 401, errs.Unauthorized, ""},
			{"customer", "POST", wds, tokC, map[string]any{"amount": "5.00"}, "", 403, errs.Forbidden, ""},
			{"no amount", "POST", wds, tokA, map[string]any{}, "", 400, errs.Invalid, "amount"},
			{"amount as number", "POST", wds, tokA, map[string]any{"amount": 5}, "", 400, errs.Invalid, "amount"},
			{"too many digits", "POST", wds, tokA, map[string]any{"amount": "5.001"}, "", 400, errs.Invalid, "amount"},
			{"not an amount", "POST", wds, tokA, map[string]any{"amount": "five"}, "", 400, errs.Invalid, "amount"},
			{"negative", "POST", wds, tokA, map[string]any{"amount": "-5.00"}, "", 400, errs.Invalid, "amount"},
			{"below minimum", "POST", wds, tokA, map[string]any{"amount": "0.99"}, "", 400, errs.Invalid, "amount"},
			{"unknown field", "POST", wds, tokA, map[string]any{"amount": "5.00", "fee": "0"}, "", 400, errs.Invalid, "fee"},
			{"bad json", "POST", wds, tokA, "{", "", 400, errs.Invalid, "body"},
			{"over available", "POST", wds, tokA, map[string]any{"amount": "100.01"}, "", 409, errs.Conflict, "amount"},
			{"another's wallet", "POST", wds, tokA, map[string]any{"amount": "5.00", "distributor_id": b}, "", 404, errs.NotFound, ""},
			{"operator, whose?", "POST", wds, op, map[string]any{"amount": "5.00"}, "", 400, errs.Invalid, "distributor_id"},
			{"zero distributor", "POST", wds, op, map[string]any{"amount": "5.00", "distributor_id": 0}, "", 400, errs.Invalid, "distributor_id"},
			{"unknown distributor", "POST", wds, op, map[string]any{"amount": "5.00", "distributor_id": 9999}, "", 404, errs.NotFound, ""},
			{"bad key", "POST", wds, tokA, map[string]any{"amount": "5.00"}, strings.Repeat("k", 201), 400, errs.Invalid, "Idempotency-Key"},
		})
		wdWallet(t, ta, a, 10000, 0)
		wdWallet(t, ta, b, 5000, 0)

		w1 := ta.doKey("POST", wds, tokA, map[string]any{"amount": "12.50"}, "req-1").must(t, 201)
		if w1.Body["amount"] != "12.50" || w1.Body["fee"] != "0.12" || w1.Body["net"] != "12.38" || w1.Body["currency"] != "CNY" ||
			w1.Body["status"] != "requested" || w1.Body["distributor_id"] != float64(a) || w1.Body["paid_at"] != nil {
			t.Fatalf("request: %s", w1.Raw)
		}
		W1 := itoa(w1.id())
		if again := ta.doKey("POST", wds, tokA, map[string]any{"amount": "12.50"}, "req-1").must(t, 201); again.id() != w1.id() {
			t.Fatalf("retry made %s", again.Raw)
		}
		wB := ta.do("POST", wds, op, map[string]any{"amount": "1.00", "distributor_id": b}).must(t, 201)
		WB := itoa(wB.id())
		wdWallet(t, ta, a, 8750, 1250)
		wdWallet(t, ta, b, 4900, 100)

		ta.runWd(t, []wdCase{
			{"key reused", "POST", wds, tokA, map[string]any{"amount": "13.00"}, "req-1", 409, errs.Conflict, "Idempotency-Key"},
			// Reading.
			{"own", "GET", wds + "/" + W1, tokA, nil, "", 200, "", ""},
			{"another's", "GET", wds + "/" + W1, tokB, nil, "", 404, errs.NotFound, ""},
			{"customer's look", "GET", wds + "/" + W1, tokC, nil, "", 404, errs.NotFound, ""},
			{"anonymous look", "GET", wds + "/" + W1, "", nil, "", 401, errs.Unauthorized, ""},
			{"missing", "GET", wds + "/9999", op, nil, "", 404, errs.NotFound, ""},
			{"bad id", "GET", wds + "/x", op, nil, "", 400, errs.Invalid, "id"},
			{"list anonymous", "GET", wds, "", nil, "", 401, errs.Unauthorized, ""},
			{"list customer", "GET", wds, tokC, nil, "", 403, errs.Forbidden, ""},
			{"list another's", "GET", wds + "?distributor_id=" + B, tokA, nil, "", 404, errs.NotFound, ""},
			{"list bad status", "GET", wds + "?status=open", op, nil, "", 400, errs.Invalid, "status"},
			{"list bad distributor", "GET", wds + "?distributor_id=x", op, nil, "", 400, errs.Invalid, "distributor_id"},
			{"list bad limit", "GET", wds + "?limit=500", op, nil, "", 400, errs.Invalid, "limit"},
			// Deciding.
			{"approve own", "POST", wds + "/" + W1 + "/approve", tokA, map[string]any{}, "", 403, errs.Forbidden, ""},
			{"approve anonymous", "POST", wds + "/" + W1 + "/approve", "", map[string]any{}, "", 401, errs.Unauthorized, ""},
			{"approve bad ref", "POST", wds + "/" + W1 + "/approve", op, map[string]any{"payout_ref": 5}, "", 400, errs.Invalid, "payout_ref"},
			{"approve long ref", "POST", wds + "/" + W1 + "/approve", op, map[string]any{"payout_ref": strings.Repeat("r", 201)}, "", 400, errs.Invalid, "payout_ref"},
			{"approve no body", "POST", wds + "/" + W1 + "/approve", op, "", "", 400, errs.Invalid, "body"},
			{"approve missing", "POST", wds + "/9999/approve", op, map[string]any{}, "", 404, errs.NotFound, ""},
			{"reject own", "POST", wds + "/" + W1 + "/reject", tokA, map[string]any{"reason": "x"}, "", 403, errs.Forbidden, ""},
			{"reject no reason", "POST", wds + "/" + W1 + "/reject", op, map[string]any{}, "", 400, errs.Invalid, "reason"},
			{"reject missing", "POST", wds + "/9999/reject", op, map[string]any{"reason": "x"}, "", 404, errs.NotFound, ""},
		})
		wdWallet(t, ta, a, 8750, 1250)

		own := ta.do("GET", wds, tokA, nil).must(t, 200)
		if items := own.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != float64(w1.id()) {
			t.Fatalf("own list: %s", own.Raw)
		}
		queue := ta.do("GET", wds+"?status=requested&limit=1", op, nil).must(t, 200)
		if items := queue.Body["items"].([]any); len(items) != 1 || queue.Body["next_after"] != float64(w1.id()) {
			t.Fatalf("review queue: %s", queue.Raw)
		}

		// Pay B's at once; approve A's for a batch; a rejected one releases its hold.
		paid := ta.do("POST", wds+"/"+WB+"/approve", op, map[string]any{"payout_ref": "BANK-9"}).must(t, 200)
		if paid.Body["status"] != "paid" || paid.Body["payout_ref"] != "BANK-9" {
			t.Fatalf("pay: %s", paid.Raw)
		}
		ta.do("POST", wds+"/"+W1+"/approve", op, map[string]any{}).must(t, 200)
		ta.do("POST", wds+"/"+W1+"/approve", op, map[string]any{}).must(t, 200)
		w3 := ta.do("POST", wds, tokA, map[string]any{"amount": "2"}).must(t, 201)
		rej := ta.do("POST", wds+"/"+itoa(w3.id())+"/reject", op, map[string]any{"reason": "name mismatch"}).must(t, 200)
		if rej.Body["status"] != "rejected" || rej.Body["reason"] != "name mismatch" {
			t.Fatalf("reject: %s", rej.Raw)
		}
		wdWallet(t, ta, a, 8750, 1250)
		wdWallet(t, ta, b, 4900, 0)

		// The payout batch.
		const batches = "/api/v1/payout-batches"
		batch := ta.do("POST", batches, op, nil).must(t, 201)
		BID := itoa(batch.id())
		totals := batch.Body["totals"].([]any)
		if batch.Body["status"] != "exported" || len(batch.Body["withdrawals"].([]any)) != 1 || len(totals) != 1 ||
			totals[0].(map[string]any)["net"] != "12.38" {
			t.Fatalf("batch: %s", batch.Raw)
		}
		csv := ta.do("GET", batches+"/"+BID+"/export", op, nil).must(t, 200)
		want := "withdrawal_id,distributor_id,account_holder,amount,currency,reference\n" +
			W1 + "," + A + ",ann,12.38,CNY,sharemall-w" + W1 + "\n"
		if string(csv.Raw) != want || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("bank file %q (%s), want %q", csv.Raw, csv.Header.Get("Content-Type"), want)
		}
		ta.runWd(t, []wdCase{
			{"second batch", "POST", batches, op, nil, "", 409, errs.Conflict, ""},
			{"batch by distributor", "POST", batches, tokA, nil, "", 403, errs.Forbidden, ""},
			{"batch garbage body", "POST", batches, op, map[string]any{"all": true}, "", 400, errs.Invalid, "all"},
			{"read batch", "GET", batches + "/" + BID, op, nil, "", 200, "", ""},
			{"read batch distributor", "GET", batches + "/" + BID, tokA, nil, "", 403, errs.Forbidden, ""},
			{"export distributor", "GET", batches + "/" + BID + "/export", tokA, nil, "", 403, errs.Forbidden, ""},
			{"export anonymous", "GET", batches + "/" + BID + "/export", "", nil, "", 401, errs.Unauthorized, ""},
			{"export missing", "GET", batches + "/9999/export", op, nil, "", 404, errs.NotFound, ""},
			{"reject batched", "POST", wds + "/" + W1 + "/reject", op, map[string]any{"reason": "x"}, "", 409, errs.Conflict, "status"},
			{"paid no ref", "POST", batches + "/" + BID + "/paid", op, map[string]any{}, "", 400, errs.Invalid, "payout_ref"},
			{"paid by distributor", "POST", batches + "/" + BID + "/paid", tokA, map[string]any{"payout_ref": "X"}, "", 403, errs.Forbidden, ""},
			{"paid missing", "POST", batches + "/9999/paid", op, map[string]any{"payout_ref": "X"}, "", 404, errs.NotFound, ""},
			{"paid", "POST", batches + "/" + BID + "/paid", op, map[string]any{"payout_ref": "BATCH-1"}, "", 200, "", ""},
			{"paid again", "POST", batches + "/" + BID + "/paid", op, map[string]any{"payout_ref": "BATCH-1"}, "", 200, "", ""},
			{"paid other ref", "POST", batches + "/" + BID + "/paid", op, map[string]any{"payout_ref": "BATCH-2"}, "", 409, errs.Conflict, "payout_ref"},
			{"approve paid", "POST", wds + "/" + W1 + "/approve", op, map[string]any{}, "", 409, errs.Conflict, "payout_ref"},
		})
		wdWallet(t, ta, a, 8750, 0)
		if got := ta.do("GET", wds+"/"+W1, tokA, nil).must(t, 200); got.Body["status"] != "paid" || got.Body["payout_ref"] != "BATCH-1" || got.Body["batch_id"] != float64(batch.id()) {
			t.Fatalf("after batch: %s", got.Raw)
		}

		// The daily limit: B has made 1 request today, so 4 more are allowed.
		for range 4 {
			ta.do("POST", wds, tokB, map[string]any{"amount": "1.00"}).must(t, 201)
		}
		ta.do("POST", wds, tokB, map[string]any{"amount": "1.00"}).wantErr(t, errs.TooMany, "daily_limit")
		wdWallet(t, ta, b, 4500, 400)
	})
}

func TestJournalsAPI(t *testing.T) {
	engines(t, func(t *testing.T, ta *testAPI) {
		op, tokA, _, _, a, _ := wdSetup(t, ta)
		w := ta.do("POST", "/api/v1/withdrawals", tokA, map[string]any{"amount": "10.00"}).must(t, 201)
		ta.do("POST", "/api/v1/withdrawals/"+itoa(w.id())+"/approve", op, map[string]any{"payout_ref": "BANK-1"}).must(t, 200)
		const js = "/api/v1/journals"
		ta.runWd(t, []wdCase{
			{"anonymous", "GET", js, "", nil, "", 401, errs.Unauthorized, ""},
			{"distributor", "GET", js, tokA, nil, "", 403, errs.Forbidden, ""},
			{"bad account", "GET", js + "?account=wallet:1", op, nil, "", 400, errs.Invalid, "account"},
			{"long kind", "GET", js + "?kind=" + strings.Repeat("k", 101), op, nil, "", 400, errs.Invalid, "kind"},
			{"bad after", "GET", js + "?after=-1", op, nil, "", 400, errs.Invalid, "after"},
		})
		all := ta.do("GET", js, op, nil).must(t, 200)
		if n := len(all.Body["items"].([]any)); n != 4 { // two fundings, the request, the payment
			t.Fatalf("%d journals: %s", n, all.Raw)
		}
		paid := ta.do("GET", js+"?kind=withdrawal.paid", op, nil).must(t, 200)
		items := paid.Body["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("paid journals: %s", paid.Raw)
		}
		j := items[0].(map[string]any)
		entries := j["entries"].([]any)
		if j["key"] != "withdrawal:"+itoa(w.id())+":paid" || j["currency"] != "CNY" || len(entries) != 3 {
			t.Fatalf("paid journal: %v", j)
		}
		got := map[string]string{}
		for _, e := range entries {
			e := e.(map[string]any)
			got[e["account"].(string)] = e["direction"].(string) + " " + e["amount"].(string)
		}
		want := map[string]string{"distributor_withdrawing:" + itoa(a): "debit 10.00", "withdrawals_paid": "credit 9.90", "platform_revenue": "credit 0.10"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("entries %v, want %v", got, want)
		}
		mine := ta.do("GET", js+"?account=distributor_available:"+itoa(a)+"&limit=1", op, nil).must(t, 200)
		if len(mine.Body["items"].([]any)) != 1 || mine.Body["next_after"] == nil {
			t.Fatalf("by account, first page: %s", mine.Raw)
		}
		next := ta.do("GET", js+"?account=distributor_available:"+itoa(a)+"&after="+fmt.Sprint(mine.Body["next_after"]), op, nil).must(t, 200)
		if items := next.Body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["kind"] != "withdrawal.request" || next.Body["next_after"] != nil {
			t.Fatalf("by account, second page: %s", next.Raw)
		}
	})
}
