package alipayfake

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"sharemall/internal/money"
)

// apiErr is a refusal as Alipay words it.
type apiErr struct{ code, msg, subCode, subMsg string }

func invalidArgs(sub, msg string) *apiErr {
	return &apiErr{"40002", "Invalid Arguments", sub, msg}
}

func business(sub, msg string) *apiErr {
	return &apiErr{"40004", "Business Failed", sub, msg}
}

// checkRequest verifies what Alipay's gateway checks before any method:
// the common parameters, the app id and the RSA2 signature.
func (s *Server) checkRequest(v url.Values) *apiErr {
	for _, k := range []string{"app_id", "method", "charset", "sign_type", "sign", "timestamp", "version"} {
		if v.Get(k) == "" {
			return &apiErr{"40001", "Missing Required Arguments", "isv.missing-" + strings.ReplaceAll(k, "_", "-"), "缺少" + k + "参数"}
		}
	}
	if v.Get("app_id") != s.AppID {
		return invalidArgs("isv.invalid-app-id", "无效的AppID参数")
	}
	if v.Get("sign_type") != "RSA2" {
		return invalidArgs("isv.invalid-signature-type", "无效的签名类型")
	}
	if v.Get("format") != "" && v.Get("format") != "JSON" {
		return invalidArgs("isv.invalid-format", "无效的数据格式")
	}
	if _, err := time.ParseInLocation(layout, v.Get("timestamp"), shanghai); err != nil {
		return invalidArgs("isv.invalid-timestamp", "非法的时间戳参数")
	}
	if s.ca != nil {
		s.mu.Lock()
		appSN, rootSN := s.ca.appSN, s.ca.rootSN
		s.mu.Unlock()
		if v.Get("app_cert_sn") != appSN {
			return invalidArgs("isv.invalid-app-cert-sn", "应用公钥证书序列号不匹配")
		}
		if v.Get("alipay_root_cert_sn") != rootSN {
			return invalidArgs("isv.invalid-alipay-root-cert-sn", "支付宝根证书序列号不匹配")
		}
	}
	content := signingString(v, false, "sign")
	if !verify(&s.AppKey.PublicKey, content, v.Get("sign")) {
		return invalidArgs("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："+content)
	}
	return nil
}

// api answers POST gateway.do.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	v := r.Form
	method := v.Get("method")
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
	if e := s.checkRequest(v); e != nil {
		s.respond(w, method, e, nil)
		return
	}
	var biz map[string]any
	if err := json.Unmarshal([]byte(v.Get("biz_content")), &biz); err != nil {
		s.respond(w, method, invalidArgs("isv.invalid-biz-content", "biz_content 不是 JSON"), nil)
		return
	}
	str := func(k string) string { x, _ := biz[k].(string); return x }
	var out map[string]any
	var e *apiErr
	switch method {
	case "alipay.trade.precreate":
		out, e = s.precreate(str, v.Get("notify_url"))
	case "alipay.trade.query":
		out, e = s.query(str("out_trade_no"))
	case "alipay.trade.close":
		out, e = s.closeTrade(str("out_trade_no"))
	case "alipay.trade.refund":
		var hold bool
		var notify url.Values
		out, e, hold, notify = s.refund(str)
		if notify != nil {
			s.inflight.Add(1)
			go func() { defer s.inflight.Done(); s.deliver(refundKind, notify) }()
		}
		if hold {
			select { // the refund is made; its answer is lost
			case <-r.Context().Done():
			case <-s.done:
			case <-time.After(30 * time.Second):
			}
			return
		}
	case "alipay.trade.fastpay.refund.query":
		out, e = s.refundQuery(str("out_trade_no"), str("out_request_no"))
	case "alipay.open.app.alipaycert.download":
		out, e = s.certDownload(str("alipay_cert_sn"))
	case "alipay.data.dataservice.bill.downloadurl.query":
		out, e = s.billURL(str("bill_type"), str("bill_date"))
	default:
		e = invalidArgs("isv.invalid-method", "不存在的方法名")
	}
	s.respond(w, method, e, out)
}

// respond writes {"<method>_response": {...}, "sign": "..."}: the sign is
// over the object's bytes exactly as written, which escape "/" as "\/"
// the way Alipay's do (a client that re-encodes the object fails).
func (s *Server) respond(w http.ResponseWriter, method string, e *apiErr, out map[string]any) {
	obj := map[string]any{}
	if e != nil {
		obj["code"], obj["msg"], obj["sub_code"], obj["sub_msg"] = e.code, e.msg, e.subCode, e.subMsg
	} else {
		for k, x := range out {
			obj[k] = x
		}
		obj["code"], obj["msg"] = "10000", "Success"
	}
	raw, _ := json.Marshal(obj)
	content := strings.ReplaceAll(string(raw), "/", `\/`)
	key := strings.ReplaceAll(method, ".", "_") + "_response"
	if method == "" {
		key = "error_response"
	}
	s.mu.Lock()
	signer, certSN := s.AlipayKey, ""
	if s.ca != nil {
		certSN = fmt.Sprintf(`"alipay_cert_sn":%q,`, s.ca.alipaySN)
	}
	s.mu.Unlock()
	body := fmt.Sprintf(`{%q:%s,%s"sign":%q}`, key, content, certSN, sign(signer, content))
	w.Header().Set("Content-Type", "text/html;charset=utf-8") // as Alipay labels JSON
	w.Write([]byte(body))
}

