package api

import (
	"bytes"
	"context"
	"encoding/json"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payment"
	"sharemall/internal/store"
)

// sandbox is the sandbox provider, when the server runs it (demo and tests;
// off unless configured, because whoever holds a payment reference can pay
// through it). Its hosted page is written for the configured public URL or
// the request's host, as share links are. It sends nothing over the
// network: its Pay button applies the signed callback in this process.
func (s *Server) sandbox(r *http.Request) (*payment.Sandbox, error) {
	if !s.cfg.PaymentSandbox {
		return nil, errs.E(errs.NotFound, "", "the sandbox payment provider is off; start the server with --payment-sandbox")
	}
	secret := s.cfg.SandboxSecret
	if secret == "" {
		var err error
		if secret, err = s.db.ProviderSecret(r.Context(), "sandbox", payment.NewSecret); err != nil {
			return nil, err
		}
	}
	return &payment.Sandbox{Secret: []byte(secret), BaseURL: s.publicBase(r)}, nil
}

type paymentResponse struct {
	ID             int64      `json:"id"`
	OrderID        int64      `json:"order_id"`
	Provider       string     `json:"provider"`
	ProviderRef    string     `json:"provider_ref"`
	RedirectURL    string     `json:"redirect_url,omitempty"`
	Amount         string     `json:"amount"`
	Currency       string     `json:"currency"`
	Status         string     `json:"status"`
	CreatedAt      time.Time  `json:"created_at"`
	PaidAt         *time.Time `json:"paid_at,omitempty"`
	RefundedAt     *time.Time `json:"refunded_at,omitempty"`
	RefundedAmount string     `json:"refunded_amount"`
}

func paymentJSON(p *store.Payment, redirect string) paymentResponse {
	cur := money.CurrencyOf(p.Currency)
	return paymentResponse{ID: p.ID, OrderID: p.OrderID, Provider: p.Provider, ProviderRef: p.ProviderRef, RedirectURL: redirect,
		Amount: cur.Format(p.Amount), Currency: p.Currency, Status: p.Status, CreatedAt: p.CreatedAt,
		PaidAt: p.PaidAt, RefundedAt: p.RefundedAt, RefundedAmount: cur.Format(p.RefundedAmount)}
}

// payOrder opens a payment of an unpaid order with the sandbox provider and
// returns the hosted page to send the customer to.
func (s *Server) payOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pay, url, err := s.startPayment(r, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, paymentJSON(pay, url))
	return nil
}

// StartPayment opens a payment of an order for the web pages, through the
// same provider and checks as POST /api/v1/orders/{id}/pay, and returns the
// page to send the customer to.
func (s *Server) StartPayment(r *http.Request, orderID int64) (string, error) {
	_, url, err := s.startPayment(r, orderID)
	return url, err
}

func (s *Server) startPayment(r *http.Request, id int64) (*store.Payment, string, error) {
	if actorOf(r).Anonymous() {
		return nil, "", errs.E(errs.Unauthorized, "", "sign in first")
	}
	p, err := s.sandbox(r)
	if errs.Is(err, errs.NotFound) {
		return nil, "", errs.E(errs.Conflict, "", "no payment provider is enabled on this server")
	} else if err != nil {
		return nil, "", err
	}
	url, ref, err := p.StartPayment(r.Context(), payment.Charge{OrderID: id})
	if err != nil {
		return nil, "", err
	}
	pay, err := s.db.StartPayment(r.Context(), actorOf(r), id, p.Name(), ref)
	if err != nil {
		return nil, "", err
	}
	return pay, url, nil
}

// sandboxCallback receives the sandbox's signed callback from outside (the
// sandbox's own Pay button applies it in process, through the same path).
func (s *Server) sandboxCallback(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return errs.E(errs.TooLarge, "body", "is larger than 64 KiB")
	}
	p, err := s.sandbox(r)
	if err != nil {
		return err
	}
	outcome, pay, err := s.applyCallback(r.Context(), p, r.Header, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"outcome": outcome, "payment": paymentJSON(pay, "")})
	return nil
}

