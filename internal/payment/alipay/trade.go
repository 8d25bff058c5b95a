package alipay

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
)

// API methods.
const (
	MethodWapPay      = "alipay.trade.wap.pay"
	MethodPrecreate   = "alipay.trade.precreate"
	MethodQuery       = "alipay.trade.query"
	MethodClose       = "alipay.trade.close"
	MethodRefund      = "alipay.trade.refund"
	MethodRefundQuery = "alipay.trade.fastpay.refund.query"
	MethodBillURL     = "alipay.data.dataservice.bill.downloadurl.query"
)

// maxAmount is Alipay's ceiling on one trade: 100,000,000.00 yuan.
const maxAmount money.Amount = 100_000_000_00

var (
	referenceRE = regexp.MustCompile(`^[0-9A-Za-z_-]{6,32}$`)
	refundKeyRE = regexp.MustCompile(`^[0-9A-Za-z_-]{1,64}$`)
)

var cny = money.CurrencyOf("CNY")

// yuan writes an amount as Alipay wants it: yuan with two decimals.
func yuan(a money.Amount) string { return cny.Format(a) }

// parseYuan reads an amount Alipay wrote; field names it in the error.
func parseYuan(field, s string) (money.Amount, error) {
	return cny.ParseField(field, strings.TrimSpace(s))
}

func checkCurrency(cur string) error {
	if cur != "CNY" {
		return errs.Invalidf("currency", "Alipay takes CNY only, not %q", cur)
	}
	return nil
}

func checkAmount(field string, a money.Amount) error {
	if a <= 0 {
		return errs.Invalidf(field, "must be more than 0.00")
	}
	if a > maxAmount {
		return errs.Invalidf(field, "must be at most 100000000.00 yuan, Alipay's limit on a trade")
	}
	return nil
}

// Start opens a payment. MethodRedirect makes the signed URL of
// alipay.trade.wap.pay that the browser is sent to (no server call: the
// payer's browser carries the signed request to Alipay); MethodQR calls
// alipay.trade.precreate and returns the qr_code to draw.
func (c *Client) Start(ctx context.Context, r payment.ChargeRequest) (*payment.Started, error) {
	if !c.offers(r.Method) {
		return nil, errs.Invalidf("method", "this Alipay application pays by %v, not %q", c.cfg.Methods, r.Method)
	}
	if !referenceRE.MatchString(r.Reference) {
		return nil, errs.Invalidf("reference", "must be 6 to 32 of 0-9 A-Z a-z _ -")
	}
	if err := checkCurrency(r.Currency); err != nil {
		return nil, err
	}
	if err := checkAmount("amount", r.Amount); err != nil {
		return nil, err
	}
	subject := strings.TrimSpace(r.Subject)
	if subject == "" {
		return nil, errs.Invalidf("subject", "is required: the payer sees it")
	}
	if utf8.RuneCountInString(subject) > 256 {
		return nil, errs.Invalidf("subject", "must be at most 256 characters")
	}
	if err := checkURL("notify_url", r.NotifyURL, true); err != nil {
		return nil, err
	}
	biz := map[string]any{
		"out_trade_no": r.Reference,
		"total_amount": yuan(r.Amount),
		"subject":      subject,
	}
	if !r.ExpiresAt.IsZero() {
		if !r.ExpiresAt.After(c.now()) {
			return nil, errs.Invalidf("expires_at", "is in the past")
		}
		biz["time_expire"] = r.ExpiresAt.In(shanghai).Format(timeLayout)
	}
	extra := map[string]string{"notify_url": r.NotifyURL}
	switch r.Method {
	case payment.MethodRedirect:
		if err := checkURL("return_url", r.ReturnURL, true); err != nil {
			return nil, err
		}
		biz["product_code"] = "QUICK_WAP_WAY"
		biz["quit_url"] = r.ReturnURL // where "back" on Alipay's page goes
		extra["return_url"] = r.ReturnURL
		v, err := c.params(MethodWapPay, biz, extra)
		if err != nil {
			return nil, err
		}
		sep := "?"
		if strings.Contains(c.gateway, "?") {
			sep = "&"
		}
		return &payment.Started{RedirectURL: c.gateway + sep + v.Encode()}, nil
	case payment.MethodQR:
		biz["product_code"] = "FACE_TO_FACE_PAYMENT"
		var out struct {
			OutTradeNo string `json:"out_trade_no"`
			QRCode     string `json:"qr_code"`
		}
		if err := c.call(ctx, MethodPrecreate, biz, extra, &out); err != nil {
			return nil, err
		}
		if out.QRCode == "" || out.OutTradeNo != r.Reference {
			return nil, errs.E(errs.Internal, "qr_code", "Alipay answered a precreate of %s without its code", r.Reference)
		}
		return &payment.Started{QRCode: out.QRCode}, nil
	}
	return nil, errs.Invalidf("method", "Alipay pays by %q or %q, not %q", payment.MethodRedirect, payment.MethodQR, r.Method)
}

