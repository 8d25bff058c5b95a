package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"sharemall/internal/api"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/payment/alipay"
	"sharemall/internal/payment/alipay/alipayfake"
	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
	"sharemall/internal/wxauth"
	"sharemall/internal/wxauth/wxauthfake"
)

const weChatUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"

// wechatFloor is the shop with WeChat Pay on its fake and WeChat's web
// authorization on its fake, both for the same official account.
func wechatFloor(t *testing.T, db *store.DB) (*shopFloor, *wechatpayfake.Server, *wxauthfake.Server, payment.Gateway) {
	t.Helper()
	pf, af := wechatpayfake.New(t), wxauthfake.New(t)
	af.AppID = pf.AppID
	var g payment.Gateway
	f := newShopFloor(t, db, func(c *api.Config) {
		pf.SetNow(db.Now)
		wc := pf.Config()
		wc.Now = db.Now
		var err error
		if g, err = wechatpay.New(wc, &http.Client{Timeout: 2 * time.Second}); err != nil {
			t.Fatal(err)
		}
		c.Gateways = []payment.Gateway{g}
		if c.WeChatOAuth, err = wxauth.New(af.Config(t), &http.Client{Timeout: 2 * time.Second}); err != nil {
			t.Fatal(err)
		}
	})
	return f, pf, af, g
}

