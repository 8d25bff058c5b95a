package wechatpay

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
)

var refundKeyRE = regexp.MustCompile(`^[0-9A-Za-z_|*@-]{1,64}$`)

// RefundRequestBody is the body of POST /v3/refund/domestic/refunds.
type RefundRequestBody struct {
	TransactionID string       `json:"transaction_id,omitempty"`
	OutTradeNo    string       `json:"out_trade_no,omitempty"`
	OutRefundNo   string       `json:"out_refund_no"`
	Reason        string       `json:"reason,omitempty"`
	NotifyURL     string       `json:"notify_url,omitempty"`
	Amount        RefundAmount `json:"amount"`
}

// RefundAmount is a refund's amount object: fen.
type RefundAmount struct {
	Refund      int64  `json:"refund"`
	Total       int64  `json:"total"`
	Currency    string `json:"currency"`
	PayerTotal  int64  `json:"payer_total,omitempty"`
	PayerRefund int64  `json:"payer_refund,omitempty"`
}

// Refund is a refund as WeChat Pay answers it (create and query).
type Refund struct {
	RefundID            string       `json:"refund_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	TransactionID       string       `json:"transaction_id"`
	OutTradeNo          string       `json:"out_trade_no"`
	Channel             string       `json:"channel,omitempty"`
	UserReceivedAccount string       `json:"user_received_account,omitempty"`
	SuccessTime         string       `json:"success_time,omitempty"`
	CreateTime          string       `json:"create_time,omitempty"`
	Status              string       `json:"status"`
	Amount              RefundAmount `json:"amount"`
}

// Refund asks for r.Amount back. out_refund_no is r.RefundKey, which
// WeChat Pay treats as the idempotency key ("the same out_refund_no
// refunds once"): asked again, the create call answers the existing
// refund, and when it says instead that the refund exists we read it with
// GET /v3/refund/domestic/refunds/{out_refund_no}. Either way the answer
// is the refund's current state, which is how a PROCESSING refund is
// followed until SUCCESS.
func (c *Client) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundState, error) {
	switch {
	case r.Currency != "CNY":
		return nil, errs.Invalidf("currency", "WeChat Pay refunds CNY only, not %q", r.Currency)
	case !refundKeyRE.MatchString(r.RefundKey):
		return nil, errs.Invalidf("refund_key", "must be 1 to 64 of 0-9 A-Z a-z _ - | * @, got %q", r.RefundKey)
	case r.Reference == "" && r.ProviderRef == "":
		return nil, errs.Invalidf("reference", "the payment's reference or WeChat Pay's transaction id is required")
	case r.Amount <= 0:
		return nil, errs.Invalidf("amount", "must be at least 1 fen, got %d", r.Amount)
	case r.Total <= 0:
		return nil, errs.Invalidf("total", "WeChat Pay requires the payment's whole amount, got %d", r.Total)
	case r.Amount > r.Total:
		return nil, errs.Invalidf("amount", "%d fen is more than the payment's %d", r.Amount, r.Total)
	}
	body := RefundRequestBody{
		OutRefundNo: r.RefundKey,
		Reason:      truncateRunes(r.Reason, 80),
		NotifyURL:   r.NotifyURL,
		Amount:      RefundAmount{Refund: int64(r.Amount), Total: int64(r.Total), Currency: "CNY"},
	}
	if r.Reference != "" {
		body.OutTradeNo = r.Reference
	} else {
		body.TransactionID = r.ProviderRef
	}
	var out Refund
	resp, err := c.call(ctx, http.MethodPost, "/v3/refund/domestic/refunds", body, &out)
	if err != nil && resp != nil && resp.code() == "RESOURCE_ALREADY_EXISTS" {
		return c.refundNow(ctx, r)
	}
	if err != nil {
		return nil, wrap("wechatpay.Refund", err)
	}
	return refundState(out, r)
}

// refundNow reads the refund r.RefundKey and checks it is the one asked for.
func (c *Client) refundNow(ctx context.Context, r payment.RefundRequest) (*payment.RefundState, error) {
	var out Refund
	if _, err := c.call(ctx, http.MethodGet, "/v3/refund/domestic/refunds/"+url.PathEscape(r.RefundKey), nil, &out); err != nil {
		return nil, wrap("wechatpay.Refund", err)
	}
	return refundState(out, r)
}

// QueryRefund reads a refund by our key.
func (c *Client) QueryRefund(ctx context.Context, refundKey string) (*payment.RefundState, error) {
	var out Refund
	if !refundKeyRE.MatchString(refundKey) {
		return nil, errs.Invalidf("refund_key", "must be 1 to 64 of 0-9 A-Z a-z _ - | * @, got %q", refundKey)
	}
	if _, err := c.call(ctx, http.MethodGet, "/v3/refund/domestic/refunds/"+url.PathEscape(refundKey), nil, &out); err != nil {
		return nil, wrap("wechatpay.QueryRefund", err)
	}
	return refundState(out, payment.RefundRequest{RefundKey: refundKey})
}

// refundState maps status: SUCCESS done, PROCESSING pending, ABNORMAL and
// CLOSED failed. When asked (r.Amount set), the refund must be the one
// asked for: a key reused for another payment or amount is errs.Invalid,
// never taken as the answer.
func refundState(out Refund, r payment.RefundRequest) (*payment.RefundState, error) {
	if out.OutRefundNo != r.RefundKey {
		return nil, errs.Invalidf("refund_key", "WeChat Pay answered refund %q, asked %q", out.OutRefundNo, r.RefundKey)
	}
	if r.Amount != 0 && money.Amount(out.Amount.Refund) != r.Amount {
		return nil, errs.Invalidf("refund_key", "%s is already a refund of %d fen, not %d", r.RefundKey, out.Amount.Refund, r.Amount)
	}
	if r.Reference != "" && out.OutTradeNo != "" && out.OutTradeNo != r.Reference {
		return nil, errs.Invalidf("refund_key", "%s is already a refund of payment %s, not %s", r.RefundKey, out.OutTradeNo, r.Reference)
	}
	st := &payment.RefundState{RefundKey: out.OutRefundNo, ProviderRef: out.RefundID, Amount: money.Amount(out.Amount.Refund)}
	switch out.Status {
	case "SUCCESS":
		st.Status = payment.RefundDone
		if out.SuccessTime != "" {
			at, err := time.Parse(time.RFC3339, out.SuccessTime)
			if err != nil {
				return nil, errs.Invalidf("success_time", "WeChat Pay sent %q, not an RFC 3339 time", out.SuccessTime)
			}
			st.DoneAt = at
		}
	case "PROCESSING":
		st.Status = payment.RefundPending
	case "ABNORMAL", "CLOSED":
		st.Status = payment.RefundFailed
	default:
		return nil, errs.Invalidf("status", "WeChat Pay sent unknown refund status %q", out.Status)
	}
	return st, nil
}
