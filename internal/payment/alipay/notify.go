package alipay

import (
	"context"
	"crypto/rsa"
	"io"
	"net/http"
	"net/url"

	"sharemall/internal/errs"
	"sharemall/internal/payment"
)

// ParseNotification verifies and reads an asynchronous notification
// (POST, application/x-www-form-urlencoded): the RSA2 signature, with
// Alipay's public key, over every parameter but sign and sign_type (empty
// ones too), sorted and joined; then that it is for this application (and
// this merchant, when Config.SellerID is set). A notification
// carrying refund_fee, out_biz_no or gmt_refund is about a refund: its
// refund_fee is the trade's refunded total, so the refund's own amount and
// state are asked of alipay.trade.fastpay.refund.query (out_biz_no is our
// refund key); a failure of that call is temporary, and Alipay posts the
// notification again later.
//
// Freshness: Alipay resends an unacknowledged notification for about 25
// hours with the same notify_id, so age is no sign of forgery and none is
// refused for it; the caller drops a repeat by EventID.
func (c *Client) ParseNotification(ctx context.Context, h http.Header, body []byte) (*payment.Notification, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errs.Invalidf("body", "is not a form: %v", err)
	}
	sign := v.Get("sign")
	if sign == "" {
		return nil, errs.Invalidf("sign", "is missing")
	}
	if st := v.Get("sign_type"); st != "" && st != "RSA2" {
		return nil, errs.Invalidf("sign_type", "must be RSA2, not %q", st)
	}
	keys, err := c.notifyKeys(ctx, v.Get("alipay_cert_sn"))
	if err != nil {
		return nil, err // temporary: Alipay posts it again
	}
	content := []byte(signingString(v, true, "sign", "sign_type"))
	ok := false
	for _, k := range keys {
		if ok = verifyRSA2(k, content, sign); ok {
			break
		}
		if v.Get("alipay_cert_sn") != "" {
			// Some SDKs leave the certificate's serial out of the content.
			if ok = verifyRSA2(k, []byte(signingString(v, true, "sign", "sign_type", "alipay_cert_sn")), sign); ok {
				break
			}
		}
	}
	if !ok {
		return nil, errs.Invalidf("sign", "does not verify with Alipay's public key")
	}
	if v.Get("app_id") != c.cfg.AppID {
		return nil, errs.Invalidf("app_id", "%q is not this application", v.Get("app_id"))
	}
	if c.cfg.SellerID != "" && v.Get("seller_id") != c.cfg.SellerID {
		return nil, errs.Invalidf("seller_id", "%q is not this merchant", v.Get("seller_id"))
	}
	n := &payment.Notification{EventID: v.Get("notify_id"), Reference: v.Get("out_trade_no"), ProviderRef: v.Get("trade_no")}
	if n.EventID == "" {
		return nil, errs.Invalidf("notify_id", "is missing")
	}
	if !referenceRE.MatchString(n.Reference) {
		return nil, errs.Invalidf("out_trade_no", "%q is not one of our references", n.Reference)
	}
	total, err := parseYuan("total_amount", v.Get("total_amount"))
	if err != nil {
		return nil, err
	}
	ps := &payment.PaymentState{Reference: n.Reference, ProviderRef: n.ProviderRef, Amount: total, Currency: "CNY", Payer: v.Get("buyer_id")}
	wasPaid := v.Get("gmt_payment") != ""
	if ps.Status, ps.Refunded, err = paymentStatus(v.Get("trade_status"), wasPaid, total); err != nil {
		return nil, err
	}
	if ps.Status == payment.PaymentPaid {
		ps.PaidAt = parseTime(v.Get("gmt_payment"))
	}
	n.Payment = ps
	n.Kind = payment.NotifyPayment
	if v.Get("refund_fee") == "" && v.Get("out_biz_no") == "" && v.Get("gmt_refund") == "" {
		return n, nil
	}
	n.Kind = payment.NotifyRefund
	if ps.Refunded, err = parseYuan("refund_fee", v.Get("refund_fee")); err != nil {
		return nil, err
	}
	key := v.Get("out_biz_no")
	if !refundKeyRE.MatchString(key) {
		return nil, errs.Invalidf("out_biz_no", "%q is not one of our refund keys", key)
	}
	rs, err := c.QueryRefund(ctx, n.Reference, key)
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return nil, errs.Invalidf("out_biz_no", "Alipay has no refund %s of %s", key, n.Reference)
		}
		return nil, err
	}
	if rs.Status == payment.RefundDone && !parseTime(v.Get("gmt_refund")).IsZero() {
		rs.DoneAt = parseTime(v.Get("gmt_refund"))
	}
	n.Refund = rs
	return n, nil
}

// Acknowledge answers a notification as Alipay reads it: the body
// "success" stops its resending; anything else ("failure") makes it post
// the notification again later.
func (c *Client) Acknowledge(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if err != nil {
		io.WriteString(w, "failure")
		return
	}
	io.WriteString(w, "success")
}

// notifyKeys are the keys a notification may be signed with: the one of
// the certificate it names, or, when it names none, every Alipay key this
// client holds (the configured one first), all of them trusted, so that a
// notification signed after Alipay renewed its certificate verifies.
func (c *Client) notifyKeys(ctx context.Context, sn string) ([]*rsa.PublicKey, error) {
	if c.certs == nil || sn != "" {
		k, err := c.alipayKey(ctx, sn)
		if err != nil {
			return nil, err
		}
		return []*rsa.PublicKey{k}, nil
	}
	keys := []*rsa.PublicKey{c.cfg.AlipayKey}
	c.mu.Lock()
	defer c.mu.Unlock()
	for s, k := range c.alipayKeys {
		if s != c.certs.defaultSN {
			keys = append(keys, k)
		}
	}
	return keys, nil
}