func checkURL(field, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errs.Invalidf(field, "must be an absolute http(s) URL")
	}
	return nil
}

// Trade statuses.
const (
	statusWait     = "WAIT_BUYER_PAY"
	statusSuccess  = "TRADE_SUCCESS"
	statusFinished = "TRADE_FINISHED"
	statusClosed   = "TRADE_CLOSED"
)

// Query asks alipay.trade.query for the payment's state. A payment the
// payer has not opened yet (a QR code not scanned, a page not loaded) is
// unknown to Alipay: errs.NotFound.
func (c *Client) Query(ctx context.Context, reference string) (*payment.PaymentState, error) {
	if !referenceRE.MatchString(reference) {
		return nil, errs.Invalidf("reference", "must be 6 to 32 of 0-9 A-Z a-z _ -")
	}
	var out struct {
		TradeNo     string `json:"trade_no"`
		OutTradeNo  string `json:"out_trade_no"`
		TradeStatus string `json:"trade_status"`
		TotalAmount string `json:"total_amount"`
		BuyerUserID string `json:"buyer_user_id"`
		BuyerOpenID string `json:"buyer_open_id"`
		SendPayDate string `json:"send_pay_date"`
	}
	if err := c.call(ctx, MethodQuery, map[string]any{"out_trade_no": reference}, nil, &out); err != nil {
		return nil, err
	}
	if out.OutTradeNo != reference {
		return nil, errs.E(errs.Internal, "reference", "Alipay answered a query of %s with %s", reference, out.OutTradeNo)
	}
	total, err := parseYuan("total_amount", out.TotalAmount)
	if err != nil {
		return nil, err
	}
	st := &payment.PaymentState{Reference: reference, ProviderRef: out.TradeNo, Amount: total, Currency: "CNY", Payer: firstNonEmpty(out.BuyerUserID, out.BuyerOpenID)}
	st.Status, st.Refunded, err = paymentStatus(out.TradeStatus, out.SendPayDate != "", total)
	if err != nil {
		return nil, err
	}
	if st.Status == payment.PaymentPaid {
		st.PaidAt = parseTime(out.SendPayDate)
	}
	return st, nil
}

