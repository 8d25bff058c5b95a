package wechatpayfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"sharemall/internal/payment/wechatpay"
)

// NoticeOptions are what can be wrong with a notification.
type NoticeOptions struct {
	Replay           bool          // deliver it twice: same id and body, signed afresh, as WeChat Pay redelivers
	BadSignature     bool          // sign with a key that is not the platform's
	Stale            time.Duration // date it this far in the past
	UnknownSerial    bool          // name a certificate serial WeChat Pay never issued
	TamperCiphertext bool          // alter the sealed resource (then sign, so only the decryption can catch it)
	Amount           int64         // payment notices: report this many fen instead of the order's
}

func (s *Server) seal(associated string, v any) (wechatpay.NoticeResource, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return wechatpay.NoticeResource{}, err
	}
	nonce := wechatpay.Nonce()[:12]
	ct, err := wechatpay.Encrypt(s.APIv3Key, nonce, associated, plain)
	if err != nil {
		return wechatpay.NoticeResource{}, err
	}
	return wechatpay.NoticeResource{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce, AssociatedData: associated, Ciphertext: ct, OriginalType: associated}, nil
}

// notice builds and signs a notification body; s.mu is held.
func (s *Server) notice(event, original, summary string, resource any, o NoticeOptions) (http.Header, []byte, error) {
	res, err := s.seal(original, resource)
	if err != nil {
		return nil, nil, err
	}
	if o.TamperCiphertext {
		b := []byte(res.Ciphertext)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		res.Ciphertext = string(b)
	}
	s.noticeVersion++
	now := s.now()
	n := wechatpay.Notice{
		ID:           fmt.Sprintf("EV-%s%05d", now.In(beijing).Format("20060102150405"), s.noticeVersion),
		CreateTime:   now.In(beijing).Format(time.RFC3339),
		EventType:    event,
		ResourceType: "encrypt-resource",
		Resource:     res,
		Summary:      summary,
	}
	body, err := json.Marshal(n)
	if err != nil {
		return nil, nil, err
	}
	return s.signNotice(body, o), body, nil
}

// signNotice signs body as a notification, wrongly as o asks; s.mu is held.
func (s *Server) signNotice(body []byte, o NoticeOptions) http.Header {
	k, serial := s.signer()
	if o.BadSignature {
		k = key(2)
	}
	if o.UnknownSerial {
		serial = "7132D72A03E93CDDF8C03BBD1F37EEDF204F5EFD"
	}
	return SignedHeaders(k, serial, s.now().Add(-o.Stale), body)
}

// PaymentNotice is the TRANSACTION.SUCCESS notification of the paid order
// ref, as WeChat Pay posts it.
func (s *Server) PaymentNotice(ref string, o NoticeOptions) (http.Header, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ord := s.orders[ref]
	if ord == nil || ord.txID == "" {
		return nil, nil, fmt.Errorf("wechatpayfake: order %q is not paid", ref)
	}
	t := s.transaction(ord)
	t.TradeState, t.TradeStateDesc = "SUCCESS", "支付成功"
	if o.Amount != 0 {
		t.Amount.Total, t.Amount.PayerTotal = o.Amount, o.Amount
	}
	return s.notice("TRANSACTION.SUCCESS", "transaction", "支付成功", t, o)
}

// RefundNotice is the REFUND.SUCCESS / ABNORMAL / CLOSED notification of
// a finished refund.
func (s *Server) RefundNotice(outRefundNo string, o NoticeOptions) (http.Header, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rf := s.refunds[outRefundNo]
	if rf == nil {
		return nil, nil, fmt.Errorf("wechatpayfake: no refund %q", outRefundNo)
	}
	if rf.status == "PROCESSING" {
		return nil, nil, fmt.Errorf("wechatpayfake: refund %q is still PROCESSING: WeChat Pay notifies when it ends", outRefundNo)
	}
	rn := wechatpay.RefundNotice{
		MchID: s.MchID, OutTradeNo: rf.order.req.OutTradeNo, TransactionID: rf.order.txID,
		OutRefundNo: outRefundNo, RefundID: rf.id, RefundStatus: rf.status,
		UserReceivedAccount: "支付用户零钱",
		Amount:              wechatpay.RefundAmount{Total: rf.req.Amount.Total, Refund: rf.req.Amount.Refund, PayerTotal: rf.req.Amount.Total, PayerRefund: rf.req.Amount.Refund},
	}
	if rf.status == "SUCCESS" {
		rn.SuccessTime = rf.success.In(beijing).Format(time.RFC3339)
	}
	summary := map[string]string{"SUCCESS": "退款成功", "ABNORMAL": "退款异常", "CLOSED": "退款关闭"}[rf.status]
	return s.notice("REFUND."+rf.status, "refund", summary, rn, o)
}

// Deliver posts a notification to url and returns the HTTP status.
func (s *Server) Deliver(url string, h http.Header, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Mozilla/4.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// deliver sends once, or twice on o.Replay (the second signed afresh).
func (s *Server) deliver(url string, h http.Header, body []byte, o NoticeOptions) ([]int, error) {
	var out []int
	for i := 0; i < 1 || (o.Replay && i < 2); i++ {
		if i > 0 {
			s.mu.Lock()
			h = s.signNotice(body, o)
			s.mu.Unlock()
		}
		st, err := s.Deliver(url, h, body)
		if err != nil {
			return out, err
		}
		out = append(out, st)
	}
	return out, nil
}

// PayAndNotify pays the order ref and posts its notification to the
// order's notify_url; it returns the statuses the merchant answered.
func (s *Server) PayAndNotify(ref string, o NoticeOptions) ([]int, error) {
	if err := s.Pay(ref); err != nil {
		return nil, err
	}
	return s.NotifyPayment(ref, o)
}

// NotifyPayment posts the paid order's notification (again) to its notify_url.
func (s *Server) NotifyPayment(ref string, o NoticeOptions) ([]int, error) {
	h, body, err := s.PaymentNotice(ref, o)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	url := s.orders[ref].req.NotifyURL
	s.mu.Unlock()
	return s.deliver(url, h, body, o)
}

// NotifyRefund posts a finished refund's notification to its notify_url.
func (s *Server) NotifyRefund(outRefundNo string, o NoticeOptions) ([]int, error) {
	h, body, err := s.RefundNotice(outRefundNo, o)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	url := s.refunds[outRefundNo].req.NotifyURL
	s.mu.Unlock()
	if url == "" {
		return nil, fmt.Errorf("wechatpayfake: refund %q has no notify_url", outRefundNo)
	}
	return s.deliver(url, h, body, o)
}

// SendNotification posts the paid order ref's TRANSACTION.SUCCESS
// notification to notifyURL (whatever notify_url the order named), once or
// as o says; it returns the statuses the merchant answered.
func (s *Server) SendNotification(notifyURL, ref string, o NoticeOptions) ([]int, error) {
	h, body, err := s.PaymentNotice(ref, o)
	if err != nil {
		return nil, err
	}
	return s.deliver(notifyURL, h, body, o)
}

// SendRefundNotification posts a finished refund's notification to notifyURL.
func (s *Server) SendRefundNotification(notifyURL, outRefundNo string, o NoticeOptions) ([]int, error) {
	h, body, err := s.RefundNotice(outRefundNo, o)
	if err != nil {
		return nil, err
	}
	return s.deliver(notifyURL, h, body, o)
}
