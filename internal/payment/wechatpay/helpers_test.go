package wechatpay_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

// newClient is a client of the fake with a short timeout.
func newClient(t *testing.T, f *wechatpayfake.Server, edit ...func(*wechatpay.Config)) *wechatpay.Client {
	t.Helper()
	cfg := f.Config()
	for _, e := range edit {
		e(&cfg)
	}
	c, err := wechatpay.New(cfg, &http.Client{Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// receiver is the merchant's notify_url: it parses each notification with
// the client and acknowledges it, as the payments API will.
type receiver struct {
	URL string
	mu  sync.Mutex
	got []*payment.Notification
	bad []error
}

func newReceiver(t *testing.T, c *wechatpay.Client) *receiver {
	r := &receiver{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		n, err := c.ParseNotification(req.Context(), req.Header, body)
		r.mu.Lock()
		if err != nil {
			r.bad = append(r.bad, err)
		} else {
			r.got = append(r.got, n)
		}
		r.mu.Unlock()
		c.Acknowledge(w, err)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/wechatpay/notify"
	return r
}

func (r *receiver) notifications() ([]*payment.Notification, []error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*payment.Notification(nil), r.got...), append([]error(nil), r.bad...)
}

// start opens a Native payment of amount fen.
func start(t *testing.T, c *wechatpay.Client, ref string, amount money.Amount, notifyURL string) {
	t.Helper()
	_, err := c.Start(context.Background(), payment.ChargeRequest{
		OrderID: 1, Reference: ref, Amount: amount, Currency: "CNY", Method: payment.MethodQR,
		Subject: "Sharemall 订单 " + ref, NotifyURL: notifyURL,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := errs.CodeOf(err); got != code {
		t.Fatalf("error %v: code %s, want %s", err, got, code)
	}
}

// wantTemporary: an error the outbox retries, neither Invalid nor NotFound.
func wantTemporary(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("no error, want a temporary one")
	}
	if c := errs.CodeOf(err); c == errs.Invalid || c == errs.NotFound {
		t.Fatalf("error %v is %s, want temporary", err, c)
	}
}

// clock is a settable clock shared by the client and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}
