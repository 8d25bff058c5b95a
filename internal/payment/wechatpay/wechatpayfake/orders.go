package wechatpayfake

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"sharemall/internal/payment/wechatpay"
)

var outTradeNoRE = regexp.MustCompile(`^[0-9A-Za-z_|*-]{6,32}$`)

type order struct {
	kind        string // jsapi, h5, native
	req         wechatpay.PrepayRequest
	prepayID    string
	state       string // NOTPAY, SUCCESS, REFUND, CLOSED
	txID        string
	successTime time.Time
	openid      string
}

// beijing is WeChat Pay's zone.
var beijing = time.FixedZone("CST", 8*3600)

func (s *Server) prepay(kind string, body []byte) answer {
	if kind != "jsapi" && kind != "h5" && kind != "native" {
		return fail(http.StatusNotFound, "NOT_FOUND", "no API POST /v3/pay/transactions/%s", kind)
	}
	var req wechatpay.PrepayRequest
	if a := decodeStrict(body, &req); a != nil {
		return *a
	}
	switch {
	case req.AppID != s.AppID:
		return fail(http.StatusBadRequest, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配: appid %q", req.AppID)
	case req.MchID != s.MchID:
		return fail(http.StatusBadRequest, "PARAM_ERROR", "mchid %q is not this merchant", req.MchID)
	case req.Description == "" || len([]rune(req.Description)) > 127:
		return fail(http.StatusBadRequest, "PARAM_ERROR", "description: 1 to 127 characters")
	case !outTradeNoRE.MatchString(req.OutTradeNo):
		return fail(http.StatusBadRequest, "PARAM_ERROR", "out_trade_no: 6 to 32 of 0-9 A-Z a-z _ - | *")
	case !absoluteURL(req.NotifyURL):
		return fail(http.StatusBadRequest, "PARAM_ERROR", "notify_url: not an absolute URL")
	case req.Amount.Total <= 0:
		return fail(http.StatusBadRequest, "PARAM_ERROR", "amount.total: at least 1")
	case req.Amount.Currency != "" && req.Amount.Currency != "CNY":
		return fail(http.StatusBadRequest, "PARAM_ERROR", "amount.currency: CNY only")
	case kind == "jsapi" && (req.Payer == nil || req.Payer.OpenID == ""):
		return fail(http.StatusBadRequest, "PARAM_ERROR", "payer.openid: required for JSAPI")
	case kind == "h5" && (req.SceneInfo == nil || req.SceneInfo.PayerClientIP == "" || req.SceneInfo.H5Info == nil || req.SceneInfo.H5Info.Type == ""):
		return fail(http.StatusBadRequest, "PARAM_ERROR", "scene_info.payer_client_ip and scene_info.h5_info.type: required for H5")
	case kind != "jsapi" && req.Payer != nil:
		return fail(http.StatusBadRequest, "PARAM_ERROR", "payer: JSAPI only")
	}
	if req.TimeExpire != "" {
		if _, err := time.Parse(time.RFC3339, req.TimeExpire); err != nil {
			return fail(http.StatusBadRequest, "PARAM_ERROR", "time_expire: not yyyy-MM-DDTHH:mm:ss+TIMEZONE")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[req.OutTradeNo]
	switch {
	case o == nil:
		s.seq++
		o = &order{kind: kind, req: req, state: "NOTPAY", prepayID: fmt.Sprintf("wx%s%010d", s.now().In(beijing).Format("20060102150405"), s.seq)}
		s.orders[req.OutTradeNo] = o
	case o.state == "SUCCESS" || o.state == "REFUND":
		return fail(http.StatusBadRequest, "ORDERPAID", "该订单已支付")
	case o.state == "CLOSED":
		return fail(http.StatusBadRequest, "ORDERCLOSED", "该订单已关闭")
	case o.kind != kind || o.req.Amount.Total != req.Amount.Total || o.req.Description != req.Description:
		return fail(http.StatusBadRequest, "INVALID_REQUEST", "201 商户订单号重复")
	}
	switch kind {
	case "jsapi":
		return jsonAnswer(http.StatusOK, map[string]string{"prepay_id": o.prepayID})
	case "h5":
		return jsonAnswer(http.StatusOK, map[string]string{"h5_url": "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=" + o.prepayID + "&package=1249852516"})
	default:
		return jsonAnswer(http.StatusOK, map[string]string{"code_url": "weixin://wxpay/bizpayurl?pr=" + o.prepayID[len(o.prepayID)-7:]})
	}
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func (s *Server) transaction(o *order) wechatpay.Transaction {
	t := wechatpay.Transaction{
		AppID: o.req.AppID, MchID: o.req.MchID, OutTradeNo: o.req.OutTradeNo,
		TradeType:  map[string]string{"jsapi": "JSAPI", "h5": "MWEB", "native": "NATIVE"}[o.kind],
		TradeState: o.state, TradeStateDesc: map[string]string{"NOTPAY": "未支付", "SUCCESS": "支付成功", "REFUND": "转入退款", "CLOSED": "已关闭"}[o.state],
		Amount: wechatpay.Amount{Total: o.req.Amount.Total, Currency: "CNY"},
	}
	if o.txID != "" {
		t.TransactionID = o.txID
		t.BankType = "OTHERS"
		t.SuccessTime = o.successTime.In(beijing).Format(time.RFC3339)
		t.Payer = &wechatpay.Payer{OpenID: o.openid}
		t.Amount.PayerTotal = o.req.Amount.Total
		t.Amount.PayerCurrency = "CNY"
	}
	return t
}

func (s *Server) queryOrder(ref, mchid string) answer {
	if mchid != s.MchID {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "mchid: %q is not this merchant", mchid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[ref]
	if o == nil {
		return fail(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
	}
	return jsonAnswer(http.StatusOK, s.transaction(o))
}

// Pay is the payer paying the order ref: its state turns SUCCESS. The
// notification is separate (PaymentNotice, PayAndNotify), as in life.
func (s *Server) Pay(ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[ref]
	switch {
	case o == nil:
		return fmt.Errorf("wechatpayfake: no order %q", ref)
	case o.state != "NOTPAY":
		return fmt.Errorf("wechatpayfake: order %q is %s", ref, o.state)
	}
	s.seq++
	o.state = "SUCCESS"
	o.successTime = s.now().Truncate(time.Second)
	o.txID = fmt.Sprintf("42000%s%09d", o.successTime.In(beijing).Format("20060102150405"), s.seq)
	if o.req.Payer != nil {
		o.openid = o.req.Payer.OpenID
	} else {
		o.openid = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
	}
	return nil
}

// Close closes an unpaid order (it expired, or the merchant closed it).
func (s *Server) Close(ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[ref]
	if o == nil || o.state != "NOTPAY" {
		return fmt.Errorf("wechatpayfake: order %q cannot be closed", ref)
	}
	o.state = "CLOSED"
	return nil
}

// Order is what the fake knows of an order, for assertions.
func (s *Server) Order(ref string) (wechatpay.PrepayRequest, wechatpay.Transaction, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[ref]
	if o == nil {
		return wechatpay.PrepayRequest{}, wechatpay.Transaction{}, false
	}
	return o.req, s.transaction(o), true
}

// closeOrder answers POST …/out-trade-no/{ref}/close: 204 for an unpaid
// (or already closed) order, ORDERPAID for a paid one.
func (s *Server) closeOrder(ref string, body []byte) answer {
	var req struct {
		MchID string `json:"mchid"`
	}
	if a := decodeStrict(body, &req); a != nil {
		return *a
	}
	if req.MchID != s.MchID {
		return fail(http.StatusBadRequest, "PARAM_ERROR", "mchid: %q is not this merchant", req.MchID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[ref]
	switch {
	case o == nil:
		return fail(http.StatusNotFound, "ORDER_NOT_EXIST", "订单不存在")
	case o.state == "SUCCESS" || o.state == "REFUND":
		return fail(http.StatusBadRequest, "ORDERPAID", "该订单已支付")
	}
	o.state = "CLOSED"
	return answer{status: http.StatusNoContent}
}
