package alipay_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/alipay/alipayfake"
)

// env is a client against a fake gateway, and the shop's notification
// endpoint, which verifies with the client and acknowledges as it says.
type env struct {
	fake   *alipayfake.Server
	client *alipay.Client
	recv   *httptest.Server

	mu   sync.Mutex
	got  []*payment.Notification
	errs []error
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{fake: alipayfake.New(alipayfake.Options{})}
	t.Cleanup(e.fake.Close)
	var err error
	e.client, err = alipay.New(e.fake.Config(), &http.Client{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.recv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		n, err := e.client.ParseNotification(r.Context(), r.Header, body)
		e.mu.Lock()
		if err != nil {
			e.errs = append(e.errs, err)
		} else {
			e.got = append(e.got, n)
		}
		e.mu.Unlock()
		e.client.Acknowledge(w, err)
	}))
	t.Cleanup(e.recv.Close)
	return e
}

func (e *env) notifications() ([]*payment.Notification, []error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*payment.Notification(nil), e.got...), append([]error(nil), e.errs...)
}

func (e *env) charge(ref string, amount money.Amount, m payment.Method) payment.ChargeRequest {
	return payment.ChargeRequest{OrderID: 1, Reference: ref, Amount: amount, Currency: "CNY", Method: m,
		Subject: "Sharemall 订单 " + ref, NotifyURL: e.recv.URL + "/notify/alipay", ReturnURL: "https://shop.example.com/orders/1"}
}

// startPaid opens a payment by the mobile web page, loads the page as the
// payer's browser does, and pays it.
func (e *env) startPaid(t *testing.T, ref string, amount money.Amount) {
	t.Helper()
	st, err := e.client.Start(context.Background(), e.charge(ref, amount, payment.MethodRedirect))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(st.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("payment page: HTTP %d", resp.StatusCode)
	}
	ds, err := e.fake.Pay(ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Body != "success" {
			t.Fatalf("payment notification answered %q (%v)", d.Body, d.Err)
		}
	}
}

