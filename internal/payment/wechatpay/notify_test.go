package wechatpay_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

func TestPayNotifiedTwiceVerifiedAndDecrypted(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	rcv := newReceiver(t, c)
	start(t, c, "SMNOTIFY01", 12800, rcv.URL)

	statuses, err := f.PayAndNotify("SMNOTIFY01", wechatpayfake.NoticeOptions{Replay: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(statuses) != 2 || statuses[0] != http.StatusNoContent || statuses[1] != http.StatusNoContent {
		t.Fatalf("acknowledged %v, want 204 twice", statuses)
	}
	got, bad := rcv.notifications()
	if len(bad) != 0 || len(got) != 2 {
		t.Fatalf("got %d, refused %v", len(got), bad)
	}
	_, tx, _ := f.Order("SMNOTIFY01")
	for _, n := range got {
		if n.Kind != payment.NotifyPayment || n.Reference != "SMNOTIFY01" || n.ProviderRef != tx.TransactionID ||
			n.Payment.Status != payment.PaymentPaid || n.Payment.Amount != 12800 || n.Payment.Currency != "CNY" ||
			n.Payment.PaidAt.IsZero() || n.Payment.Payer == "" {
			t.Fatalf("notification %+v payment %+v", n, n.Payment)
		}
	}
	if got[0].EventID == "" || got[0].EventID != got[1].EventID {
		t.Fatalf("a redelivery must carry the same EventID: %q %q", got[0].EventID, got[1].EventID)
	}
}

func TestForgedStaleOrTamperedNotificationsRefused(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	rcv := newReceiver(t, c)
	start(t, c, "SMFORGED01", 100, rcv.URL)
	if err := f.Pay("SMFORGED01"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		o     wechatpayfake.NoticeOptions
		field string
	}{
		{"wrong signature", wechatpayfake.NoticeOptions{BadSignature: true}, wechatpay.HeaderSignature},
		{"stale timestamp", wechatpayfake.NoticeOptions{Stale: 6 * time.Minute}, wechatpay.HeaderTimestamp},
		{"tampered ciphertext", wechatpayfake.NoticeOptions{TamperCiphertext: true}, "resource"},
	}
	for _, tc := range cases {
		h, body, err := f.PaymentNotice("SMFORGED01", tc.o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ParseNotification(context.Background(), h, body)
		wantCode(t, err, errs.Invalid)
		if errs.FieldOf(err) != tc.field {
			t.Errorf("%s: field %q, want %q: %v", tc.name, errs.FieldOf(err), tc.field, err)
		}
		// Delivered: refused with 500 {"code":"FAIL"}, so WeChat Pay sends it again.
		st, err := f.Deliver(rcv.URL, h, body)
		if err != nil || st != http.StatusInternalServerError {
			t.Fatalf("%s: delivered: %d %v", tc.name, st, err)
		}
	}
	// A body altered after signing fails the signature.
	h, body, _ := f.PaymentNotice("SMFORGED01", wechatpayfake.NoticeOptions{})
	_, err := c.ParseNotification(context.Background(), h, []byte(strings.Replace(string(body), "TRANSACTION.SUCCESS", "REFUND.SUCCESS", 1)))
	wantCode(t, err, errs.Invalid)
	// A stale one 4 minutes old is still fresh.
	h, body, _ = f.PaymentNotice("SMFORGED01", wechatpayfake.NoticeOptions{Stale: 4 * time.Minute})
	if _, err := c.ParseNotification(context.Background(), h, body); err != nil {
		t.Fatal(err)
	}
	// Missing headers.
	_, err = c.ParseNotification(context.Background(), http.Header{}, body)
	wantCode(t, err, errs.Invalid)
	got, _ := rcv.notifications()
	if len(got) != 0 {
		t.Fatalf("accepted %d forged notifications", len(got))
	}
	// Sent to a URL of the test's choosing, with a wrong signature: 500, nothing accepted.
	st, err := f.SendNotification(rcv.URL, "SMFORGED01", wechatpayfake.NoticeOptions{BadSignature: true, Replay: true})
	if err != nil || len(st) != 2 || st[0] != http.StatusInternalServerError || st[1] != http.StatusInternalServerError {
		t.Fatalf("%v %v", st, err)
	}
	st, err = f.SendNotification(rcv.URL, "SMFORGED01", wechatpayfake.NoticeOptions{})
	if err != nil || len(st) != 1 || st[0] != http.StatusNoContent {
		t.Fatalf("%v %v", st, err)
	}
}

func TestNotificationWithAnotherAmountIsReportedAsSent(t *testing.T) {
	// The client reports what WeChat Pay says; the payment's owner compares
	// it with the order and refuses to mark it paid.
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	start(t, c, "SMAMOUNT01", 12800, "https://shop.example/n")
	if err := f.Pay("SMAMOUNT01"); err != nil {
		t.Fatal(err)
	}
	h, body, err := f.PaymentNotice("SMAMOUNT01", wechatpayfake.NoticeOptions{Amount: 1})
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.ParseNotification(context.Background(), h, body)
	if err != nil || n.Payment.Amount != 1 {
		t.Fatalf("%+v %v", n, err)
	}
}

func TestUnknownSerialFetchesCertificatesAtMostOnceAMinute(t *testing.T) {
	f := wechatpayfake.New(t)
	clk := &clock{t: time.Now()}
	f.SetNow(clk.Now)
	c := newClient(t, f, func(cfg *wechatpay.Config) { cfg.Now = clk.Now })
	start(t, c, "SMROTATE01", 100, "https://shop.example/n")
	if err := f.Pay("SMROTATE01"); err != nil {
		t.Fatal(err)
	}
	// The certificate from the file verifies at once, but the list was
	// never fetched, so the first verification also fetches it (the 12-hour
	// refresh counts from there).
	if _, err := c.Query(context.Background(), "SMROTATE01"); err != nil {
		t.Fatal(err)
	}
	if n := f.CertificateFetches(); n != 1 {
		t.Fatalf("fetches %d, want 1", n)
	}
	// WeChat Pay rotates: its notification names a serial we have not seen.
	clk.Add(2 * time.Minute)
	f.RotatePlatformCert()
	h, body, _ := f.PaymentNotice("SMROTATE01", wechatpayfake.NoticeOptions{})
	if h.Get(wechatpay.HeaderSerial) != f.Platform().Serial {
		t.Fatal("the fake did not sign with the new certificate")
	}
	if _, err := c.ParseNotification(context.Background(), h, body); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if n := f.CertificateFetches(); n != 2 {
		t.Fatalf("fetches %d, want 2", n)
	}
	// A serial WeChat Pay never issued: refused, and the fetch it causes is
	// not repeated within a minute however many arrive.
	clk.Add(2 * time.Minute)
	for range 5 {
		h, body, _ = f.PaymentNotice("SMROTATE01", wechatpayfake.NoticeOptions{UnknownSerial: true})
		_, err := c.ParseNotification(context.Background(), h, body)
		wantCode(t, err, errs.Invalid)
		if errs.FieldOf(err) != wechatpay.HeaderSerial {
			t.Fatalf("field %q", errs.FieldOf(err))
		}
	}
	if n := f.CertificateFetches(); n != 3 {
		t.Fatalf("fetches %d, want 3", n)
	}
	clk.Add(61 * time.Second)
	h, body, _ = f.PaymentNotice("SMROTATE01", wechatpayfake.NoticeOptions{UnknownSerial: true})
	_, err := c.ParseNotification(context.Background(), h, body)
	wantCode(t, err, errs.Invalid)
	if n := f.CertificateFetches(); n != 4 {
		t.Fatalf("fetches %d, want 4", n)
	}
}

func TestCertificatesFetchedOnceByConcurrentCallsAndRefreshedEvery12Hours(t *testing.T) {
	f := wechatpayfake.New(t)
	clk := &clock{t: time.Now()}
	f.SetNow(clk.Now)
	// No certificate file: the client must fetch the list before trusting any answer.
	c := newClient(t, f, func(cfg *wechatpay.Config) { cfg.Now = clk.Now; cfg.PlatformCertFile = "" })
	start(t, c, "SMCERTS001", 100, "https://shop.example/n")
	if n := f.CertificateFetches(); n != 1 {
		t.Fatalf("fetches %d, want 1", n)
	}
	var wg sync.WaitGroup
	errc := make(chan error, 20)
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Query(context.Background(), "SMCERTS001")
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.CertificateFetches(); n != 1 {
		t.Fatalf("fetches %d after 20 concurrent calls, want 1", n)
	}
	clk.Add(11 * time.Hour)
	if _, err := c.Query(context.Background(), "SMCERTS001"); err != nil {
		t.Fatal(err)
	}
	if n := f.CertificateFetches(); n != 1 {
		t.Fatalf("fetches %d after 11 h, want 1", n)
	}
	clk.Add(time.Hour)
	// 12 hours on, concurrent callers refresh once.
	var wg2 sync.WaitGroup
	for range 10 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			if _, err := c.Query(context.Background(), "SMCERTS001"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg2.Wait()
	if n := f.CertificateFetches(); n != 2 {
		t.Fatalf("fetches %d after 12 h, want 2", n)
	}
	if n := c.CertificateFetches(); n != 2 {
		t.Fatalf("client counted %d", n)
	}
}

func TestAcknowledge(t *testing.T) {
	f := wechatpayfake.New(t)
	c := newClient(t, f)
	w := httptest.NewRecorder()
	c.Acknowledge(w, nil)
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Fatalf("%d %q", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	c.Acknowledge(w, errs.Invalidf(wechatpay.HeaderSignature, "signature does not verify"))
	var body struct{ Code, Message string }
	decodeJSON(t, w.Body.Bytes(), &body)
	if w.Code != http.StatusInternalServerError || body.Code != "FAIL" || body.Message != "signature does not verify" {
		t.Fatalf("%d %+v", w.Code, body)
	}
}
