package api

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/payout"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// Plaintexts the flow records; none may show in any API answer but the
// operator's transfer file, nor in any log line.
var payoutPlain = []string{"6222600260001072444", "6222 6002 6000", "张三丰", "13800138000", "李四光", "wxid_wangwu88", "王五六"}

// lockedBuffer is a log sink the server's goroutines write to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newLoggedAPI is newTestAPI logging at debug level into logs.
func newLoggedAPI(t *testing.T, db *store.DB, logs *lockedBuffer) *testAPI {
	t.Helper()
	ta := newTestAPI(t, db)
	srv := New(db, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), ta.srv.cfg)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ta.srv, ta.http = srv, hs
	return ta
}

func TestPayoutDetailsNeverShowUnmasked(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		logs := &lockedBuffer{}
		ta := newLoggedAPI(t, db, logs)
		line, err := payout.NewKeyLine("k1")
		if err != nil {
			t.Fatal(err)
		}
		keys, err := payout.ParseKeys([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		var answers []string // every API answer but the transfer files
		call := func(method, path, tok string, body any, status int) *response {
			t.Helper()
			res := ta.do(method, path, tok, body)
			if res.Status != status {
				t.Fatalf("%s %s: %d, want %d: %s", method, path, res.Status, status, res.Raw)
			}
			answers = append(answers, method+" "+path+" "+string(res.Raw))
			return res
		}
		op, tokA, tokB, _, a, b := wdSetup(t, ta)
		A, B := "/api/v1/distributors/"+itoa(a)+"/payout-details", "/api/v1/distributors/"+itoa(b)+"/payout-details"
		card := map[string]any{"method": "bank_card", "bank": "中国工商银行", "branch": "上海分行", "holder_name": "张三丰", "card_number": "6222 6002 6000 1072 444"}

		db.UsePayoutKeys(keys) // without them: 503, tested in the store
		for _, c := range []struct {
			name, tok, path string
			body            any
			status          int
			field           string
		}{
			{"anonymous", "", A, card, 401, ""},
			{"another's", tokB, A, card, 404, ""},
			{"operator", op, A, card, 403, ""},
			{"no method", tokA, A, map[string]any{"bank": "x"}, 400, "method"},
			{"bad card", tokA, A, map[string]any{"method": "bank_card", "bank": "ICBC", "holder_name": "张三丰", "card_number": "6222600260001072445"}, 400, "card_number"},
			{"card as number", tokA, A, map[string]any{"method": "bank_card", "bank": "ICBC", "holder_name": "张三丰", "card_number": 6222600260001072444}, 400, "card_number"},
			{"unknown field", tokA, A, map[string]any{"method": "alipay", "cvv": "123"}, 400, "cvv"},
			{"alipay without name", tokA, A, map[string]any{"method": "alipay", "alipay_account": "13800138000"}, 400, "real_name"},
			{"wechat both", tokB, B, map[string]any{"method": "wechat", "openid": "oAbcdef123", "wechat_id": "wxid_wangwu88", "real_name": "王五六"}, 400, "openid"},
		} {
			res := call("PUT", c.path, c.tok, c.body, c.status)
			if c.field != "" && (res.errCode() != errs.Invalid || res.errField() != c.field) {
				t.Fatalf("%s: %s", c.name, res.Raw)
			}
		}
		call("GET", A, tokA, nil, 404)
		got := call("PUT", A, tokA, card, 200)
		m, _ := got.Body["masked"].(map[string]any)
		if m["card_last4"] != "2444" || m["holder_name"] != "张**" || m["bank"] != "中国工商银行" {
			t.Fatalf("masked = %s", got.Raw)
		}
		call("GET", A, op, nil, 200)
		call("GET", A, tokB, nil, 404)
		call("PUT", B, tokB, map[string]any{"method": "wechat", "wechat_id": "wxid_wangwu88", "real_name": "王五六"}, 200)

		// A supplier records its own; another distributor cannot see them.
		ctx := t.Context()
		supID, tokS := ta.newAccount("sup@example.com")
		supActor, _ := ta.db.ActorFor(ctx, supID)
		s, err := ta.db.ApplySupplier(ctx, supActor, catalog.SupplierApplication{Name: "Cup Co", ContactEmail: "c@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		S := "/api/v1/suppliers/" + itoa(s.ID) + "/payout-details"
		call("PUT", S, tokS, map[string]any{"method": "alipay", "alipay_account": "13800138000", "real_name": "李四光"}, 200)
		call("GET", S, op, nil, 200)
		call("GET", S, tokA, nil, 404)

		// Tax of 10% withheld from withdrawals.
		st := settingsBody(t, ta, op)
		st["withdrawal"] = map[string]any{"minimum": "1.00", "fee_rate_bp": 100, "daily_limit": 5, "withholding_rate_bp": 1000}
		call("PUT", "/api/v1/program/settings", op, st, 200)
		st = settingsBody(t, ta, op)
		st["withdrawal"] = map[string]any{"minimum": "1.00", "fee_rate_bp": 100, "daily_limit": 5, "withholding_rate_bp": 10000}
		if res := call("PUT", "/api/v1/program/settings", op, st, 400); res.errField() != "withdrawal.withholding_rate_bp" {
			t.Fatalf("rate 100%%: %s", res.Raw)
		}

		// The whole withdrawal flow.
		wA := call("POST", "/api/v1/withdrawals", tokA, map[string]any{"amount": "20.00"}, 201)
		if to, _ := wA.Body["payout_to"].(map[string]any); to["card_last4"] != "2444" {
			t.Fatalf("withdrawal = %s", wA.Raw)
		}
		wB := call("POST", "/api/v1/withdrawals", tokB, map[string]any{"amount": "10.00"}, 201)
		call("GET", "/api/v1/withdrawals", tokA, nil, 200)
		call("GET", "/api/v1/withdrawals?status=requested", op, nil, 200)
		for _, w := range []*response{wA, wB} {
			call("POST", "/api/v1/withdrawals/"+itoa(w.id())+"/approve", op, map[string]any{}, 200)
			call("GET", "/api/v1/withdrawals/"+itoa(w.id()), op, nil, 200)
		}
		batch := call("POST", "/api/v1/payout-batches", op, nil, 201).id()
		P := "/api/v1/payout-batches/" + itoa(batch)
		call("GET", P, op, nil, 200)
		call("GET", P+"/export", op, nil, 200) // the list without details
		call("GET", P+"/export?format=alipay", op, nil, 409)
		call("GET", P+"/export?format=swift", op, nil, 400)
		call("GET", P+"/export?format=bank", tokA, nil, 403)
		bank := ta.do("GET", P+"/export?format=bank", op, nil)
		if bank.Status != http.StatusOK || !strings.Contains(string(bank.Raw), "6222600260001072444,张三丰,中国工商银行,上海分行,17.80,CNY,sharemall-w"+itoa(wA.id())) ||
			!strings.Contains(bank.Header.Get("Content-Disposition"), "-bank.csv") {
			t.Fatalf("bank file: %d %s", bank.Status, bank.Raw)
		}
		call("POST", P+"/paid", op, map[string]any{"payout_ref": "BANK-2026-1"}, 200)
		call("GET", "/api/v1/withdrawals/"+itoa(wA.id()), tokA, nil, 200)
		if wA.Body["withheld"] != "2.00" {
			t.Fatalf("withheld = %v", wA.Body["withheld"])
		}
		month := ta.clock.Now().Format("2006-01")
		rep := call("GET", "/api/v1/withholding?month="+month, op, nil, 200)
		if items, _ := rep.Body["items"].([]any); len(items) != 2 {
			t.Fatalf("report = %s", rep.Raw)
		}
		call("GET", "/api/v1/withholding?month="+month, tokA, nil, 200)
		call("GET", "/api/v1/withholding?month="+month+"&distributor_id="+itoa(a), tokB, nil, 404)
		if res := call("GET", "/api/v1/withholding", op, nil, 400); res.errField() != "month" {
			t.Fatalf("no month: %s", res.Raw)
		}
		csvRes := call("GET", "/api/v1/withholding/export?month="+month+"&distributor_id="+itoa(a), op, nil, 200)
		if want := month + "," + itoa(a) + ",Ann's,CNY,1,20.00,0.20,2.00,17.80\n"; !strings.HasSuffix(string(csvRes.Raw), want) {
			t.Fatalf("csv = %q, want suffix %q", csvRes.Raw, want)
		}

		for _, ans := range answers {
			for _, p := range payoutPlain {
				if strings.Contains(ans, p) {
					t.Fatalf("an API answer shows %q: %s", p, ans)
				}
			}
		}
		all := logs.String()
		if !strings.Contains(all, "/payout-details") {
			t.Fatalf("the logs were not captured: %q", all)
		}
		for _, p := range payoutPlain {
			if strings.Contains(all, p) {
				t.Fatalf("the logs show %q:\n%s", p, all)
			}
		}
		// The audit log holds the masked views only.
		lines, err := ta.db.AuditLog(ctx, store.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			for _, p := range payoutPlain {
				if strings.Contains(string(l.Old)+string(l.New), p) {
					t.Fatalf("audit %s shows %q", l.Action, p)
				}
			}
		}
	})
}
