package wechatpay_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

// paid is a paid Native payment of total fen.
func paid(t *testing.T, f *wechatpayfake.Server, c *wechatpay.Client, ref string, total money.Amount) {
	t.Helper()
	start(t, c, ref, total, "https://shop.example/n")
	if err := f.Pay(ref); err != nil {
		t.Fatal(err)
	}
}

func refundReq(ref, key string, amount, total money.Amount) payment.RefundRequest {
	return payment.RefundRequest{Reference: ref, RefundKey: key, Amount: amount, Total: total, Currency: "CNY", Reason: "商品已售完"}
}

func TestRefundPartThenWholeAndNoMore(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	paid(t, f, c, "SMREFUND01", 10000)

	st, err := c.Refund(ctx, refundReq("SMREFUND01", "RF-1-1", 3000, 10000))
	if err != nil || st.Status != payment.RefundDone || st.Amount != 3000 || st.ProviderRef == "" || st.DoneAt.IsZero() || st.RefundKey != "RF-1-1" {
		t.Fatalf("%+v %v", st, err)
	}
	st, err = c.Refund(ctx, refundReq("SMREFUND01", "RF-1-2", 7000, 10000))
	if err != nil || st.Status != payment.RefundDone {
		t.Fatalf("%+v %v", st, err)
	}
	// Nothing is left: one fen more is refused for good.
	_, err = c.Refund(ctx, refundReq("SMREFUND01", "RF-1-3", 1, 10000))
	wantCode(t, err, errs.Invalid)
	// Asked again with the first key (a crash, a second server): the same
	// refund's state, nothing more given back.
	st, err = c.Refund(ctx, refundReq("SMREFUND01", "RF-1-1", 3000, 10000))
	if err != nil || st.Status != payment.RefundDone || st.Amount != 3000 {
		t.Fatalf("%+v %v", st, err)
	}
	if got := f.Refunded("SMREFUND01"); got != 10000 {
		t.Fatalf("refunded %d at WeChat Pay, want 10000", got)
	}
	// A key reused for another amount is refused, not taken as the answer.
	_, err = c.Refund(ctx, refundReq("SMREFUND01", "RF-1-1", 2000, 10000))
	wantCode(t, err, errs.Invalid)
}

