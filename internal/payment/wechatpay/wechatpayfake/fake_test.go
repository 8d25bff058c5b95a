package wechatpayfake_test

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"sharemall/internal/payment/wechatpay"
	"sharemall/internal/payment/wechatpay/wechatpayfake"
)

// do sends a request signed with key (nil: unsigned) and checks the
// answer's signature with the fake's platform certificate.
func do(t *testing.T, f *wechatpayfake.Server, key *rsa.PrivateKey, serial, method, pathQuery string, body []byte, at time.Time) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(method, f.URL+pathQuery, bytes.NewReader(body))
	if key != nil {
		auth, err := wechatpay.Authorization(f.MchID, serial, key, method, pathQuery, body, at)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	msg := wechatpay.ResponseMessage(resp.Header.Get(wechatpay.HeaderTimestamp), resp.Header.Get(wechatpay.HeaderNonce), b)
	pub := f.Platform().Cert.PublicKey.(*rsa.PublicKey)
	if resp.Header.Get(wechatpay.HeaderSerial) != f.Platform().Serial {
		t.Fatalf("answer names serial %q", resp.Header.Get(wechatpay.HeaderSerial))
	}
	if err := wechatpay.Verify(pub, msg, resp.Header.Get(wechatpay.HeaderSignature)); err != nil {
		t.Fatalf("the fake's answer is not signed: %v", err)
	}
	out := map[string]string{}
	json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func TestFakeChecksTheMerchantsSignature(t *testing.T) {
	f := wechatpayfake.New(t)
	path := "/v3/pay/transactions/out-trade-no/SM0000001?mchid=" + f.MchID
	now := time.Now()
	cases := []struct {
		name   string
		key    *rsa.PrivateKey
		serial string
		path   string
		at     time.Time
	}{
		{"unsigned", nil, f.MerchantSerial, path, now},
		{"wrong serial", f.MerchantKey, "0123456789ABCDEF", path, now},
		{"stale", f.MerchantKey, f.MerchantSerial, path, now.Add(-6 * time.Minute)},
	}
	for _, tc := range cases {
		st, body := do(t, f, tc.key, tc.serial, http.MethodGet, tc.path, nil, tc.at)
		if st != http.StatusUnauthorized || body["code"] != "SIGN_ERROR" {
			t.Errorf("%s: %d %v", tc.name, st, body)
		}
	}
	// Signed over another path than the one asked: refused.
	auth, _ := wechatpay.Authorization(f.MchID, f.MerchantSerial, f.MerchantKey, http.MethodGet, "/v3/certificates", nil, now)
	req, _ := http.NewRequest(http.MethodGet, f.URL+path, nil)
	req.Header.Set("Authorization", auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("%v %v", resp, err)
	}
	resp.Body.Close()
	// Properly signed: an answer (404, no such order), signed.
	st, body := do(t, f, f.MerchantKey, f.MerchantSerial, http.MethodGet, path, nil, now)
	if st != http.StatusNotFound || body["code"] != "ORDER_NOT_EXIST" {
		t.Fatalf("%d %v", st, body)
	}
	// Unknown fields in a body are a PARAM_ERROR, as WeChat Pay's strict parsing.
	st, body = do(t, f, f.MerchantKey, f.MerchantSerial, http.MethodPost, "/v3/pay/transactions/native", []byte(`{"appid":"x","nonsense":1}`), now)
	if st != http.StatusBadRequest || body["code"] != "PARAM_ERROR" || !strings.Contains(body["message"], "nonsense") {
		t.Fatalf("%d %v", st, body)
	}
	if len(f.Requests()) != 2 {
		t.Fatalf("requests %v", f.Requests())
	}
}
