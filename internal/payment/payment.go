// Package payment is the payment-provider interface and the built-in
// sandbox provider, which behaves like a real one: a hosted payment page,
// then a callback to the server signed with HMAC-SHA256 over the raw body.
package payment

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// Charge is what a provider is asked to collect.
type Charge struct {
	OrderID  int64
	Amount   money.Amount
	Currency string
}

// Callback is what a provider reports about a payment, once its signature
// has been verified.
type Callback struct {
	EventID     string       `json:"event_id"`
	ProviderRef string       `json:"provider_ref"`
	Status      string       `json:"status"` // "paid"
	Amount      money.Amount `json:"amount"` // minor units
	Currency    string       `json:"currency"`
}

// Provider is a payment provider.
type Provider interface {
	Name() string
	// StartPayment opens a payment and returns where to send the customer
	// and the provider's reference for it.
	StartPayment(ctx context.Context, c Charge) (redirectURL, providerRef string, err error)
	// VerifyCallback checks the callback's signature and reads it.
	VerifyCallback(h http.Header, body []byte) (*Callback, error)
	// Refund gives back amount of the payment providerRef. refundKey is the
	// provider's idempotency key for the refund (WeChat Pay's out_refund_no,
	// Stripe's Idempotency-Key): the same key refunds once, however often a
	// crash or a race makes us ask.
	Refund(ctx context.Context, providerRef, refundKey string, amount money.Amount, currency string) error
}

// SignatureHeader carries the sandbox's hex HMAC-SHA256 of the raw body.
const SignatureHeader = "X-Sandbox-Signature"

// Sandbox is the built-in provider. Its hosted page lives on this server
// under /sandbox/pay/{ref}; BaseURL is the server's public base URL.
type Sandbox struct {
	Secret  []byte
	BaseURL string
}

// Name is the provider's name as stored on payments.
func (s *Sandbox) Name() string { return "sandbox" }

// StartPayment makes a random reference and the hosted page's URL.
func (s *Sandbox) StartPayment(ctx context.Context, c Charge) (string, string, error) {
	ref := "sbx_" + randomHex(16)
	return strings.TrimRight(s.BaseURL, "/") + "/sandbox/pay/" + ref, ref, nil
}

// Sign is the signature the sandbox puts on a callback body.
func (s *Sandbox) Sign(body []byte) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyCallback compares the signature in constant time, then reads the body.
func (s *Sandbox) VerifyCallback(h http.Header, body []byte) (*Callback, error) {
	got, err := hex.DecodeString(h.Get(SignatureHeader))
	want, _ := hex.DecodeString(s.Sign(body))
	if err != nil || !hmac.Equal(got, want) {
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

// Refund succeeds at once: the sandbox holds no money. It is idempotent as
// a real provider is with a repeated refund key: asked again under the
// same key (after a crash, or by two servers) it answers the same success
// and gives nothing twice, never "already refunded" as an error, which the
// effects outbox would take for a failure and ask again forever. A request
// it can never make (no key, a negative amount) is refused as invalid.
func (s *Sandbox) Refund(ctx context.Context, providerRef, refundKey string, amount money.Amount, currency string) error {
	if refundKey == "" {
		return errs.Invalidf("refund_key", "is required: a refund must be idempotent at the provider")
	}
	if amount < 0 {
		return errs.Invalidf("amount", "must not be negative")
	}
	return nil
}

// CallbackBody is the body the sandbox sends when its page's Pay button is pressed.
func (s *Sandbox) CallbackBody(ref string, amount money.Amount, currency string) []byte {
	b, _ := json.Marshal(Callback{EventID: "evt_" + randomHex(8), ProviderRef: ref, Status: "paid", Amount: amount, Currency: currency})
	return b
}

// SignedCallback is the callback the sandbox sends when its page's Pay
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

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
