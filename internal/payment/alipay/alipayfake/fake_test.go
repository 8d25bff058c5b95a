package alipayfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// post sends form to the fake's gateway and splits its answer into the
// response object (raw), its key and the sign.
func post(t *testing.T, s *Server, form url.Values) (key string, raw json.RawMessage, sig string) {
	t.Helper()
	resp, err := http.PostForm(s.GatewayURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	for k, v := range top {
		if k == "sign" {
			json.Unmarshal(v, &sig)
		} else {
			key, raw = k, v
		}
	}
	return key, raw, sig
}

func request(s *Server, method, biz string) url.Values {
	v := url.Values{}
	v.Set("app_id", s.AppID)
	v.Set("method", method)
	v.Set("format", "JSON")
	v.Set("charset", "utf-8")
	v.Set("sign_type", "RSA2")
	v.Set("timestamp", time.Now().In(shanghai).Format(layout))
	v.Set("version", "1.0")
	v.Set("biz_content", biz)
	v.Set("sign", sign(s.AppKey, signingString(v, false, "sign")))
	return v
}

func TestGatewayAnswersAsAlipay(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	code := func(raw json.RawMessage) (c, sub string) {
		var m map[string]string
		json.Unmarshal(raw, &m)
		return m["code"], m["sub_code"]
	}

	// Signed correctly: a success, signed over the exact bytes, with "\/".
	key, raw, sig := post(t, s, request(s, "alipay.trade.precreate",
		`{"out_trade_no":"T000001","total_amount":"1.00","subject":"x","product_code":"FACE_TO_FACE_PAYMENT"}`))
	if key != "alipay_trade_precreate_response" || !verify(&s.AlipayKey.PublicKey, string(raw), sig) {
		t.Fatalf("%s %s", key, raw)
	}
	if c, _ := code(raw); c != "10000" || !strings.Contains(string(raw), `https:\/\/qr.alipay.com\/`) {
		t.Fatalf("%s", raw)
	}

	// A changed parameter: 40002 isv.invalid-signature, itself signed.
	v := request(s, "alipay.trade.query", `{"out_trade_no":"T000001"}`)
	v.Set("biz_content", `{"out_trade_no":"T000002"}`)
	key, raw, sig = post(t, s, v)
	if c, sub := code(raw); key != "alipay_trade_query_response" || c != "40002" || sub != "isv.invalid-signature" || !verify(&s.AlipayKey.PublicKey, string(raw), sig) {
		t.Fatalf("%s %s", key, raw)
	}
	// No sign at all: 40001.
	v.Del("sign")
	if _, raw, _ = post(t, s, v); !strings.Contains(string(raw), `"code":"40001"`) {
		t.Fatalf("%s", raw)
	}
	// Another app: isv.invalid-app-id.
	v = request(s, "alipay.trade.query", `{"out_trade_no":"T000001"}`)
	v.Set("app_id", "2021000000009999")
	if _, raw, _ = post(t, s, v); !strings.Contains(string(raw), "isv.invalid-app-id") {
		t.Fatalf("%s", raw)
	}
	// No method: error_response.
	if key, _, _ = post(t, s, url.Values{}); key != "error_response" {
		t.Fatalf("%s", key)
	}
	// Not scanned yet: the trade does not exist for a query.
	if _, raw, _ = post(t, s, request(s, "alipay.trade.query", `{"out_trade_no":"T000001"}`)); !strings.Contains(string(raw), "ACQ.TRADE_NOT_EXIST") {
		t.Fatalf("%s", raw)
	}
}

func TestTradeExpires(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	s.SetClock(func() time.Time { return now })
	_, raw, _ := post(t, s, request(s, "alipay.trade.precreate",
		`{"out_trade_no":"T000009","total_amount":"1.00","subject":"x","product_code":"FACE_TO_FACE_PAYMENT","time_expire":"2026-12-01 10:15:00"}`))
	if !strings.Contains(string(raw), `"10000"`) {
		t.Fatalf("%s", raw)
	}
	now = now.Add(15 * time.Minute)
	if _, err := s.Pay("T000009"); err == nil {
		t.Fatal("paid after its time_expire")
	}
	if tr, _ := s.Trade("T000009"); tr.Status != "TRADE_CLOSED" {
		t.Fatalf("%+v", tr)
	}
}