func TestWapPayURLVerifies(t *testing.T) {
	e := newEnv(t)
	st, err := e.client.Start(context.Background(), e.charge("SMwap0001", 1234, payment.MethodRedirect))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(st.RedirectURL)
	if err != nil || !strings.HasPrefix(st.RedirectURL, e.fake.GatewayURL()+"?") {
		t.Fatalf("redirect %q is not to the gateway", st.RedirectURL)
	}
	q := u.Query()
	for k, want := range map[string]string{"method": "alipay.trade.wap.pay", "app_id": e.fake.AppID, "format": "JSON", "charset": "utf-8",
		"sign_type": "RSA2", "version": "1.0", "return_url": "https://shop.example.com/orders/1", "notify_url": e.recv.URL + "/notify/alipay"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if _, err := time.Parse("2006-01-02 15:04:05", q.Get("timestamp")); err != nil {
		t.Errorf("timestamp %q: %v", q.Get("timestamp"), err)
	}
	var biz map[string]string
	if err := json.Unmarshal([]byte(q.Get("biz_content")), &biz); err != nil {
		t.Fatal(err)
	}
	if biz["out_trade_no"] != "SMwap0001" || biz["total_amount"] != "12.34" || biz["product_code"] != "QUICK_WAP_WAY" || biz["quit_url"] == "" {
		t.Errorf("biz_content %v", biz)
	}
	if st.QRCode != "" || st.ProviderRef != "" {
		t.Errorf("started %+v", st)
	}
	// The page loads: the fake checked the signature as Alipay does.
	body, code := get(t, st.RedirectURL)
	if code != 200 || !strings.Contains(body, "12.34") {
		t.Fatalf("page: HTTP %d %s", code, body)
	}
	ps, err := e.client.Query(context.Background(), "SMwap0001")
	if err != nil || ps.Status != payment.PaymentOpen || ps.Amount != 1234 {
		t.Fatalf("query after the page: %+v %v", ps, err)
	}
	// The same URL with the amount changed by someone on the way is refused.
	biz["total_amount"] = "0.01"
	b, _ := json.Marshal(biz)
	q.Set("biz_content", string(b))
	u.RawQuery = q.Encode()
	body, code = get(t, u.String())
	if code != 400 || !strings.Contains(body, "isv.invalid-signature") {
		t.Fatalf("tampered page: HTTP %d %s", code, body)
	}
}

func get(t *testing.T, u string) (string, int) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

func TestPrecreateQR(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	st, err := e.client.Start(ctx, e.charge("SMqr00001", 9900, payment.MethodQR))
	if err != nil {
		t.Fatal(err)
	}
	// The fake writes "/" as "\/" as Alipay does: the signature verified
	// over the raw bytes, and the code reads back unescaped.
	if !strings.HasPrefix(st.QRCode, "https://qr.alipay.com/bax") {
		t.Fatalf("qr code %q", st.QRCode)
	}
	// Asked again (a retry), the same code.
	st2, err := e.client.Start(ctx, e.charge("SMqr00001", 9900, payment.MethodQR))
	if err != nil || st2.QRCode != st.QRCode {
		t.Fatalf("again: %+v %v", st2, err)
	}
	// Not scanned yet: Alipay does not know the trade.
	if _, err := e.client.Query(ctx, "SMqr00001"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("query before scanning: %v", err)
	}
	// The same reference for another amount is refused for good.
	if _, err := e.client.Start(ctx, e.charge("SMqr00001", 100, payment.MethodQR)); !errs.Is(err, errs.Invalid) {
		t.Fatalf("another amount: %v", err)
	}
	if _, err := e.fake.Pay("SMqr00001"); err != nil {
		t.Fatal(err)
	}
	ps, err := e.client.Query(ctx, "SMqr00001")
	if err != nil || ps.Status != payment.PaymentPaid || ps.Amount != 9900 {
		t.Fatalf("after paying: %+v %v", ps, err)
	}
}

func TestPayNotificationVerified(t *testing.T) {
	e := newEnv(t)
	e.startPaid(t, "SMpay0001", 19900)
	got, bad := e.notifications()
	if len(got) != 1 || len(bad) != 0 {
		t.Fatalf("notifications %v, errors %v", got, bad)
	}
	n := got[0]
	tr, _ := e.fake.Trade("SMpay0001")
	if n.Kind != payment.NotifyPayment || n.EventID == "" || n.Reference != "SMpay0001" || n.ProviderRef != tr.TradeNo || n.Refund != nil {
		t.Fatalf("notification %+v", n)
	}
	p := n.Payment
	if p.Status != payment.PaymentPaid || p.Amount != 19900 || p.Currency != "CNY" || p.Payer == "" || p.PaidAt.IsZero() || p.Refunded != 0 {
		t.Fatalf("payment %+v", p)
	}
	ps, err := e.client.Query(context.Background(), "SMpay0001")
	if err != nil || ps.Status != payment.PaymentPaid || ps.ProviderRef != tr.TradeNo || !ps.PaidAt.Equal(p.PaidAt) || ps.Payer != p.Payer {
		t.Fatalf("query %+v %v (notification %+v)", ps, err, p)
	}
}

func TestNotificationTwiceSameEventID(t *testing.T) {
	e := newEnv(t)
	e.fake.DuplicateNotifications(true)
	e.startPaid(t, "SMdup0001", 500)
	got, bad := e.notifications()
	if len(got) != 2 || len(bad) != 0 {
		t.Fatalf("notifications %d, errors %v", len(got), bad)
	}
	if got[0].EventID != got[1].EventID || got[0].EventID == "" {
		t.Fatalf("event ids %q and %q", got[0].EventID, got[1].EventID)
	}
	if ds := e.fake.Deliveries(); len(ds) != 2 || ds[0].Body != "success" || ds[1].Body != "success" {
		t.Fatalf("deliveries %+v", ds)
	}
}

func TestNotificationForgedRefused(t *testing.T) {
	e := newEnv(t)
	e.fake.WrongNotifySignature(true)
	st, err := e.client.Start(context.Background(), e.charge("SMbad0001", 500, payment.MethodRedirect))
	if err != nil {
		t.Fatal(err)
	}
	get(t, st.RedirectURL)
	ds, err := e.fake.Pay("SMbad0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].Body != "failure" {
		t.Fatalf("a forged notification was answered %+v", ds)
	}
	got, bad := e.notifications()
	if len(got) != 0 || len(bad) != 1 || !errs.Is(bad[0], errs.Invalid) || errs.FieldOf(bad[0]) != "sign" {
		t.Fatalf("got %v, errors %v", got, bad)
	}

	// A genuine notification changed on the way: refused.
	e.fake.WrongNotifySignature(false)
	form := ds[0].Form
	form.Set("sign", signAsAlipay(t, e, form))
	if _, err := e.client.ParseNotification(context.Background(), nil, []byte(form.Encode())); err != nil {
		t.Fatalf("re-signed as Alipay: %v", err)
	}
	form.Set("total_amount", "0.01")
	if _, err := e.client.ParseNotification(context.Background(), nil, []byte(form.Encode())); errs.FieldOf(err) != "sign" {
		t.Fatalf("tampered amount: %v", err)
	}

	// Signed by Alipay, but for another application: refused.
	cfg := e.fake.Config()
	cfg.AppID = "2021000000009999"
	other, err := alipay.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	form.Set("total_amount", "5.00")
	form.Set("sign", signAsAlipay(t, e, form))
	if _, err := other.ParseNotification(context.Background(), nil, []byte(form.Encode())); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "app_id" {
		t.Fatalf("another app's notification: %v", err)
	}
	// Signed by Alipay, for this app, but another seller: refused when the
	// merchant's PID is configured.
	cfg = e.fake.Config()
	cfg.SellerID = "2088999999999999"
	pid, _ := alipay.New(cfg, nil)
	if _, err := pid.ParseNotification(context.Background(), nil, []byte(form.Encode())); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "seller_id" {
		t.Fatalf("another seller's notification: %v", err)
	}
	cfg.SellerID = e.fake.SellerID
	pid, _ = alipay.New(cfg, nil)
	if _, err := pid.ParseNotification(context.Background(), nil, []byte(form.Encode())); err != nil {
		t.Fatalf("this seller's notification: %v", err)
	}
	// Not a form, no sign: refused, never a panic.
	for _, body := range []string{"", "%zz", "a=b", "sign=abc&sign_type=RSA2"} {
		if _, err := e.client.ParseNotification(context.Background(), nil, []byte(body)); !errs.Is(err, errs.Invalid) {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func TestNotificationAmountMismatchIsReported(t *testing.T) {
	e := newEnv(t)
	e.fake.NotifyAmountDelta(-100)
	e.startPaid(t, "SMamt0001", 1000)
	got, _ := e.notifications()
	if len(got) != 1 {
		t.Fatalf("notifications %v", got)
	}
	// Verified (Alipay signed it), and read as it says: the caller
	// compares with the payment's amount and refuses to book it.
	if got[0].Payment.Amount != 900 {
		t.Fatalf("amount %d, want the notification's 900", got[0].Payment.Amount)
	}
}

func TestWrongAppKeyRefusedByAlipay(t *testing.T) {
	e := newEnv(t)
	cfg := e.fake.Config()
	cfg.PrivateKey = otherKey(t)
	c, err := alipay.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Start(context.Background(), e.charge("SMkey0001", 100, payment.MethodQR))
	if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "sign" || !strings.Contains(err.Error(), "isv.invalid-signature") {
		t.Fatalf("a request signed with the wrong key: %v", err)
	}
	cfg = e.fake.Config()
	cfg.AppID = "2021000000009999"
	c, _ = alipay.New(cfg, nil)
	if _, err := c.Query(context.Background(), "SMkey0001"); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "app_id" {
		t.Fatalf("an unknown app id: %v", err)
	}
}

func TestQueryStates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.Query(ctx, "SMnone001"); !errs.Is(err, errs.NotFound) {
		t.Fatalf("unknown: %v", err)
	}
	st, _ := e.client.Start(ctx, e.charge("SMopen001", 300, payment.MethodRedirect))
	get(t, st.RedirectURL)
	if ps, err := e.client.Query(ctx, "SMopen001"); err != nil || ps.Status != payment.PaymentOpen {
		t.Fatalf("open: %+v %v", ps, err)
	}
	if err := e.client.Close(ctx, "SMopen001"); err != nil {
		t.Fatal(err)
	}
	if ps, err := e.client.Query(ctx, "SMopen001"); err != nil || ps.Status != payment.PaymentClosed || ps.Refunded != 0 {
		t.Fatalf("closed: %+v %v", ps, err)
	}
	if _, err := e.fake.Pay("SMopen001"); err == nil {
		t.Fatal("a closed trade was paid")
	}
	e.startPaid(t, "SMfull001", 800)
	if err := e.client.Close(ctx, "SMfull001"); !errs.Is(err, errs.Invalid) {
		t.Fatalf("closing a paid trade: %v", err)
	}
	if _, err := e.client.Refund(ctx, refund("SMfull001", "RFfull001", 800)); err != nil {
		t.Fatal(err)
	}
	// TRADE_CLOSED after a payment: paid, refunded in full.
	ps, err := e.client.Query(ctx, "SMfull001")
	if err != nil || ps.Status != payment.PaymentPaid || ps.Refunded != 800 {
		t.Fatalf("refunded in full: %+v %v", ps, err)
	}
	if _, err := e.client.Query(ctx, "bad ref"); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "reference" {
		t.Fatalf("bad reference: %v", err)
	}
}

func refund(ref, key string, amount money.Amount) payment.RefundRequest {
	return payment.RefundRequest{Reference: ref, RefundKey: key, Amount: amount, Currency: "CNY", Reason: "customer asked"}
}

func TestPartialThenFullRefund(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.startPaid(t, "SMref0001", 10000)
	rs, err := e.client.Refund(ctx, refund("SMref0001", "RFa", 3000))
	if err != nil || rs.Status != payment.RefundDone || rs.Amount != 3000 || rs.RefundKey != "RFa" || rs.DoneAt.IsZero() {
		t.Fatalf("partial refund: %+v %v", rs, err)
	}
	if tr, _ := e.fake.Trade("SMref0001"); tr.Refunded != 3000 || tr.Status != "TRADE_SUCCESS" {
		t.Fatalf("at Alipay: %+v", tr)
	}
	rs, err = e.client.Refund(ctx, refund("SMref0001", "RFb", 7000))
	if err != nil || rs.Status != payment.RefundDone || rs.Amount != 7000 {
		t.Fatalf("the rest: %+v %v", rs, err)
	}
	if tr, _ := e.fake.Trade("SMref0001"); tr.Refunded != 10000 || tr.Status != "TRADE_CLOSED" || tr.Refunds != 2 {
		t.Fatalf("at Alipay: %+v", tr)
	}
	e.fake.Deliveries() // waits for the refund notifications
	got, bad := e.notifications()
	if len(bad) != 0 || len(got) != 3 {
		t.Fatalf("notifications %d, errors %v", len(got), bad)
	}
	byKey := map[string]*payment.Notification{}
	for _, n := range got[1:] {
		if n.Kind != payment.NotifyRefund || n.Refund == nil {
			t.Fatalf("refund notification %+v", n)
		}
		byKey[n.Refund.RefundKey] = n
	}
	a, b := byKey["RFa"], byKey["RFb"]
	if a == nil || b == nil {
		t.Fatalf("refund notifications by key %v", byKey)
	}
	if a.Refund.Amount != 3000 || a.Refund.Status != payment.RefundDone || a.Payment.Refunded != 3000 || a.Payment.Status != payment.PaymentPaid {
		t.Fatalf("first refund's notification: %+v %+v", a.Refund, a.Payment)
	}
	if b.Refund.Amount != 7000 || b.Payment.Refunded != 10000 || b.Payment.Status != payment.PaymentPaid {
		t.Fatalf("second refund's notification: %+v %+v", b.Refund, b.Payment)
	}
	// Refunded in full: nothing more can be.
	if _, err := e.client.Refund(ctx, refund("SMref0001", "RFc", 1)); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a refund of a closed trade: %v", err)
	}
}

func TestOverRefundRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.startPaid(t, "SMover001", 5000)
	// Caught before asking when the total is given.
	r := refund("SMover001", "RFo1", 5001)
	r.Total = 5000
	if _, err := e.client.Refund(ctx, r); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "amount" {
		t.Fatalf("over the total: %v", err)
	}
	if n := e.fake.Calls(alipay.MethodRefund); n != 0 {
		t.Fatalf("asked Alipay %d times", n)
	}
	if _, err := e.client.Refund(ctx, refund("SMover001", "RFo2", 3000)); err != nil {
		t.Fatal(err)
	}
	// Alipay refuses what is over the rest: ACQ.REASON_TRADE_REFUND_FEE_ERR.
	_, err := e.client.Refund(ctx, refund("SMover001", "RFo3", 2001))
	if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "amount" {
		t.Fatalf("over the rest: %v", err)
	}
	if tr, _ := e.fake.Trade("SMover001"); tr.Refunded != 3000 {
		t.Fatalf("refunded %d", tr.Refunded)
	}
	// The same key for another amount is refused, not taken for a repeat.
	if _, err := e.client.Refund(ctx, refund("SMover001", "RFo2", 1000)); !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != "refund_key" {
		t.Fatalf("a key reused for another amount: %v", err)
	}
	if _, err := e.client.Refund(ctx, refund("SMnone001", "RFo4", 100)); !errs.Is(err, errs.NotFound) {
		t.Fatalf("a refund of an unknown trade: %v", err)
	}
}

func TestRefundTimeoutThenRetryRefundsOnce(t *testing.T) {
	e := newEnv(t)
	e.startPaid(t, "SMtime001", 6000)
	c, err := alipay.New(e.fake.Config(), &http.Client{Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e.fake.TimeoutRefunds(2)
	// The refund is made, its answer lost: the refund query says it is done.
	rs, err := c.Refund(ctx, refund("SMtime001", "RFt1", 2500))
	if err != nil || rs.Status != payment.RefundDone || rs.Amount != 2500 {
		t.Fatalf("after a timeout: %+v %v", rs, err)
	}
	// Asked again (the outbox's retry, a second server): the repeat times
	// out too, and still nothing is refunded twice.
	rs, err = c.Refund(ctx, refund("SMtime001", "RFt1", 2500))
	if err != nil || rs.Status != payment.RefundDone {
		t.Fatalf("the retry: %+v %v", rs, err)
	}
	// And once more with an answer: fund_change N, then the query.
	rs, err = c.Refund(ctx, refund("SMtime001", "RFt1", 2500))
	if err != nil || rs.Status != payment.RefundDone || rs.Amount != 2500 {
		t.Fatalf("the repeat: %+v %v", rs, err)
	}
	tr, _ := e.fake.Trade("SMtime001")
	if tr.Refunded != 2500 || tr.Refunds != 1 || e.fake.Calls(alipay.MethodRefund) != 3 {
		t.Fatalf("at Alipay: %+v after %d refund calls", tr, e.fake.Calls(alipay.MethodRefund))
	}
}

func TestStartBadInput(t *testing.T) {
	e := newEnv(t)
	ok := e.charge("SMgood001", 100, payment.MethodQR)
	cases := []struct {
		field string
		edit  func(*payment.ChargeRequest)
	}{
		{"currency", func(c *payment.ChargeRequest) { c.Currency = "USD" }},
		{"reference", func(c *payment.ChargeRequest) { c.Reference = "short" }},
		{"reference", func(c *payment.ChargeRequest) { c.Reference = "has space 01" }},
		{"amount", func(c *payment.ChargeRequest) { c.Amount = 0 }},
		{"amount", func(c *payment.ChargeRequest) { c.Amount = -5 }},
		{"amount", func(c *payment.ChargeRequest) { c.Amount = 100_000_000_01 }},
		{"subject", func(c *payment.ChargeRequest) { c.Subject = "  " }},
		{"subject", func(c *payment.ChargeRequest) { c.Subject = strings.Repeat("商", 257) }},
		{"method", func(c *payment.ChargeRequest) { c.Method = payment.MethodJSAPI }},
		{"notify_url", func(c *payment.ChargeRequest) { c.NotifyURL = "" }},
		{"notify_url", func(c *payment.ChargeRequest) { c.NotifyURL = "/relative" }},
		{"return_url", func(c *payment.ChargeRequest) { c.Method = payment.MethodRedirect; c.ReturnURL = "" }},
		{"expires_at", func(c *payment.ChargeRequest) { c.ExpiresAt = time.Now().Add(-time.Minute) }},
	}
	for _, tc := range cases {
		c := ok
		tc.edit(&c)
		_, err := e.client.Start(context.Background(), c)
		if !errs.Is(err, errs.Invalid) || errs.FieldOf(err) != tc.field {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
	if n := e.fake.Calls(alipay.MethodPrecreate); n != 0 {
		t.Fatalf("bad input reached Alipay %d times", n)
	}
	for _, r := range []payment.RefundRequest{
		{Reference: "SMgood001", RefundKey: "", Amount: 1, Currency: "CNY"},
		{Reference: "SMgood001", RefundKey: "k", Amount: 1, Currency: "HKD"},
		{Reference: "SMgood001", RefundKey: "k", Amount: 0, Currency: "CNY"},
	} {
		if _, err := e.client.Refund(context.Background(), r); !errs.Is(err, errs.Invalid) {
			t.Errorf("refund %+v: %v", r, err)
		}
	}
	// An expiry is sent as Alipay's time_expire, in Beijing time.
	c := ok
	c.Method = payment.MethodRedirect
	c.ExpiresAt = time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC)
	st, err := e.client.Start(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(st.RedirectURL)
	if !strings.Contains(u.Query().Get("biz_content"), `"time_expire":"2099-01-02 11:04:05"`) {
		t.Fatalf("biz_content %s", u.Query().Get("biz_content"))
	}
}

// TestPayButtonReturnsToTheShop: the fake's page, as a browser test uses
// it: the pay button pays, notifies, and sends the browser back to
// return_url with Alipay's signed return parameters.
func TestPayButtonReturnsToTheShop(t *testing.T) {
	e := newEnv(t)
	st, err := e.client.Start(context.Background(), e.charge("SMbtn0001", 2500, payment.MethodRedirect))
	if err != nil {
		t.Fatal(err)
	}
	page, code := get(t, st.RedirectURL)
	if code != 200 || !strings.Contains(page, `data-test="pay"`) {
		t.Fatalf("page %d %s", code, page)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(e.fake.URL+"/pay/SMbtn0001", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), "https://shop.example.com/orders/1?") {
		t.Fatalf("pay button: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("method") != "alipay.trade.wap.pay.return" || q.Get("out_trade_no") != "SMbtn0001" || q.Get("total_amount") != "25.00" ||
		!verifiesAsAlipay(e, q) {
		t.Fatalf("return parameters %v", q)
	}
	if got, _ := e.notifications(); len(got) != 1 || got[0].Payment.Status != payment.PaymentPaid {
		t.Fatalf("notifications %v", got)
	}
}