// paymentStatus maps a trade status to ours. TRADE_CLOSED is both "closed
// unpaid" and "paid, then refunded in full": a trade that was paid has a
// payment time (send_pay_date in a query, gmt_payment in a notification),
// and then all of it was refunded.
func paymentStatus(tradeStatus string, wasPaid bool, total money.Amount) (status string, refunded money.Amount, err error) {
	switch tradeStatus {
	case statusWait:
		return payment.PaymentOpen, 0, nil
	case statusSuccess, statusFinished:
		return payment.PaymentPaid, 0, nil
	case statusClosed:
		if wasPaid {
			return payment.PaymentPaid, total, nil
		}
		return payment.PaymentClosed, 0, nil
	}
	return "", 0, errs.Invalidf("trade_status", "%q is not a trade status Alipay documents", tradeStatus)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Close closes an unpaid trade (alipay.trade.close), so that it can no
// longer be paid. A trade the payer never opened is NotFound.
func (c *Client) Close(ctx context.Context, reference string) error {
	if !referenceRE.MatchString(reference) {
		return errs.Invalidf("reference", "must be 6 to 32 of 0-9 A-Z a-z _ -")
	}
	return c.call(ctx, MethodClose, map[string]any{"out_trade_no": reference}, nil, nil)
}

// Refund gives back r.Amount through alipay.trade.refund with
// out_request_no = r.RefundKey, which Alipay refunds once however often it
// is asked: a repeat answers fund_change "N". A repeat, and a refund call
// that failed for a temporary reason (it may have been done and its answer
// lost), are settled by alipay.trade.fastpay.refund.query: REFUND_SUCCESS
// is done; no such refund yet is the temporary error, and the outbox asks
// again under the same key.
func (c *Client) Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundState, error) {
	if !referenceRE.MatchString(r.Reference) {
		return nil, errs.Invalidf("reference", "must be 6 to 32 of 0-9 A-Z a-z _ -")
	}
	if !refundKeyRE.MatchString(r.RefundKey) {
		return nil, errs.Invalidf("refund_key", "must be 1 to 64 of 0-9 A-Z a-z _ -: Alipay's out_request_no makes the refund idempotent")
	}
	if err := checkCurrency(r.Currency); err != nil {
		return nil, err
	}
	if err := checkAmount("amount", r.Amount); err != nil {
		return nil, err
	}
	if r.Total > 0 && r.Amount > r.Total {
		return nil, errs.Invalidf("amount", "%s is more than the payment's %s", yuan(r.Amount), yuan(r.Total))
	}
	biz := map[string]any{
		"out_trade_no":   r.Reference,
		"refund_amount":  yuan(r.Amount),
		"out_request_no": r.RefundKey,
	}
	if r.ProviderRef != "" {
		biz["trade_no"] = r.ProviderRef
	}
	if reason := strings.TrimSpace(r.Reason); reason != "" {
		if utf8.RuneCountInString(reason) > 256 {
			reason = string([]rune(reason)[:256])
		}
		biz["refund_reason"] = reason
	}
	var out struct {
		TradeNo      string `json:"trade_no"`
		FundChange   string `json:"fund_change"`
		GmtRefundPay string `json:"gmt_refund_pay"`
	}
	err := c.call(ctx, MethodRefund, biz, nil, &out)
	if err == nil && out.FundChange == "Y" {
		return &payment.RefundState{RefundKey: r.RefundKey, Status: payment.RefundDone, Amount: r.Amount, DoneAt: c.refundTime(out.GmtRefundPay)}, nil
	}
	if err != nil && errs.CodeOf(err) != errs.Internal {
		return nil, err // refused for good (Invalid, NotFound): nothing was refunded
	}
	// A repeat (fund_change N), or no answer: ask what became of the key.
	st, qerr := c.QueryRefund(ctx, r.Reference, r.RefundKey)
	switch {
	case qerr == nil && st.Status == payment.RefundDone:
		if st.Amount != r.Amount {
			return nil, errs.Invalidf("refund_key", "%s was already used for a refund of %s, not %s", r.RefundKey, yuan(st.Amount), yuan(r.Amount))
		}
		return st, nil
	case err != nil:
		return nil, err // still unknown: temporary, asked again under the same key
	}
	// Alipay took the refund (a repeat of the key) and has not said it is
	// done, or the query failed: pending, followed by asking again.
	return &payment.RefundState{RefundKey: r.RefundKey, Status: payment.RefundPending, Amount: r.Amount}, nil
}

func (c *Client) refundTime(s string) time.Time {
	if t := parseTime(s); !t.IsZero() {
		return t
	}
	return c.now()
}

// QueryRefund asks alipay.trade.fastpay.refund.query for the refund
// refundKey of the payment reference: REFUND_SUCCESS is done; a refund
// Alipay has but has not finished is pending; one it has not received is
// errs.NotFound.
func (c *Client) QueryRefund(ctx context.Context, reference, refundKey string) (*payment.RefundState, error) {
	var out struct {
		OutTradeNo   string `json:"out_trade_no"`
		OutRequestNo string `json:"out_request_no"`
		RefundAmount string `json:"refund_amount"`
		RefundStatus string `json:"refund_status"`
		GmtRefundPay string `json:"gmt_refund_pay"`
	}
	biz := map[string]any{"out_trade_no": reference, "out_request_no": refundKey, "query_options": []string{"gmt_refund_pay"}}
	if err := c.call(ctx, MethodRefundQuery, biz, nil, &out); err != nil {
		return nil, err
	}
	// Alipay answers 10000 with no refund fields for a key it never received.
	if out.OutRequestNo == "" && out.RefundAmount == "" {
		return nil, errs.E(errs.NotFound, "refund_key", "Alipay has no refund %s of %s", refundKey, reference)
	}
	amount, err := parseYuan("refund_amount", out.RefundAmount)
	if err != nil {
		return nil, err
	}
	st := &payment.RefundState{RefundKey: refundKey, Status: payment.RefundPending, Amount: amount}
	if out.RefundStatus == "REFUND_SUCCESS" {
		st.Status = payment.RefundDone
		st.DoneAt = c.refundTime(out.GmtRefundPay)
	}
	return st, nil
}