// applyCallback verifies a callback's signature and applies it. A bad
// signature or amount is logged and refused (400) with nothing else
// changed; a valid one is applied once. A payment that came too late (the
// order was cancelled) or twice (another payment paid the order) is owed
// back: the store records its refund as due, and it is made here at once
// through the provider; if the provider fails, the payment stays
// refund_due and the effects sweep retries it (so does this callback
// delivered again). The answer says where the payment stands.
func (s *Server) applyCallback(ctx context.Context, p *payment.Sandbox, h http.Header, body []byte) (string, *store.Payment, error) {
	cb, err := p.VerifyCallback(h, body)
	if err != nil {
		var peek struct {
			ProviderRef string `json:"provider_ref"`
		}
		json.Unmarshal(body, &peek)
		outcome := store.OutcomeBadSignature
		if errs.FieldOf(err) != payment.SignatureHeader {
			outcome = store.OutcomeBadPayload
		}
		if lerr := s.db.RecordCallback(ctx, p.Name(), peek.ProviderRef, string(body), outcome); lerr != nil {
			return "", nil, lerr
		}
		return "", nil, err
	}
	outcome, pay, err := s.db.ApplyPayment(ctx, store.CallbackInput{Provider: p.Name(), ProviderRef: cb.ProviderRef,
		Amount: cb.Amount, Currency: cb.Currency, Payload: string(body)})
	if err != nil {
		return "", nil, err
	}
	if pay.Status == store.PaymentRefundDue {
		e, err := s.db.RunEffect(ctx, store.PaymentRefundKey(pay.ID), store.RefundersOf(p))
		if err != nil {
			return "", nil, err
		}
		if e.Status != store.EffectDone {
			s.log.WarnContext(ctx, "refund of a late or double payment failed; the effects sweep retries it",
				"payment", pay.ID, "attempts", e.Attempts, "err", e.LastError)
		}
		if pay, err = s.db.PaymentByRef(context.WithoutCancel(ctx), p.Name(), pay.ProviderRef); err != nil {
			return "", nil, err
		}
	}
	return outcome, pay, nil
}

// sandboxTemplate is the hosted payment page; parsed at start-up so a broken
// template fails the boot, not a request.
var sandboxTemplate = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox payment</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
.amount{font-size:2rem;margin:1rem 0}button{font-size:1.2rem;padding:.7rem 2rem}
.back{display:inline-block;margin-top:1rem;padding:.7rem 0;font-size:1.1rem}</style></head>
<body><h1>Sandbox payment</h1>
<p>No real money moves: this page stands in for a payment provider.</p>
<p>Order {{.OrderID}} · reference <code>{{.Ref}}</code></p>
<p class="amount">{{.Amount}} {{.Currency}}</p>
{{if eq .Status "pending"}}<form method="post"><button type="submit">Pay</button></form>{{else}}<p>Status: {{.Status}}</p>{{end}}
<p><a class="back" href="/orders/{{.OrderID}}">{{if eq .Status "pending"}}Back to the order without paying{{else}}Back to the order{{end}}</a></p>
</body></html>`))

func (s *Server) renderSandbox(w http.ResponseWriter, p *store.Payment) error {
	var buf bytes.Buffer
	if err := sandboxTemplate.Execute(&buf, map[string]any{"OrderID": p.OrderID, "Ref": p.ProviderRef,
		"Amount": money.CurrencyOf(p.Currency).Format(p.Amount), "Currency": p.Currency, "Status": p.Status}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
	return nil
}

// sandboxPage is the hosted page: the payment and a Pay button. The
// reference is the capability; no sign-in is needed, as with a real provider.
func (s *Server) sandboxPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.db.PaymentByRef(r.Context(), "sandbox", r.PathValue("ref"))
	if err != nil {
		return err
	}
	return s.renderSandbox(w, p)
}

// sandboxPay is the Pay button: the sandbox signs a callback as a provider
// would and the server applies it at once, through the same verification
// as a callback from outside. Nothing goes over the network, so a payment
// in flight when the server stops is not cut off, and no request can point
// the callback at another host or port. Once started, it finishes even if
// the customer's browser goes away: the customer has paid. Then, as a
// provider's return URL does, it sends the customer back to the order's
// page (?paid=1: the page says the payment arrived, or, for an order
// cancelled first, that it goes back).
func (s *Server) sandboxPay(w http.ResponseWriter, r *http.Request) error {
	sb, err := s.sandbox(r)
	if err != nil {
		return err
	}
	p, err := s.db.PaymentByRef(r.Context(), sb.Name(), r.PathValue("ref"))
	if err != nil {
		return err
	}
	h, body := sb.SignedCallback(p.ProviderRef, p.Amount, p.Currency)
	ctx := context.WithoutCancel(r.Context())
	if _, _, err := s.applyCallback(ctx, sb, h, body); err != nil {
		return err
	}
	http.Redirect(w, r, "/orders/"+strconv.FormatInt(p.OrderID, 10)+"?paid=1", http.StatusSeeOther)
	return nil
}