func TestRefundOverTheRemainderRefused(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	paid(t, f, c, "SMREFUND02", 10000)
	if _, err := c.Refund(ctx, refundReq("SMREFUND02", "RF-2-1", 6000, 10000)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Refund(ctx, refundReq("SMREFUND02", "RF-2-2", 5000, 10000))
	wantCode(t, err, errs.Invalid)
	if got := f.Refunded("SMREFUND02"); got != 6000 {
		t.Fatalf("refunded %d", got)
	}
	// Refunds of an unknown payment: NotFound.
	_, err = c.Refund(ctx, refundReq("SMNOSUCH02", "RF-2-3", 1, 100))
	wantCode(t, err, errs.NotFound)
	// Bad requests never reach WeChat Pay.
	n := len(f.Requests())
	for _, tc := range []struct {
		field string
		r     payment.RefundRequest
	}{
		{"currency", payment.RefundRequest{Reference: "SMREFUND02", RefundKey: "k", Amount: 1, Total: 10000, Currency: "USD"}},
		{"refund_key", refundReq("SMREFUND02", "", 1, 10000)},
		{"refund_key", refundReq("SMREFUND02", "RF 2", 1, 10000)},
		{"amount", refundReq("SMREFUND02", "RF-2-4", 0, 10000)},
		{"amount", refundReq("SMREFUND02", "RF-2-4", 10001, 10000)},
		{"total", refundReq("SMREFUND02", "RF-2-4", 1, 0)},
		{"reference", refundReq("", "RF-2-4", 1, 10000)},
	} {
		_, err := c.Refund(ctx, tc.r)
		wantCode(t, err, errs.Invalid)
		if errs.FieldOf(err) != tc.field {
			t.Errorf("%+v: field %q, want %q", tc.r, errs.FieldOf(err), tc.field)
		}
	}
	if len(f.Requests()) != n {
		t.Fatal("a bad refund reached WeChat Pay")
	}
}

func TestRefundTimeoutThenConfirmedByTheRetry(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	paid(t, f, c, "SMREFUND03", 10000)
	// WeChat Pay takes the refund but the answer never comes back in time.
	f.TimeOutNext(1)
	_, err := c.Refund(ctx, refundReq("SMREFUND03", "RF-3-1", 2500, 10000))
	wantTemporary(t, err)
	if rf, ok := f.RefundOf("RF-3-1"); !ok || rf.Status != "SUCCESS" {
		t.Fatalf("the refund should exist at WeChat Pay: %+v", rf)
	}
	// The outbox asks again with the same key: confirmed, refunded once.
	st, err := c.Refund(ctx, refundReq("SMREFUND03", "RF-3-1", 2500, 10000))
	if err != nil || st.Status != payment.RefundDone || st.Amount != 2500 {
		t.Fatalf("%+v %v", st, err)
	}
	if got := f.Refunded("SMREFUND03"); got != 2500 {
		t.Fatalf("refunded %d, want 2500", got)
	}
	// Temporary refusals are retried too.
	f.FailNext(1, http.StatusInternalServerError, "SYSTEM_ERROR")
	_, err = c.Refund(ctx, refundReq("SMREFUND03", "RF-3-2", 100, 10000))
	wantTemporary(t, err)
	if _, ok := f.RefundOf("RF-3-2"); ok {
		t.Fatal("a failed call took effect")
	}
}

func TestRefundProcessingThenSuccess(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	rcv := newReceiver(t, c)
	ctx := context.Background()
	paid(t, f, c, "SMREFUND04", 10000)
	f.RefundsProcessing(2)
	r := refundReq("SMREFUND04", "RF-4-1", 4000, 10000)
	r.NotifyURL = rcv.URL
	for i, want := range []string{payment.RefundPending, payment.RefundPending, payment.RefundDone, payment.RefundDone} {
		st, err := c.Refund(ctx, r)
		if err != nil || st.Status != want {
			t.Fatalf("call %d: %+v %v, want %s", i, st, err, want)
		}
	}
	if got := f.Refunded("SMREFUND04"); got != 4000 {
		t.Fatalf("refunded %d", got)
	}
	// Its notification, delivered twice.
	statuses, err := f.NotifyRefund("RF-4-1", wechatpayfake.NoticeOptions{Replay: true})
	if err != nil || len(statuses) != 2 || statuses[0] != http.StatusNoContent {
		t.Fatalf("%v %v", statuses, err)
	}
	got, bad := rcv.notifications()
	if len(bad) != 0 || len(got) != 2 || got[0].EventID != got[1].EventID {
		t.Fatalf("%v %v", got, bad)
	}
	n := got[0]
	if n.Kind != payment.NotifyRefund || n.Reference != "SMREFUND04" || n.Refund.RefundKey != "RF-4-1" || n.Refund.Status != payment.RefundDone || n.Refund.Amount != 4000 || n.Refund.DoneAt.IsZero() {
		t.Fatalf("%+v %+v", n, n.Refund)
	}
	st, err := c.QueryRefund(ctx, "RF-4-1")
	if err != nil || st.Status != payment.RefundDone {
		t.Fatalf("%+v %v", st, err)
	}
	_, err = c.QueryRefund(ctx, "RF-NOSUCH")
	wantCode(t, err, errs.NotFound)
}

func TestRefundAnsweredExistsIsReadBack(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	paid(t, f, c, "SMREFUND05", 10000)
	f.RefundsProcessing(1)
	if st, err := c.Refund(ctx, refundReq("SMREFUND05", "RF-5-1", 100, 10000)); err != nil || st.Status != payment.RefundPending {
		t.Fatalf("%+v %v", st, err)
	}
	f.RepeatAnswersExists(true)
	st, err := c.Refund(ctx, refundReq("SMREFUND05", "RF-5-1", 100, 10000))
	if err != nil || st.Status != payment.RefundDone {
		t.Fatalf("%+v %v", st, err)
	}
	reqs := f.Requests()
	if last := reqs[len(reqs)-1]; last != "GET /v3/refund/domestic/refunds/RF-5-1" {
		t.Fatalf("last request %q, want the refund read back", last)
	}
}

func TestRefundAbnormalOrClosedFails(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	ctx := context.Background()
	paid(t, f, c, "SMREFUND06", 10000)
	f.RefundsProcessing(5)
	r := refundReq("SMREFUND06", "RF-6-1", 100, 10000)
	if _, err := c.Refund(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := f.FailRefund("RF-6-1", "ABNORMAL"); err != nil {
		t.Fatal(err)
	}
	st, err := c.Refund(ctx, r)
	if err != nil || st.Status != payment.RefundFailed {
		t.Fatalf("%+v %v", st, err)
	}
	h, body, err := f.RefundNotice("RF-6-1", wechatpayfake.NoticeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.ParseNotification(ctx, h, body)
	if err != nil || n.Kind != payment.NotifyRefund || n.Refund.Status != payment.RefundFailed {
		t.Fatalf("%+v %v", n, err)
	}
	if err := f.FailRefund("RF-6-1", "CLOSED"); err != nil {
		t.Fatal(err)
	}
	h, body, _ = f.RefundNotice("RF-6-1", wechatpayfake.NoticeOptions{})
	if n, err := c.ParseNotification(ctx, h, body); err != nil || n.Refund.Status != payment.RefundFailed {
		t.Fatalf("%+v %v", n, err)
	}
}

// Two servers (or the outbox and a person) asking for the same refund at
// once: WeChat Pay serialises them on out_refund_no, every caller gets the
// same refund's state, and the money goes back once.
func TestSameRefundAskedConcurrentlyRefundsOnce(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	paid(t, f, c, "SMREFUND07", 10000)
	f.RefundsProcessing(3)
	var wg sync.WaitGroup
	states := make(chan *payment.RefundState, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := c.Refund(context.Background(), refundReq("SMREFUND07", "RF-7-1", 4200, 10000))
			if err != nil {
				t.Error(err)
				return
			}
			states <- st
		}()
	}
	wg.Wait()
	close(states)
	id := ""
	for st := range states {
		if st.Amount != 4200 || (id != "" && st.ProviderRef != id) {
			t.Fatalf("%+v", st)
		}
		id = st.ProviderRef
	}
	if got := f.Refunded("SMREFUND07"); got != 4200 {
		t.Fatalf("refunded %d, want 4200", got)
	}
	if rf, _ := f.RefundOf("RF-7-1"); rf.Status != "SUCCESS" {
		t.Fatalf("after 7 repeats of a refund that succeeds at its 3rd query: %s", rf.Status)
	}
}
