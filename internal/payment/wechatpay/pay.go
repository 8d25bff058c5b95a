package wechatpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
)

// beijing is the zone of WeChat Pay's times and bills (UTC+8, no DST).
var beijing = time.FixedZone("CST", 8*3600)

var referenceRE = regexp.MustCompile(`^[0-9A-Za-z_-]{6,32}$`)

// Amount is WeChat Pay's amount object: fen, CNY.
type Amount struct {
	Total         int64  `json:"total"`
	Currency      string `json:"currency,omitempty"`
	PayerTotal    int64  `json:"payer_total,omitempty"`
	PayerCurrency string `json:"payer_currency,omitempty"`
}

// PrepayRequest is the body of POST /v3/pay/transactions/{jsapi,h5,native}.
type PrepayRequest struct {
	AppID       string     `json:"appid"`
	MchID       string     `json:"mchid"`
	Description string     `json:"description"`
	OutTradeNo  string     `json:"out_trade_no"`
	TimeExpire  string     `json:"time_expire,omitempty"`
	Attach      string     `json:"attach,omitempty"`
	NotifyURL   string     `json:"notify_url"`
	Amount      Amount     `json:"amount"`
	Payer       *Payer     `json:"payer,omitempty"`
	SceneInfo   *SceneInfo `json:"scene_info,omitempty"`
}

// Payer is the JSAPI payer.
type Payer struct {
	OpenID string `json:"openid"`
}

// SceneInfo is H5's required scene.
type SceneInfo struct {
	PayerClientIP string  `json:"payer_client_ip"`
	H5Info        *H5Info `json:"h5_info,omitempty"`
}

// H5Info says what kind of page pays.
type H5Info struct {
	Type string `json:"type"` // "Wap", "iOS", "Android"
}

// PrepayResponse is the answer of the three prepay calls.
type PrepayResponse struct {
	PrepayID string `json:"prepay_id,omitempty"` // JSAPI
	H5URL    string `json:"h5_url,omitempty"`    // H5
	CodeURL  string `json:"code_url,omitempty"`  // Native
}

// Transaction is a payment as WeChat Pay describes it (query answers and
// the decrypted resource of TRANSACTION.SUCCESS).
type Transaction struct {
	AppID          string `json:"appid"`
	MchID          string `json:"mchid"`
	OutTradeNo     string `json:"out_trade_no"`
	TransactionID  string `json:"transaction_id,omitempty"`
	TradeType      string `json:"trade_type,omitempty"`
	TradeState     string `json:"trade_state"`
	TradeStateDesc string `json:"trade_state_desc,omitempty"`
	BankType       string `json:"bank_type,omitempty"`
	Attach         string `json:"attach,omitempty"`
	SuccessTime    string `json:"success_time,omitempty"`
	Payer          *Payer `json:"payer,omitempty"`
	Amount         Amount `json:"amount"`
}

func (c *Client) validateCharge(ch payment.ChargeRequest) error {
	switch {
	case !slices.Contains(c.methods, ch.Method):
		return errs.Invalidf("method", "WeChat Pay here takes %v, not %q", c.methods, ch.Method)
	case ch.Currency != "CNY":
		return errs.Invalidf("currency", "WeChat Pay takes CNY only, not %q", ch.Currency)
	case ch.Amount <= 0:
		return errs.Invalidf("amount", "must be at least 1 fen, got %d", ch.Amount)
	case ch.Amount > 1<<31-1:
		return errs.Invalidf("amount", "%d fen is over WeChat Pay's limit", ch.Amount)
	case !referenceRE.MatchString(ch.Reference):
		return errs.Invalidf("reference", "must be 6 to 32 of 0-9 A-Z a-z _ -, got %q", ch.Reference)
	case ch.Subject == "":
		return errs.Invalidf("subject", "WeChat Pay requires a description the payer sees")
	case ch.NotifyURL == "":
		return errs.Invalidf("notify_url", "WeChat Pay requires a notification URL")
	case ch.Method == payment.MethodJSAPI && ch.PayerID == "":
		return errs.Invalidf("payer_id", "JSAPI payments need the payer's openid")
	case ch.Method == payment.MethodRedirect && ch.ClientIP == "":
		return errs.Invalidf("client_ip", "H5 payments need the payer's IP address")
	case !ch.ExpiresAt.IsZero() && !ch.ExpiresAt.After(c.now()):
		return errs.Invalidf("expires_at", "is in the past")
	}
	return nil
}

