package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"sharemall/internal/order"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestPayByQRCode: the order page offers every provider's methods (the
// sandbox's page, or its address as a QR code); choosing the code opens
// the pay page, which draws it and polls the payment's status until paid;
// the order then shows its payment. Another customer sees neither page
// nor status. The page speaks Chinese too.
func TestPayByQRCode(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newShopFloor(t, db)
		f.account("stranger@example.com")
		o := f.checkout([2]int64{f.tea, 1})
		id := strconv.FormatInt(o.ID, 10)
		mustContain(t, f.get(orderPath(o, "")).Body, `id="pay-form"`, `data-test="pay-sandbox-redirect"`, `data-test="pay-sandbox-qr"`,
			`form="pay-form"`, "Pay with")

		if p := f.post(orderPath(o, "/pay"), url.Values{"provider": {"sandbox"}, "method": {"jsapi"}}); p.Status != http.StatusBadRequest ||
			!strings.Contains(p.Body, `data-test="form-error"`) {
			t.Fatalf("a method the sandbox has not: %d", p.Status)
		}
		p := f.post(orderPath(o, "/pay"), url.Values{"provider": {"sandbox"}, "method": {"qr"}})
		to := p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(to, "/pay/sm") {
			t.Fatalf("pay by qr: %d to %q", p.Status, to)
		}
		ref := strings.TrimPrefix(to, "/pay/")
		page := f.get(to)
		mustContain(t, page.Body, `data-test="pay-qr"`, `src="data:image/png;base64,`, `data-status-url="/pay/`+ref+`/status"`, "¥19.99")
		if s := f.get(to + "/status"); s.Status != http.StatusOK || !strings.Contains(s.Body, `"status":"pending"`) {
			t.Fatalf("status: %d %s", s.Status, s.Body)
		}
		if s := f.as("stranger@example.com").get(to); s.Status != http.StatusNotFound {
			t.Fatalf("another customer's pay page: %d", s.Status)
		}
		if s := f.as("stranger@example.com").get(to + "/status"); s.Status != http.StatusNotFound {
			t.Fatalf("another customer's status: %d", s.Status)
		}
		f.lang = "zh-CN"
		mustContain(t, f.get(to).Body, "扫码打开沙箱支付页面")
		f.lang = ""

		// The code is the sandbox's page: scanned and paid on a phone.
		if back := f.post("/sandbox/pay/"+ref, nil); back.Status != http.StatusSeeOther || back.Header.Get("Location") != "/orders/"+id+"?paid=1" {
			t.Fatalf("sandbox pay: %d %q", back.Status, back.Header.Get("Location"))
		}
		if s := f.get(to + "/status"); !strings.Contains(s.Body, `"status":"paid"`) || !strings.Contains(s.Body, `"order_url":"/orders/`+id+`?paid=1"`) {
			t.Fatalf("status once paid: %s", s.Body)
		}
		if s := f.get(to); s.Status != http.StatusSeeOther {
			t.Fatalf("the pay page once paid: %d", s.Status)
		}
		mustContain(t, f.get(orderPath(o, "")).Body, `data-test="payments"`, `data-test="payment-`+ref+`"`, "Sandbox (no real money)")
		if got, err := db.Order(f.ctx, f.cust, o.ID); err != nil || got.Status != order.Paid {
			t.Fatalf("order %v %v", got.Status, err)
		}
	})
}