// follow opens WeChat's authorize page as WeChat's browser does (the
// #wechat_redirect fragment stays in the browser) and returns where it sends
// the browser back to, as a path on the site.
func (f *shopFloor) follow(authorize string) (code, state string) {
	f.t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(authorize)
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || back.Path != "/wx/oauth" || !strings.HasPrefix(back.String(), f.url) {
		f.t.Fatalf("authorize: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return back.Query().Get("code"), back.Query().Get("state")
}

func (f *shopFloor) payments(o *order.Order) []store.Payment {
	f.t.Helper()
	ps, _, err := f.db.OrderPayments(f.ctx, f.cust, o.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

// TestPayInWeChatsBrowser: outside WeChat the order page offers WeChat
// Pay's page and code, never JSAPI; in WeChat's browser (MicroMessenger)
// it offers JSAPI instead of the page (H5 is refused there). Paying by
// JSAPI sends the browser through WeChat's silent authorization once; a
// forged state, another account's state and a bad code come back as bad
// input and open no payment; the good round trip keeps the openid and
// opens a JSAPI payment paid by it, whose pay page calls the bridge. The
// next payment skips WeChat; another account on the same browser does
// not pay as the first. WeChat Pay's notification then pays the order.
func TestPayInWeChatsBrowser(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f, pf, af, g := wechatFloor(t, db)
		af.SetUser("oBuyer_openid_0001")
		stranger := f.account("stranger@example.com")
		o := f.checkout([2]int64{f.tea, 1})
		body := f.get(orderPath(o, "")).Body
		mustContain(t, body, `data-test="pay-wechatpay-redirect"`, `data-test="pay-wechatpay-qr"`)
		mustLack(t, body, `data-test="pay-wechatpay-jsapi"`)
		if p := f.post(orderPath(o, "/pay"), url.Values{"provider": {"wechatpay"}, "method": {"jsapi"}}); p.Status != http.StatusBadRequest {
			t.Fatalf("jsapi outside WeChat: %d", p.Status)
		}

		f.ua = weChatUA
		body = f.get(orderPath(o, "")).Body
		mustContain(t, body, `data-test="pay-wechatpay-jsapi"`, `data-test="pay-wechatpay-qr"`)
		mustLack(t, body, `data-test="pay-wechatpay-redirect"`)

		p := f.post(orderPath(o, "/pay"), url.Values{"provider": {"wechatpay"}, "method": {"jsapi"}})
		to := p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(to, af.URL+"/connect/oauth2/authorize?appid="+pf.AppID+"&redirect_uri=") ||
			!strings.HasSuffix(to, "#wechat_redirect") {
			t.Fatalf("jsapi without an openid: %d to %q", p.Status, to)
		}
		code, state := f.follow(to)
		if n := len(f.payments(o)); n != 0 {
			t.Fatalf("%d payments before the openid is known", n)
		}

		// Forged states and a bad code change nothing.
		i := strings.IndexByte(state, 'z')
		flipped := "0"
		if strings.HasSuffix(state, "0") {
			flipped = "1"
		}
		for _, bad := range []url.Values{
			{"code": {code}, "state": {"999" + state[i:]}},              // another order under the same signature
			{"code": {code}, "state": {state[:len(state)-1] + flipped}}, // a changed signature
			{"code": {code}},
			{"code": {"a-code-WeChat-never-gave"}, "state": {state}},
			{"state": {state}},
		} {
			p := f.get("/wx/oauth?" + bad.Encode())
			if p.Status != http.StatusBadRequest || strings.Contains(strings.Join(p.Header.Values("Set-Cookie"), ";"), "sm_wx_openid") {
				t.Fatalf("%v: %d %v", bad, p.Status, p.Header)
			}
		}
		// Another account signed in on another browser cannot use the buyer's state.
		if p := f.as("stranger@example.com").get("/wx/oauth?" + url.Values{"code": {code}, "state": {state}}.Encode()); p.Status != http.StatusBadRequest {
			t.Fatalf("the buyer's state for another account: %d", p.Status)
		}
		if n := len(f.payments(o)); n != 0 {
			t.Fatalf("%d payments after refused round trips", n)
		}

		p = f.get("/wx/oauth?" + url.Values{"code": {code}, "state": {state}}.Encode())
		to = p.Header.Get("Location")
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(to, "/pay/sm") || !strings.Contains(p.Header.Get("Set-Cookie"), "sm_wx_openid=") {
			t.Fatalf("back from WeChat: %d to %q %v", p.Status, to, p.Header)
		}
		ref := strings.TrimPrefix(to, "/pay/")
		ps := f.payments(o)
		if len(ps) != 1 || ps[0].Method != "jsapi" || ps[0].Provider != "wechatpay" || ps[0].Reference != ref {
			t.Fatalf("payments %+v", ps)
		}
		page := f.get(to).Body
		mustContain(t, page, `data-bridge="`, "prepay_id=", pf.AppID, "RSA")
		// The same code again is refused by WeChat (used), and opens nothing.
		if p := f.get("/wx/oauth?" + url.Values{"code": {code}, "state": {state}}.Encode()); p.Status != http.StatusBadRequest {
			t.Fatalf("a used code: %d", p.Status)
		}

		// The openid is kept: paying again goes straight to the bridge.
		asked := af.Asked
		p = f.post(orderPath(o, "/pay"), url.Values{"provider": {"wechatpay"}, "method": {"jsapi"}})
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/pay/sm") || af.Asked != asked {
			t.Fatalf("paying again: %d to %q, WeChat asked %d more times", p.Status, p.Header.Get("Location"), af.Asked-asked)
		}
		ref2 := strings.TrimPrefix(p.Header.Get("Location"), "/pay/")

		// Another account on the same browser does not pay as the buyer.
		f.signIn("stranger@example.com") // the same browser: its openid cookie stays
		s := *f
		s.cust = stranger
		so := s.checkout([2]int64{f.tea, 1})
		if p := f.post(orderPath(so, "/pay"), url.Values{"provider": {"wechatpay"}, "method": {"jsapi"}}); p.Status != http.StatusSeeOther ||
			!strings.HasPrefix(p.Header.Get("Location"), af.URL+"/connect/oauth2/authorize?") {
			t.Fatalf("another account with the buyer's openid cookie: %d to %q", p.Status, p.Header.Get("Location"))
		}

		// WeChat Pay takes the money and says so: the order is paid, by the buyer's openid.
		if st, err := pf.PayAndNotify(ref2, wechatpayfake.NoticeOptions{}); err != nil || len(st) == 0 || st[0] >= 300 {
			t.Fatalf("notify: %v %v", st, err)
		}
		if got, err := db.Order(f.ctx, f.cust, o.ID); err != nil || got.Status != order.Paid {
			t.Fatalf("order %v %v", got, err)
		}
		if st, err := g.Query(f.ctx, ref2); err != nil || st.Payer != "oBuyer_openid_0001" {
			t.Fatalf("paid by %+v %v", st, err)
		}
		for _, r := range []string{ref, ref2} {
			if req, _, ok := pf.Order(r); !ok || req.Payer == nil || req.Payer.OpenID != "oBuyer_openid_0001" || req.AppID != pf.AppID {
				t.Fatalf("WeChat Pay was asked %+v %v", req, ok)
			}
		}
	})
}

// TestAlipayNotInWeChat: WeChat's browser blocks Alipay's pages and cannot
// scan its codes, so there the order page offers only WeChat Pay, tells
// the customer how to pay with Alipay (another browser), and a forged
// Alipay choice is refused as bad input and opens no payment. Elsewhere
// both providers are offered.
func TestAlipayNotInWeChat(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		pf, af := wechatpayfake.New(t), alipayfake.New(alipayfake.Options{})
		t.Cleanup(af.Close)
		f := newShopFloor(t, db, func(c *api.Config) {
			wc := pf.Config()
			wc.Now = db.Now
			wg, err := wechatpay.New(wc, &http.Client{Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			ag, err := alipay.New(af.Config(), &http.Client{Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			c.Gateways = []payment.Gateway{wg, ag}
		})
		o := f.checkout([2]int64{f.tea, 1})
		body := f.get(orderPath(o, "")).Body
		mustContain(t, body, `data-test="pay-alipay-redirect"`, `data-test="pay-alipay-qr"`, `data-test="pay-wechatpay-qr"`)
		mustLack(t, body, `data-test="alipay-elsewhere"`)

		f.ua = weChatUA
		body = f.get(orderPath(o, "")).Body
		mustContain(t, body, `data-test="pay-wechatpay-qr"`, `data-test="alipay-elsewhere"`)
		mustLack(t, body, `data-test="pay-alipay-redirect"`, `data-test="pay-alipay-qr"`)
		for _, m := range []string{"redirect", "qr"} {
			p := f.post(orderPath(o, "/pay"), url.Values{"provider": {"alipay"}, "method": {m}})
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "this browser") {
				t.Fatalf("alipay %s in WeChat: %d %s", m, p.Status, p.Body)
			}
		}
		if n := len(f.payments(o)); n != 0 {
			t.Fatalf("%d payments after refused choices", n)
		}
	})
}
