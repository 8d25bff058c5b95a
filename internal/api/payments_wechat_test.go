package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// wechatAPI is the API running WeChat Pay against its fake (and the sandbox).
func wechatAPI(t *testing.T, db *store.DB) (*testAPI, *wechatpayfake.Server, payment.Gateway) {
	fake := wechatpayfake.New(t)
	var client payment.Gateway
	ta := newTestAPI(t, db, func(c *Config) {
		// WeChat Pay, its fake and the server share the test's clock.
		fake.SetNow(db.Now)
		wc := fake.Config()
		wc.Now = db.Now
		g, err := wechatpay.New(wc, &http.Client{Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		client = g
		c.Gateways = []payment.Gateway{g}
	})
	return ta, fake, client
}

func (ta *testAPI) ledgerClean(t *testing.T) {
	t.Helper()
	if problems, err := ta.db.CheckLedger(context.Background()); err != nil || len(problems) != 0 {
		t.Fatalf("ledger check: %v %v", problems, err)
	}
}

// paymentOf reads payment ref of order id as the customer sees it.
func (w *orderWorld) paymentOf(t *testing.T, id int64, ref string) map[string]any {
	t.Helper()
	res := w.ta.do("GET", "/api/v1/orders/"+itoa(id)+"/payments", w.cust, nil).must(t, 200)
	for _, p := range res.Body["payments"].([]any) {
		if p := p.(map[string]any); p["reference"] == ref {
			return p
		}
	}
	t.Fatalf("no payment %s in %s", ref, res.Raw)
	return nil
}

// TestWeChatPayThroughTheFake: the customer chooses WeChat Pay's QR code;
// its notification with another amount is refused and changes nothing;
// the right one, delivered twice, pays the order once. Then refunds: one
// unit back while WeChat Pay is slow (PROCESSING, confirmed later by its
// refund notification), the other after WeChat Pay timed out on the first
// ask (the retry under the same key refunds once). The ledger and the
// payment agree after each step.
func TestWeChatPayThroughTheFake(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ta, fake, client := wechatAPI(t, db)
		ctx := context.Background()
		w := newOrderWorld(t, ta)
		methods := ta.do("GET", "/api/v1/payment-methods", "", nil).must(t, 200)
		if ps := methods.Body["providers"].([]any); len(ps) != 2 || ps[1].(map[string]any)["provider"] != "wechatpay" {
			t.Fatalf("%s", methods.Raw)
		}
		id := ta.do("POST", "/api/v1/orders", w.cust, w.cart(2)).must(t, 201).id()
		pay := "/api/v1/orders/" + itoa(id) + "/pay"
		ta.do("POST", pay, w.cust, map[string]any{}).wantErr(t, errs.Invalid, "provider")
		ta.do("POST", pay, w.cust, map[string]any{"provider": "paypal"}).wantErr(t, errs.Invalid, "provider")
		ta.do("POST", pay, w.cust, map[string]any{"provider": "wechatpay", "method": "card"}).wantErr(t, errs.Invalid, "method")
		ta.do("POST", pay, w.cust, map[string]any{"provider": "wechatpay", "method": "jsapi"}).wantErr(t, errs.Invalid, "payer_id")
		started := ta.do("POST", pay, w.cust, map[string]any{"provider": "wechatpay", "method": "qr"}).must(t, 201)
		ref, _ := started.Body["reference"].(string)
		if started.Body["qr_code"] == nil || started.Body["method"] != "qr" || !payment.ValidReference(ref) {
			t.Fatalf("%s", started.Raw)
		}
		notify := ta.http.URL + "/api/v1/payments/notify/wechatpay"
		if req, _, ok := fake.Order(ref); !ok || req.NotifyURL != notify || req.Amount.Total != 3998 {
			t.Fatalf("WeChat Pay was asked %+v", req)
		}

		if err := fake.Pay(ref); err != nil {
			t.Fatal(err)
		}
		if st, err := fake.SendNotification(notify, ref, wechatpayfake.NoticeOptions{Amount: 1}); err != nil || st[0] == 200 || st[0] == 204 {
			t.Fatalf("a notification of 0.01 was answered %v %v", st, err)
		}
		if p := w.paymentOf(t, id, ref); p["status"] != "pending" {
			t.Fatalf("after the wrong amount: %v", p)
		}
		if audits, _ := ta.db.AuditLog(ctx, store.AuditFilter{Action: "payment.notification_refused"}); len(audits) != 1 {
			t.Fatalf("%d audit lines", len(audits))
		}
		if st, err := fake.SendNotification(notify, ref, wechatpayfake.NoticeOptions{BadSignature: true}); err != nil || st[0] < 400 {
			t.Fatalf("a forged notification was answered %v %v", st, err)
		}
		if st, err := fake.NotifyPayment(ref, wechatpayfake.NoticeOptions{Replay: true}); err != nil || len(st) != 2 || st[0] >= 300 || st[1] >= 300 {
			t.Fatalf("the notification (twice) was answered %v %v", st, err)
		}
		p := w.paymentOf(t, id, ref)
		if p["status"] != "paid" || p["provider_ref"] == ref {
			t.Fatalf("after the notification: %v", p)
		}
		if got := ta.do("GET", "/api/v1/orders/"+itoa(id), w.cust, nil).must(t, 200); got.Body["status"] != "paid" {
			t.Fatalf("%s", got.Raw)
		}
		ta.ledgerClean(t)

		// One unit back while WeChat Pay is slow: pending until its notification.
		opID, _ := ta.newAccount("op3@example.com", account.Operator)
		op, _ := ta.db.ActorFor(ctx, opID)
		cust, _ := ta.db.ActorFor(ctx, w.custID)
		o, err := ta.db.Order(ctx, cust, id)
		if err != nil {
			t.Fatal(err)
		}
		via := store.RefundersOf(payment.WithNotifyURL(client, notify))
		fake.RefundsProcessing(5)
		c, err := ta.db.OpenCase(ctx, cust, o.Lines[0].ID, store.RefundOnly, 1, "one was broken")
		if err != nil {
			t.Fatal(err)
		}
		if c, err = ta.db.DecideCase(ctx, op, c.ID, true, "sorry", via); err != nil || c.Status != store.CaseRefundDue {
			t.Fatalf("%+v %v", c, err)
		}
		p = w.paymentOf(t, id, ref)
		refunds, _ := p["refunds"].([]any)
		if len(refunds) != 1 || refunds[0].(map[string]any)["status"] != "pending" || refunds[0].(map[string]any)["amount"] != "19.99" || p["refunded_amount"] != "0.00" {
			t.Fatalf("while WeChat Pay processes it: %v", p)
		}
		ta.ledgerClean(t)
		key := payment.ProviderRefundKey(store.CaseRefundKey(c.ID))
		// Time passes at WeChat Pay (its refund turns SUCCESS as it is asked about).
		for range 5 {
			if st, err := client.(*wechatpay.Client).QueryRefund(ctx, key); err != nil || st.Status == payment.RefundDone {
				break
			}
		}
		if st, err := fake.NotifyRefund(key, wechatpayfake.NoticeOptions{Replay: true}); err != nil || st[0] >= 300 || st[1] >= 300 {
			t.Fatalf("refund notification answered %v %v", st, err)
		}
		p = w.paymentOf(t, id, ref)
		if refunds := p["refunds"].([]any); refunds[0].(map[string]any)["status"] != "done" || p["refunded_amount"] != "19.99" {
			t.Fatalf("after the refund notification: %v", p)
		}
		ta.ledgerClean(t)

		// The other unit: WeChat Pay times out on the first ask; the retry
		// under the same key refunds once.
		fake.RefundsSucceedAtOnce()
		fake.TimeOutNext(1)
		c2, err := ta.db.OpenCase(ctx, cust, o.Lines[0].ID, store.RefundOnly, 1, "the other too")
		if err != nil {
			t.Fatal(err)
		}
		if c2, err = ta.db.DecideCase(ctx, op, c2.ID, true, "sorry", via); err != nil || c2.Status != store.CaseRefundDue {
			t.Fatalf("after the time-out: %+v %v", c2, err)
		}
		ta.clock.Advance(store.Backoff(1))
		if n, err := ta.db.RunDueEffects(ctx, via, 10); err != nil || n != 1 {
			t.Fatalf("the retry: %d %v", n, err)
		}
		p = w.paymentOf(t, id, ref)
		if p["refunded_amount"] != "39.98" || len(p["refunds"].([]any)) != 2 {
			t.Fatalf("after both refunds: %v", p)
		}
		ta.ledgerClean(t)
	})
}
