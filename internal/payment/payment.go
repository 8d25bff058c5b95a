// Package payment is the payment-provider interface (Gateway) and the
// built-in sandbox provider, which behaves like a real one: a hosted
// payment page, then a notification to the server signed with HMAC-SHA256
// over the raw body.
package payment

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Callback is the body of the sandbox's signed notification of a payment.
type Callback struct {
	EventID     string       `json:"event_id"`
	ProviderRef string       `json:"provider_ref"` // the sandbox's id of the payment: our reference
	Status      string       `json:"status"`       // "paid"
	Amount      money.Amount `json:"amount"`       // minor units
	Currency    string       `json:"currency"`
}

// SignatureHeader carries the sandbox's hex HMAC-SHA256 of the raw body.
const SignatureHeader = "X-Sandbox-Signature"

// SandboxName is the sandbox's provider name.
const SandboxName = "sandbox"

// Sandbox is the built-in provider. Its hosted page lives on this server
// under /sandbox/pay/{reference}; BaseURL is the server's public base URL.
// It keeps no records of its own: the page is this server's, so a payment's
// state at the sandbox is its row here (Lookup), and its refunds are made
// at once (it holds no money).
type Sandbox struct {
	Secret  []byte
	BaseURL string
	// Lookup answers Query from this server's records; nil: Query says
	// the sandbox knows no such payment.
	Lookup func(ctx context.Context, reference string) (*PaymentState, error)
	// Now is the sandbox's clock (refund times); nil: time.Now.
	Now func() time.Time
}

var _ Gateway = (*Sandbox)(nil)

// Name is the provider's name as stored on payments.
func (s *Sandbox) Name() string { return SandboxName }

// Methods: the sandbox's hosted page, opened in the browser or by scanning
// its address as a QR code with a phone (as WeChat Pay Native is paid).
func (s *Sandbox) Methods() []Method { return []Method{MethodRedirect, MethodQR} }

// referencePattern is what providers accept as our reference (WeChat Pay's
// out_trade_no is the strictest: 6 to 32 of these).
var referencePattern = regexp.MustCompile(`^[0-9A-Za-z_-]{6,32}$`)

// ValidReference reports whether ref is a reference every provider takes.
func ValidReference(ref string) bool { return referencePattern.MatchString(ref) }

// Start opens a payment on the hosted page: its id at the sandbox is our
// reference.
func (s *Sandbox) Start(ctx context.Context, c ChargeRequest) (*Started, error) {
	switch {
	case !ValidReference(c.Reference):
		return nil, errs.Invalidf("reference", "must be 6 to 32 of 0-9, A-Z, a-z, _ and -")
	case c.Method != MethodRedirect && c.Method != MethodQR:
		return nil, errs.Invalidf("method", "the sandbox pays by redirect or qr, not %q", c.Method)
	case c.Amount < 0:
		return nil, errs.Invalidf("amount", "must not be negative")
	}
	page := strings.TrimRight(s.BaseURL, "/") + "/sandbox/pay/" + c.Reference
	if c.Method == MethodQR {
		return &Started{ProviderRef: c.Reference, QRCode: page}, nil
	}
	return &Started{ProviderRef: c.Reference, RedirectURL: page}, nil
}

// Sign is the signature the sandbox puts on a notification body.
func (s *Sandbox) Sign(body []byte) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyCallback compares the signature in constant time, then reads the body.
func (s *Sandbox) VerifyCallback(h http.Header, body []byte) (*Callback, error) {
	got, err := hex.DecodeString(h.Get(SignatureHeader))
	want, _ := hex.DecodeString(s.Sign(body))
	if err != nil || len(s.Secret) == 0 || !hmac.Equal(got, want) {
		return nil, errs.Invalidf(SignatureHeader, "does not match the body")
	}
	var cb Callback
	if err := json.Unmarshal(body, &cb); err != nil || cb.ProviderRef == "" {
		return nil, errs.Invalidf("body", "is not a sandbox callback")
	}
	if cb.Status != "paid" {
		return nil, errs.Invalidf("status", "must be paid")
	}
	return &cb, nil
}