// Start places the order at WeChat Pay: JSAPI answers the signed bridge
// parameters, H5 the page to send the browser to, Native the code_url to
// draw as a QR code.
func (c *Client) Start(ctx context.Context, ch payment.ChargeRequest) (*payment.Started, error) {
	if err := c.validateCharge(ch); err != nil {
		return nil, err
	}
	req := PrepayRequest{
		AppID: c.cfg.AppID, MchID: c.cfg.MchID,
		Description: truncateRunes(ch.Subject, 127),
		OutTradeNo:  ch.Reference,
		NotifyURL:   ch.NotifyURL,
		Amount:      Amount{Total: int64(ch.Amount), Currency: "CNY"},
	}
	if !ch.ExpiresAt.IsZero() {
		req.TimeExpire = ch.ExpiresAt.In(beijing).Format(time.RFC3339)
	}
	var path string
	switch ch.Method {
	case payment.MethodJSAPI:
		path = "/v3/pay/transactions/jsapi"
		req.Payer = &Payer{OpenID: ch.PayerID}
	case payment.MethodRedirect:
		path = "/v3/pay/transactions/h5"
		req.SceneInfo = &SceneInfo{PayerClientIP: ch.ClientIP, H5Info: &H5Info{Type: "Wap"}}
	case payment.MethodQR:
		path = "/v3/pay/transactions/native"
	}
	var out PrepayResponse
	if _, err := c.call(ctx, http.MethodPost, path, req, &out); err != nil {
		return nil, wrap("wechatpay.Start", err)
	}
	st := &payment.Started{}
	switch ch.Method {
	case payment.MethodJSAPI:
		if out.PrepayID == "" {
			return nil, errs.E(errs.Invalid, "", "WeChat Pay answered no prepay_id")
		}
		b, err := c.Bridge(out.PrepayID)
		if err != nil {
			return nil, err
		}
		st.Bridge = b
	case payment.MethodRedirect:
		if out.H5URL == "" {
			return nil, errs.E(errs.Invalid, "", "WeChat Pay answered no h5_url")
		}
		st.RedirectURL = out.H5URL
		if ch.ReturnURL != "" {
			// The documented way back: redirect_url appended, URL-encoded.
			st.RedirectURL += "&redirect_url=" + url.QueryEscape(ch.ReturnURL)
		}
	case payment.MethodQR:
		if out.CodeURL == "" {
			return nil, errs.E(errs.Invalid, "", "WeChat Pay answered no code_url")
		}
		st.QRCode = out.CodeURL
	}
	return st, nil
}

// Bridge is the signed parameters of WeixinJSBridge's getBrandWCPayRequest
// (and wx.chooseWXPay) for prepayID: the signature covers appId,
// timeStamp, nonceStr and package, each followed by "\n".
func (c *Client) Bridge(prepayID string) (map[string]string, error) {
	ts := strconv.FormatInt(c.now().Unix(), 10)
	nonce := Nonce()
	pkg := "prepay_id=" + prepayID
	sig, err := Sign(c.key, []byte(c.cfg.AppID+"\n"+ts+"\n"+nonce+"\n"+pkg+"\n"))
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"appId": c.cfg.AppID, "timeStamp": ts, "nonceStr": nonce,
		"package": pkg, "signType": "RSA", "paySign": sig,
	}, nil
}

// Query asks for the payment whose out_trade_no is reference.
func (c *Client) Query(ctx context.Context, reference string) (*payment.PaymentState, error) {
	if !referenceRE.MatchString(reference) {
		return nil, errs.Invalidf("reference", "must be 6 to 32 of 0-9 A-Z a-z _ -, got %q", reference)
	}
	var t Transaction
	path := "/v3/pay/transactions/out-trade-no/" + url.PathEscape(reference) + "?mchid=" + url.QueryEscape(c.cfg.MchID)
	if _, err := c.call(ctx, http.MethodGet, path, nil, &t); err != nil {
		return nil, wrap("wechatpay.Query", err)
	}
	if t.OutTradeNo != reference {
		return nil, errs.E(errs.Invalid, "reference", "WeChat Pay answered for %q, asked %q", t.OutTradeNo, reference)
	}
	return c.paymentState(t)
}

// paymentState maps trade_state: SUCCESS and REFUND (paid, then refunded
// in part or whole) are paid; NOTPAY and USERPAYING open; CLOSED, REVOKED
// and PAYERROR closed.
func (c *Client) paymentState(t Transaction) (*payment.PaymentState, error) {
	ps := &payment.PaymentState{
		Reference: t.OutTradeNo, ProviderRef: t.TransactionID,
		Amount: money.Amount(t.Amount.Total), Currency: t.Amount.Currency,
	}
	if ps.Currency == "" {
		ps.Currency = "CNY"
	}
	if t.Payer != nil {
		ps.Payer = t.Payer.OpenID
	}
	switch t.TradeState {
	case "SUCCESS", "REFUND":
		ps.Status = payment.PaymentPaid
		at, err := time.Parse(time.RFC3339, t.SuccessTime)
		if err != nil {
			return nil, errs.Invalidf("success_time", "WeChat Pay sent %q, not an RFC 3339 time", t.SuccessTime)
		}
		ps.PaidAt = at
	case "NOTPAY", "USERPAYING":
		ps.Status = payment.PaymentOpen
	case "CLOSED", "REVOKED", "PAYERROR":
		ps.Status = payment.PaymentClosed
	default:
		return nil, errs.Invalidf("trade_state", "WeChat Pay sent unknown state %q", t.TradeState)
	}
	return ps, nil
}

// wrap says where err happened: a domain error keeps its code (errs.Wrap);
// a temporary one stays a plain error, which the outbox retries (errs.Wrap
// would make it Internal).
func wrap(op string, err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return errs.Wrap(op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// Close closes the unpaid payment ref at WeChat Pay (POST
// /v3/pay/transactions/out-trade-no/{ref}/close), so it can no longer be
// paid: for an order cancelled before payment. Closing a closed payment
// is not an error; a paid one is errs.Invalid (WeChat Pay: ORDERPAID), and
// the payment's owner must refund instead. Not part of payment.Gateway:
// callers that cancel unpaid orders look for it with a type assertion.
func (c *Client) Close(ctx context.Context, ref string) error {
	if !referenceRE.MatchString(ref) {
		return errs.Invalidf("reference", "must be 6 to 32 of 0-9 A-Z a-z _ -, got %q", ref)
	}
	path := "/v3/pay/transactions/out-trade-no/" + url.PathEscape(ref) + "/close"
	if _, err := c.call(ctx, http.MethodPost, path, map[string]string{"mchid": c.cfg.MchID}, nil); err != nil {
		return wrap("wechatpay.Close", err)
	}
	return nil
}
