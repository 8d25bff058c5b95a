package wechatpayfake

import (
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/payment/wechatpay"
)

// answer is a handler's result, signed and written by serve.
type answer struct {
	status int
	body   []byte
	raw    bool // a bill file: not JSON, not signed
}

func jsonAnswer(status int, v any) answer {
	b, _ := json.Marshal(v)
	return answer{status: status, body: b}
}

// fail is WeChat Pay's error body.
func fail(status int, code, format string, args ...any) answer {
	return jsonAnswer(status, map[string]string{"code": code, "message": fmt.Sprintf(format, args...)})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	a := s.authenticate(r, body)
	hang := false
	if a.status == 0 {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.RequestURI)
		if s.timeouts > 0 {
			s.timeouts--
			hang = true
		}
		var failed *answer
		if len(s.failNext) > 0 {
			failed = &s.failNext[0]
			s.failNext = s.failNext[1:]
		}
		s.mu.Unlock()
		if failed != nil {
			a = *failed
		} else {
			a = s.route(r, body)
		}
	}
	if hang {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}
	if a.raw {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(a.status)
		w.Write(a.body)
		return
	}
	s.mu.Lock()
	k, serial := s.signer()
	now := s.now()
	if s.forge > 0 {
		s.forge--
		k = key(2)
	}
	s.mu.Unlock()
	h := SignedHeaders(k, serial, now, a.body)
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-ID", wechatpay.Nonce())
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// SignedHeaders are the Wechatpay-* headers of body signed with key as
// the certificate serial.
func SignedHeaders(key *rsa.PrivateKey, serial string, now time.Time, body []byte) http.Header {
	ts := strconv.FormatInt(now.Unix(), 10)
	nonce := wechatpay.Nonce()
	sig, err := wechatpay.Sign(key, wechatpay.ResponseMessage(ts, nonce, body))
	if err != nil {
		panic(err)
	}
	h := http.Header{}
	h.Set(wechatpay.HeaderTimestamp, ts)
	h.Set(wechatpay.HeaderNonce, nonce)
	h.Set(wechatpay.HeaderSignature, sig)
	h.Set(wechatpay.HeaderSerial, serial)
	h.Set("Wechatpay-Signature-Type", wechatpay.AuthSchema)
	return h
}

// authenticate checks the Authorization header as WeChat Pay does: the
// scheme, our merchant id and certificate serial, a timestamp within 5
// minutes, and the RSA-SHA256 signature over method, path and query,
// timestamp, nonce and body.
func (s *Server) authenticate(r *http.Request, body []byte) answer {
	p, err := wechatpay.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return fail(http.StatusUnauthorized, "SIGN_ERROR", "签名错误: %v", err)
	}
	if p["mchid"] != s.MchID {
		return fail(http.StatusUnauthorized, "SIGN_ERROR", "mchid %s is not this merchant", p["mchid"])
	}
	if !strings.EqualFold(p["serial_no"], s.MerchantSerial) {
		return fail(http.StatusUnauthorized, "SIGN_ERROR", "serial_no %s is not the merchant's certificate", p["serial_no"])
	}
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	if err := wechatpay.Fresh(p["timestamp"], now); err != nil {
		return fail(http.StatusUnauthorized, "SIGN_ERROR", "%v", err)
	}
	var ts int64
	fmt.Sscan(p["timestamp"], &ts)
	msg := wechatpay.RequestMessage(r.Method, r.RequestURI, ts, p["nonce_str"], body)
	if err := wechatpay.Verify(&s.MerchantKey.PublicKey, msg, p["signature"]); err != nil {
		return fail(http.StatusUnauthorized, "SIGN_ERROR", "签名错误: %v", err)
	}
	return answer{}
}

func (s *Server) route(r *http.Request, body []byte) answer {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v3/pay/transactions/out-trade-no/") && strings.HasSuffix(path, "/close"):
		return s.closeOrder(strings.TrimSuffix(strings.TrimPrefix(path, "/v3/pay/transactions/out-trade-no/"), "/close"), body)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v3/pay/transactions/"):
		return s.prepay(strings.TrimPrefix(path, "/v3/pay/transactions/"), body)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v3/pay/transactions/out-trade-no/"):
		return s.queryOrder(strings.TrimPrefix(path, "/v3/pay/transactions/out-trade-no/"), r.URL.Query().Get("mchid"))
	case r.Method == http.MethodPost && path == "/v3/refund/domestic/refunds":
		return s.createRefund(body)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v3/refund/domestic/refunds/"):
		return s.queryRefund(strings.TrimPrefix(path, "/v3/refund/domestic/refunds/"))
	case r.Method == http.MethodGet && path == "/v3/certificates":
		return s.certificates()
	case r.Method == http.MethodGet && path == "/v3/bill/tradebill":
		return s.tradeBill(r.URL.Query().Get("bill_date"), r.URL.Query().Get("bill_type"))
	case r.Method == http.MethodGet && path == "/v3/billdownload/file":
		return s.billFile(r.URL.Query().Get("token"))
	}
	return fail(http.StatusNotFound, "NOT_FOUND", "no API %s %s", r.Method, path)
}

// decodeStrict reads a JSON body, refusing unknown fields as PARAM_ERROR.
func decodeStrict(body []byte, v any) *answer {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		a := fail(http.StatusBadRequest, "PARAM_ERROR", "输入源“/body”映射到值字段失败: %v", err)
		return &a
	}
	return nil
}
