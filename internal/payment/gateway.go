package payment

import (
	"context"
	"io"
	"net/http"
	"time"

	"sharemall/internal/money"
)

// Gateway is a payment provider as the real ones are: a payment started in
// one of several ways, notifications of payments and refunds that must be
// verified (and, for WeChat Pay, decrypted), refunds that may be
// confirmed later than they are asked for, and a query for when a
// notification is late or lost. The sandbox, WeChat Pay (package
// wechatpay) and Alipay (package alipay) implement it; it replaces
// Provider, which knows only a redirect and a refund that succeeds at once.
//
// Errors: a request the provider refuses for good (a bad signature, an
// unknown payment, an amount above what is left to refund) is an
// errs.Invalid or errs.NotFound error, which the effects outbox marks failed
// for a person to look at; any other error (a timeout, a 5xx, a connection
// refused) is temporary, and the outbox asks again with the same
// idempotency key after its backoff.
type Gateway interface {
	// Name is the provider's name as stored on payments ("sandbox",
	// "wechatpay", "alipay").
	Name() string
	// Methods are the ways of paying this gateway is configured for.
	Methods() []Method
	// Start opens a payment of c at the provider.
	Start(ctx context.Context, c ChargeRequest) (*Started, error)
	// ParseNotification verifies a notification the provider posted to
	// NotifyURL (signature, freshness, decryption) and reads it. A forged,
	// stale or malformed notification is an errs.Invalid error.
	ParseNotification(ctx context.Context, h http.Header, body []byte) (*Notification, error)
	// Acknowledge writes the answer the provider expects to a
	// notification: accepted when err is nil, otherwise a failure, so that
	// the provider sends it again later.
	Acknowledge(w http.ResponseWriter, err error)
	// Query asks the provider for the state of the payment whose
	// reference is ChargeRequest.Reference.
	Query(ctx context.Context, reference string) (*PaymentState, error)
	// Refund asks the provider to give back r.Amount of a paid payment.
	// Idempotent by r.RefundKey: asked again with the same key (after a
	// timeout, a crash, or by a second server) it refunds nothing more and
	// answers the refund's current state, which is how a pending refund is
	// followed until it is done.
	Refund(ctx context.Context, r RefundRequest) (*RefundState, error)
}

// Method is a way of paying.
type Method string

const (
	// MethodRedirect sends the customer's browser to the provider's page
	// (the sandbox's page, WeChat Pay H5, Alipay mobile web payment).
	MethodRedirect Method = "redirect"
	// MethodQR shows a code the customer scans with the provider's app
	// (WeChat Pay Native, Alipay's precreated QR payment).
	MethodQR Method = "qr"
	// MethodJSAPI pays inside the provider's app, where the page calls the
	// app's bridge with signed parameters (WeChat Pay JSAPI).
	MethodJSAPI Method = "jsapi"
)

// ChargeRequest is a payment to open.
type ChargeRequest struct {
	OrderID   int64
	Reference string // our unique reference of this payment (WeChat out_trade_no, Alipay out_trade_no): 6 to 32 of [0-9A-Za-z_-]
	Amount    money.Amount
	Currency  string
	Method    Method
	Subject   string    // what the payer sees (the order's description)
	ClientIP  string    // the payer's IP address (WeChat H5 requires it)
	PayerID   string    // MethodJSAPI: the payer's id in the app (WeChat openid)
	NotifyURL string    // where the provider posts notifications
	ReturnURL string    // where the payer's browser goes back after paying
	ExpiresAt time.Time // after it the provider refuses to take the payment; zero: the provider's default
}

// Started is what the customer needs to pay.
type Started struct {
	ProviderRef string            // the provider's id of the payment when it gives one at once, else ""
	RedirectURL string            // MethodRedirect: where to send the browser
	QRCode      string            // MethodQR: the text to draw as a QR code
	Bridge      map[string]string // MethodJSAPI: the signed parameters of the app's pay call
}

// Notification kinds.
const (
	NotifyPayment = "payment"
	NotifyRefund  = "refund"
)

// Notification is a verified notification.
type Notification struct {
	Kind        string // NotifyPayment or NotifyRefund
	EventID     string // the provider's id of this notification: a replay carries the same
	Reference   string // our payment reference
	ProviderRef string // the provider's id of the payment (WeChat transaction_id, Alipay trade_no)
	// Payment notifications: Payment is the payment's state.
	Payment *PaymentState
	// Refund notifications: Refund is the refund's state.
	Refund *RefundState
}

// Payment statuses at a provider.
const (
	PaymentOpen   = "open"   // not paid yet
	PaymentPaid   = "paid"   // paid (refunds, if any, are in Refunded)
	PaymentClosed = "closed" // closed or expired unpaid
)

// PaymentState is a payment as the provider sees it.
type PaymentState struct {
	Reference   string
	ProviderRef string
	Status      string // PaymentOpen, PaymentPaid or PaymentClosed
	Amount      money.Amount
	Currency    string
	PaidAt      time.Time    // when Status is PaymentPaid
	Refunded    money.Amount // given back so far, when the provider says
	Payer       string       // the provider's id of the payer, when it says (WeChat openid, Alipay buyer id)
}

// RefundRequest is a refund to ask for.
type RefundRequest struct {
	Reference   string // the payment's reference
	ProviderRef string // the payment's id at the provider
	RefundKey   string // our idempotency key of this refund (WeChat out_refund_no, Alipay out_request_no)
	Amount      money.Amount
	Total       money.Amount // the payment's whole amount (WeChat Pay requires it)
	Currency    string
	Reason      string
	NotifyURL   string // where the provider posts the refund's notification, if it sends one
}

// Refund statuses at a provider.
const (
	RefundPending = "pending" // accepted, money not yet back
	RefundDone    = "done"    // the money is back
	RefundFailed  = "failed"  // the provider gave up (WeChat ABNORMAL or CLOSED); a person must act
)

// RefundState is a refund as the provider sees it.
type RefundState struct {
	RefundKey   string
	ProviderRef string // the provider's id of the refund
	Status      string // RefundPending, RefundDone or RefundFailed
	Amount      money.Amount
	DoneAt      time.Time // when Status is RefundDone
}

// Statement line kinds.
const (
	LinePayment = "payment"
	LineRefund  = "refund"
)

// StatementLine is one row of a provider's daily statement (WeChat Pay's
// trade bill, Alipay's business detail), as `sharemall payments reconcile`
// compares it with the ledger.
type StatementLine struct {
	At          time.Time
	Kind        string // LinePayment or LineRefund
	Reference   string // our payment reference
	ProviderRef string // the provider's id of the payment
	RefundKey   string // refunds: our refund key
	Amount      money.Amount
	Fee         money.Amount // the provider's fee on the line
	Currency    string
}

// StatementReader reads a provider's daily statement in its documented
// format. Each real provider's package has one.
type StatementReader func(r io.Reader) ([]StatementLine, error)
