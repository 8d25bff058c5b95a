package wechatpayfake

import (
	"fmt"
	"net/http"
	"regexp"
	"time"

	"sharemall/internal/payment/wechatpay"
)

var outRefundNoRE = regexp.MustCompile(`^[0-9A-Za-z_|*@-]{1,64}$`)

type refund struct {
	req         wechatpay.RefundRequestBody
	order       *order
	id          string
	status      string // PROCESSING, SUCCESS, ABNORMAL, CLOSED
	created     time.Time
	success     time.Time
	queriesLeft int
}

func (s *Server) createRefund(body []byte) answer {
	var req wechatpay.RefundRequestBody
	if a := decodeStrict(body, &req); a != nil {
		return *a
	}
	switch {
	case !outRefundNoRE.MatchString(req.OutRefundNo):
		return fail(http.StatusBadRequest, "PARAM_ERROR", "out_refund_no: 1 to 64 of 0-9 A-Z a-z _ - | * @")
	case req.OutTradeNo == "" && req.TransactionID == "":
		return fail(http.StatusBadRequest, "PARAM_ERROR", "transaction_id or out_trade_no: one is required")
	case req.Amount.Refund <= 0 || req.Amount.Total <= 0:
		return fail(http.StatusBadRequest, "PARAM_ERROR", "amount.refund and amount.total: at least 1")
	case req.Amount.Currency != "CNY":
		return fail(http.StatusBadRequest, "PARAM_ERROR", "amount.currency: CNY only")
	case req.NotifyURL != "" && !absoluteURL(req.NotifyURL):
		return fail(http.StatusBadRequest, "PARAM_ERROR", "notify_url: not an absolute URL")
	case len([]rune(req.Reason)) > 80:
		return fail(http.StatusBadRequest, "PARAM_ERROR", "reason: at most 80 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var o *order
	for _, c := range s.orders {
		if (req.OutTradeNo != "" && c.req.OutTradeNo == req.OutTradeNo) || (req.TransactionID != "" && c.txID == req.TransactionID) {
			o = c
		}
	}
	if o == nil {
		return fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "订单不存在")
	}
	if rf := s.refunds[req.OutRefundNo]; rf != nil {
		// "同一退款单号多次请求只退一笔": the same out_refund_no refunds once.
		if rf.order != o || rf.req.Amount.Refund != req.Amount.Refund || rf.req.Amount.Total != req.Amount.Total {
			return fail(http.StatusBadRequest, "INVALID_REQUEST", "订单金额或退款金额与之前请求不一致，请核实后再试")
		}
		if s.repeatExists {
			return fail(http.StatusBadRequest, "RESOURCE_ALREADY_EXISTS", "退款单已存在")
		}
		s.step(rf)
		return jsonAnswer(http.StatusOK, s.refundBody(rf))
	}
	switch {
	case o.state != "SUCCESS" && o.state != "REFUND":
		return fail(http.StatusBadRequest, "INVALID_REQUEST", "订单状态不正确, 不能退款: %s", o.state)
	case req.Amount.Total != o.req.Amount.Total:
		return fail(http.StatusBadRequest, "PARAM_ERROR", "amount.total: 订单金额不一致 (%d, the order's is %d)", req.Amount.Total, o.req.Amount.Total)
	}
	var refunded int64
	for _, rf := range s.refunds {
		if rf.order == o && rf.status != "ABNORMAL" && rf.status != "CLOSED" {
			refunded += rf.req.Amount.Refund
		}
	}
	if refunded+req.Amount.Refund > o.req.Amount.Total {
		return fail(http.StatusBadRequest, "INVALID_REQUEST", "申请退款金额超过订单可退金额 (%d refunded of %d)", refunded, o.req.Amount.Total)
	}
	s.seq++
	now := s.now().Truncate(time.Second)
	rf := &refund{req: req, order: o, id: fmt.Sprintf("50000%s%09d", now.In(beijing).Format("20060102150405"), s.seq), created: now}
	if s.processing > 0 {
		rf.status = "PROCESSING"
		rf.queriesLeft = s.processing
	} else {
		rf.status = "SUCCESS"
		rf.success = now
	}
	s.refunds[req.OutRefundNo] = rf
	o.state = "REFUND"
	return jsonAnswer(http.StatusOK, s.refundBody(rf))
}

// step counts a query of a PROCESSING refund, turning it SUCCESS at the last.
func (s *Server) step(rf *refund) {
	if rf.status != "PROCESSING" {
		return
	}
	rf.queriesLeft--
	if rf.queriesLeft <= 0 {
		rf.status = "SUCCESS"
		rf.success = s.now().Truncate(time.Second)
	}
}

func (s *Server) refundBody(rf *refund) wechatpay.Refund {
	r := wechatpay.Refund{
		RefundID: rf.id, OutRefundNo: rf.req.OutRefundNo, TransactionID: rf.order.txID, OutTradeNo: rf.order.req.OutTradeNo,
		Channel: "ORIGINAL", UserReceivedAccount: "支付用户零钱",
		CreateTime: rf.created.In(beijing).Format(time.RFC3339), Status: rf.status,
		Amount: wechatpay.RefundAmount{Refund: rf.req.Amount.Refund, Total: rf.req.Amount.Total, Currency: "CNY",
			PayerTotal: rf.req.Amount.Total, PayerRefund: rf.req.Amount.Refund},
	}
	if rf.status == "SUCCESS" {
		r.SuccessTime = rf.success.In(beijing).Format(time.RFC3339)
	}
	return r
}

func (s *Server) queryRefund(no string) answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	rf := s.refunds[no]
	if rf == nil {
		return fail(http.StatusNotFound, "RESOURCE_NOT_EXISTS", "退款单不存在")
	}
	s.step(rf)
	return jsonAnswer(http.StatusOK, s.refundBody(rf))
}

// FailRefund ends a refund as ABNORMAL (the payer's account cannot take
// it) or CLOSED.
func (s *Server) FailRefund(outRefundNo, status string) error {
	if status != "ABNORMAL" && status != "CLOSED" {
		return fmt.Errorf("wechatpayfake: refund status %q is neither ABNORMAL nor CLOSED", status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rf := s.refunds[outRefundNo]
	if rf == nil {
		return fmt.Errorf("wechatpayfake: no refund %q", outRefundNo)
	}
	rf.status = status
	return nil
}

// RefundOf is the fake's view of a refund, for assertions.
func (s *Server) RefundOf(outRefundNo string) (wechatpay.Refund, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rf := s.refunds[outRefundNo]
	if rf == nil {
		return wechatpay.Refund{}, false
	}
	return s.refundBody(rf), true
}

// Refunded is the sum of an order's refunds that are not ABNORMAL or CLOSED.
func (s *Server) Refunded(ref string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, rf := range s.refunds {
		if rf.order.req.OutTradeNo == ref && rf.status != "ABNORMAL" && rf.status != "CLOSED" {
			n += rf.req.Amount.Refund
		}
	}
	return n
}
