package wechatpay

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
)

// Notice is the body WeChat Pay posts to notify_url.
type Notice struct {
	ID           string            `json:"id"`
	CreateTime   string            `json:"create_time"`
	EventType    string            `json:"event_type"`
	ResourceType string            `json:"resource_type"`
	Resource     encryptedResource `json:"resource"`
	Summary      string            `json:"summary"`
}

// NoticeResource is the sealed part of a notification, exported for the fake.
type NoticeResource = encryptedResource

// RefundNotice is the decrypted resource of REFUND.* notifications.
type RefundNotice struct {
	MchID               string       `json:"mchid"`
	OutTradeNo          string       `json:"out_trade_no"`
	TransactionID       string       `json:"transaction_id"`
	OutRefundNo         string       `json:"out_refund_no"`
	RefundID            string       `json:"refund_id"`
	RefundStatus        string       `json:"refund_status"`
	SuccessTime         string       `json:"success_time,omitempty"`
	UserReceivedAccount string       `json:"user_received_account,omitempty"`
	Amount              RefundAmount `json:"amount"`
}

// ParseNotification verifies a notification (fresh timestamp, signature
// by a platform certificate, fetched when the serial is new) and decrypts
// its resource with the APIv3 key. TRANSACTION.SUCCESS is a payment
// notification; REFUND.SUCCESS, REFUND.ABNORMAL and REFUND.CLOSED are
// refund notifications. EventID is the notification's id, which a
// redelivery repeats.
func (c *Client) ParseNotification(ctx context.Context, h http.Header, body []byte) (*payment.Notification, error) {
	if err := c.verifyHeaders(ctx, h, body); err != nil {
		return nil, wrap("wechatpay.ParseNotification", err)
	}
	var n Notice
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, errs.Invalidf("body", "not a WeChat Pay notification: %v", err)
	}
	if n.ID == "" {
		return nil, errs.Invalidf("id", "the notification has no id")
	}
	if n.ResourceType != "encrypt-resource" || n.Resource.Algorithm != "AEAD_AES_256_GCM" {
		return nil, errs.Invalidf("resource", "resource_type %q, algorithm %q: want encrypt-resource, AEAD_AES_256_GCM", n.ResourceType, n.Resource.Algorithm)
	}
	plain, err := Decrypt(c.apiV3Key, n.Resource.Nonce, n.Resource.AssociatedData, n.Resource.Ciphertext)
	if err != nil {
		return nil, errs.Invalidf("resource", "%v", err)
	}
	switch n.EventType {
	case "TRANSACTION.SUCCESS":
		var t Transaction
		if err := json.Unmarshal(plain, &t); err != nil {
			return nil, errs.Invalidf("resource", "not a transaction: %v", err)
		}
		if t.MchID != c.cfg.MchID || t.AppID != c.cfg.AppID {
			return nil, errs.Invalidf("resource", "for merchant %s app %s, not ours", t.MchID, t.AppID)
		}
		ps, err := c.paymentState(t)
		if err != nil {
			return nil, err
		}
		return &payment.Notification{Kind: payment.NotifyPayment, EventID: n.ID, Reference: t.OutTradeNo, ProviderRef: t.TransactionID, Payment: ps}, nil
	case "REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED":
		var rn RefundNotice
		if err := json.Unmarshal(plain, &rn); err != nil {
			return nil, errs.Invalidf("resource", "not a refund: %v", err)
		}
		if rn.MchID != c.cfg.MchID {
			return nil, errs.Invalidf("resource", "for merchant %s, not ours", rn.MchID)
		}
		st := &payment.RefundState{RefundKey: rn.OutRefundNo, ProviderRef: rn.RefundID, Amount: money.Amount(rn.Amount.Refund)}
		switch rn.RefundStatus {
		case "SUCCESS":
			st.Status = payment.RefundDone
			at, err := time.Parse(time.RFC3339, rn.SuccessTime)
			if err != nil {
				return nil, errs.Invalidf("success_time", "WeChat Pay sent %q, not an RFC 3339 time", rn.SuccessTime)
			}
			st.DoneAt = at
		case "ABNORMAL", "CLOSED":
			st.Status = payment.RefundFailed
		default:
			return nil, errs.Invalidf("refund_status", "unknown refund status %q", rn.RefundStatus)
		}
		return &payment.Notification{Kind: payment.NotifyRefund, EventID: n.ID, Reference: rn.OutTradeNo, ProviderRef: rn.TransactionID, Refund: st}, nil
	default:
		return nil, errs.Invalidf("event_type", "%q is not a notification this server handles", n.EventType)
	}
}

// Acknowledge answers a notification as WeChat Pay documents: 204 with no
// body when accepted; otherwise 500 with {"code":"FAIL","message":…}, and
// WeChat Pay sends it again later (15s, 15s, 30s, 3m, … up to 24h).
func (c *Client) Acknowledge(w http.ResponseWriter, err error) {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	json.NewEncoder(w).Encode(apiError{Code: "FAIL", Message: errs.MessageOf(err)})
}