func parseAmount(s string) (money.Amount, *apiErr) {
	a, err := cny.Parse(s)
	if err != nil || a <= 0 || a > 100_000_000_00 {
		return 0, business("ACQ.INVALID_PARAMETER", "参数无效: 金额 "+s)
	}
	return a, nil
}

func (s *Server) newTrade(no, subject, notifyURL string, total money.Amount) *trade {
	s.seq++
	t := &trade{outTradeNo: no, tradeNo: fmt.Sprintf("%s22001%013d", s.now().In(shanghai).Format("20060102"), s.seq),
		subject: subject, notifyURL: notifyURL, total: total, status: "WAIT_BUYER_PAY", created: s.now()}
	s.trades[no] = t
	return t
}

// open finds or makes the trade a payment request describes.
func (s *Server) open(str func(string) string, notifyURL, product string) (*trade, *apiErr) {
	no := str("out_trade_no")
	if no == "" || len(no) > 64 {
		return nil, business("ACQ.INVALID_PARAMETER", "参数无效: out_trade_no")
	}
	if str("subject") == "" {
		return nil, business("ACQ.INVALID_PARAMETER", "参数无效: subject")
	}
	if str("product_code") != product {
		return nil, business("ACQ.INVALID_PARAMETER", "参数无效: product_code 应为 "+product)
	}
	total, e := parseAmount(str("total_amount"))
	if e != nil {
		return nil, e
	}
	var expires time.Time
	if x := str("time_expire"); x != "" {
		var err error
		if expires, err = time.ParseInLocation(layout, x, shanghai); err != nil {
			return nil, business("ACQ.INVALID_PARAMETER", "参数无效: time_expire")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[no]
	if t == nil {
		t = s.newTrade(no, str("subject"), notifyURL, total)
		t.expires = expires
		return t, nil
	}
	s.expire(t)
	if t.total != total {
		return nil, business("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
	}
	switch t.status {
	case "TRADE_SUCCESS", "TRADE_FINISHED":
		return nil, business("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
	case "TRADE_CLOSED":
		return nil, business("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
	}
	return t, nil
}

func (s *Server) precreate(str func(string) string, notifyURL string) (map[string]any, *apiErr) {
	t, e := s.open(str, notifyURL, "FACE_TO_FACE_PAYMENT")
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.qrCode == "" {
		t.qrCode = "https://qr.alipay.com/bax" + randHex(12)
	}
	return map[string]any{"out_trade_no": t.outTradeNo, "qr_code": t.qrCode}, nil
}

// page is the mobile web payment page the payer's browser is sent to
// (GET gateway.do with the signed alipay.trade.wap.pay request).
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	fail := func(e *apiErr) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<!doctype html><title>支付宝</title><p>错误代码 %s</p><p>%s</p>", html.EscapeString(e.subCode), html.EscapeString(e.subMsg))
	}
	s.mu.Lock()
	s.calls[v.Get("method")]++
	s.mu.Unlock()
	if e := s.checkRequest(v); e != nil {
		fail(e)
		return
	}
	if v.Get("method") != "alipay.trade.wap.pay" {
		fail(invalidArgs("isv.invalid-method", "不存在的方法名"))
		return
	}
	var biz map[string]any
	if err := json.Unmarshal([]byte(v.Get("biz_content")), &biz); err != nil {
		fail(invalidArgs("isv.invalid-biz-content", "biz_content 不是 JSON"))
		return
	}
	str := func(k string) string { x, _ := biz[k].(string); return x }
	t, e := s.open(str, v.Get("notify_url"), "QUICK_WAP_WAY")
	if e != nil {
		fail(e)
		return
	}
	s.mu.Lock()
	t.opened = true
	t.returnURL = v.Get("return_url")
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><meta name="viewport" content="width=device-width"><title>支付宝</title>`+
		`<p data-test="subject">%s</p><p data-test="amount">¥%s</p><p data-test="trade">%s</p>`+
		`<form method="post" action="/pay/%s"><button data-test="pay">确认付款</button></form>`,
		html.EscapeString(t.subject), yuan(t.total), html.EscapeString(t.outTradeNo), url.PathEscape(t.outTradeNo))
}

// payButton is the page's pay button, for browser tests: the trade is
// paid (and notified, as Pay does), then the browser goes to return_url
// with Alipay's signed synchronous return parameters
// (method alipay.trade.wap.pay.return), which tell the page nothing it
// may trust for the payment: the notification does.
func (s *Server) payButton(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	if _, err := s.Pay(ref); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	s.mu.Lock()
	t := s.trades[ref]
	v := url.Values{}
	v.Set("charset", "utf-8")
	v.Set("out_trade_no", t.outTradeNo)
	v.Set("method", "alipay.trade.wap.pay.return")
	v.Set("total_amount", yuan(t.total))
	v.Set("trade_no", t.tradeNo)
	v.Set("auth_app_id", s.AppID)
	v.Set("version", "1.0")
	v.Set("app_id", s.AppID)
	v.Set("sign_type", "RSA2")
	v.Set("seller_id", s.SellerID)
	v.Set("timestamp", s.now().In(shanghai).Format(layout))
	v.Set("sign", sign(s.AlipayKey, signingString(v, true, "sign", "sign_type")))
	target := t.returnURL
	s.mu.Unlock()
	if target == "" {
		w.Write([]byte("success"))
		return
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+v.Encode(), http.StatusFound)
}

func (s *Server) query(no string) (map[string]any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[no]
	if t == nil || !t.opened {
		return nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在")
	}
	s.expire(t)
	out := map[string]any{"trade_no": t.tradeNo, "out_trade_no": t.outTradeNo, "trade_status": t.status,
		"total_amount": yuan(t.total), "buyer_logon_id": "", "buyer_pay_amount": "0.00"}
	if !t.paidAt.IsZero() {
		out["send_pay_date"] = t.paidAt.In(shanghai).Format(layout)
		out["buyer_user_id"] = t.buyerID
		out["buyer_logon_id"] = "159****5620"
		out["buyer_pay_amount"] = yuan(t.total)
	}
	return out, nil
}

func (s *Server) closeTrade(no string) (map[string]any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[no]
	if t == nil || !t.opened {
		return nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在")
	}
	s.expire(t)
	if t.status != "WAIT_BUYER_PAY" {
		return nil, business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
	}
	t.status = "TRADE_CLOSED"
	t.closedAt = s.now()
	return map[string]any{"trade_no": t.tradeNo, "out_trade_no": t.outTradeNo}, nil
}

// refund makes a refund, once per out_request_no: a repeat answers
// fund_change N and gives nothing more. hold says the answer is to be lost.
func (s *Server) refund(str func(string) string) (out map[string]any, e *apiErr, hold bool, notify url.Values) {
	amount, e := parseAmount(str("refund_amount"))
	if e != nil {
		return nil, e, false, nil
	}
	key := str("out_request_no")
	if key == "" {
		key = str("out_trade_no") // Alipay's default: a refund of the whole trade
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[str("out_trade_no")]
	if t == nil || !t.opened || (str("trade_no") != "" && str("trade_no") != t.tradeNo) {
		return nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在"), false, nil
	}
	answer := func(change string) map[string]any {
		return map[string]any{"trade_no": t.tradeNo, "out_trade_no": t.outTradeNo, "buyer_logon_id": "159****5620",
			"fund_change": change, "refund_fee": yuan(t.refunded()), "gmt_refund_pay": s.now().In(shanghai).Format(layout),
			"buyer_user_id": t.buyerID, "send_back_fee": yuan(amount)}
	}
	if r := t.refund(key); r != nil {
		if r.amount != amount {
			return nil, business("ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致"), false, nil
		}
		return answer("N"), nil, s.takeTimeout(), nil
	}
	if t.status != "TRADE_SUCCESS" {
		return nil, business("ACQ.TRADE_STATUS_ERROR", "交易状态不合法"), false, nil
	}
	if t.refunded()+amount > t.total {
		return nil, business("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额无效"), false, nil
	}
	r := &refund{key: key, amount: amount, at: s.now()}
	t.refunds = append(t.refunds, r)
	if t.refunded() == t.total {
		t.status = "TRADE_CLOSED"
		t.closedAt = r.at
	}
	return answer("Y"), nil, s.takeTimeout(), s.notification(t, r)
}

func (s *Server) takeTimeout() bool {
	if s.refundTimeouts > 0 {
		s.refundTimeouts--
		return true
	}
	return false
}

func (s *Server) refundQuery(no, key string) (map[string]any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[no]
	if t == nil || !t.opened {
		return nil, business("ACQ.TRADE_NOT_EXIST", "交易不存在")
	}
	r := t.refund(key)
	if r == nil { // Alipay: success, without the refund's fields
		return map[string]any{"trade_no": t.tradeNo, "out_trade_no": t.outTradeNo}, nil
	}
	return map[string]any{"trade_no": t.tradeNo, "out_trade_no": t.outTradeNo, "out_request_no": r.key,
		"total_amount": yuan(t.total), "refund_amount": yuan(r.amount), "refund_status": "REFUND_SUCCESS",
		"gmt_refund_pay": r.at.In(shanghai).Format(layout)}, nil
}