// ParseNotification verifies a signed notification and reads it. A
// notification without an event id gets one from its body's digest, so a
// replay of the same body is the same event.
func (s *Sandbox) ParseNotification(ctx context.Context, h http.Header, body []byte) (*Notification, error) {
	cb, err := s.VerifyCallback(h, body)
	if err != nil {
		return nil, err
	}
	if cb.EventID == "" {
		sum := sha256.Sum256(body)
		cb.EventID = "sha256:" + hex.EncodeToString(sum[:])
	}
	return &Notification{Kind: NotifyPayment, EventID: cb.EventID, Reference: cb.ProviderRef, ProviderRef: cb.ProviderRef,
		Payment: &PaymentState{Reference: cb.ProviderRef, ProviderRef: cb.ProviderRef, Status: PaymentPaid,
			Amount: cb.Amount, Currency: cb.Currency, PaidAt: s.now()}}, nil
}

// Acknowledge answers 200 {"ok":true}, or 400 with the reason, which makes
// a sender deliver again.
func (s *Sandbox) Acknowledge(w http.ResponseWriter, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": err.Error()})
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"ok": true})
}

// Query answers from this server's records (Lookup).
func (s *Sandbox) Query(ctx context.Context, reference string) (*PaymentState, error) {
	if s.Lookup == nil {
		return nil, errs.E(errs.NotFound, "reference", "the sandbox knows no payment %s", reference)
	}
	return s.Lookup(ctx, reference)
}

// Refund is done at once: the sandbox holds no money. It is idempotent as
// a real provider is with a repeated refund key: asked again under the
// same key (after a crash, or by two servers) it answers the same done
// refund and gives nothing twice, never "already refunded" as an error,
// which the effects outbox would take for a failure and ask again forever.
// A request it can never make (no key, an amount that is not positive or
// above the payment's) is refused as invalid.
func (s *Sandbox) Refund(ctx context.Context, r RefundRequest) (*RefundState, error) {
	switch {
	case r.RefundKey == "":
		return nil, errs.Invalidf("refund_key", "is required: a refund must be idempotent at the provider")
	case r.Amount <= 0:
		return nil, errs.Invalidf("amount", "must be positive")
	case r.Total > 0 && r.Amount > r.Total:
		return nil, errs.Invalidf("amount", "is more than the payment's %d", r.Total)
	}
	sum := sha256.Sum256([]byte(r.RefundKey))
	return &RefundState{RefundKey: r.RefundKey, ProviderRef: "sbxr_" + hex.EncodeToString(sum[:8]), Status: RefundDone,
		Amount: r.Amount, DoneAt: s.now()}, nil
}

func (s *Sandbox) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// CallbackBody is the body the sandbox sends when its page's Pay button is pressed.
func (s *Sandbox) CallbackBody(ref string, amount money.Amount, currency string) []byte {
	b, _ := json.Marshal(Callback{EventID: "evt_" + randomHex(8), ProviderRef: ref, Status: "paid", Amount: amount, Currency: currency})
	return b
}

// SignedCallback is the notification the sandbox sends when its page's Pay
// button is pressed: its headers (with the signature) and body.
func (s *Sandbox) SignedCallback(ref string, amount money.Amount, currency string) (http.Header, []byte) {
	body := s.CallbackBody(ref, amount, currency)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(SignatureHeader, s.Sign(body))
	return h, body
}

// NewSecret is a fresh random secret, hex encoded.
func NewSecret() string { return randomHex(32) }

// NewReference is a fresh payment reference for order orderID: "sm", the
// order id in base 36, "x", 16 random hex digits; at most 32 characters,
// as every provider accepts.
func NewReference(orderID int64) string {
	return "sm" + strconv.FormatInt(orderID, 36) + "x" + randomHex(8)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
