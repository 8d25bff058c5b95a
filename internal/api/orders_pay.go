package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
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
		if secret, err = s.db.ProviderSecret(r.Context(), payment.SandboxName, payment.NewSecret); err != nil {
			return nil, err
		}
	}
	return &payment.Sandbox{Secret: []byte(secret), BaseURL: s.publicBase(r), Now: s.db.Now, Lookup: s.sandboxLookup}, nil
}

// sandboxLookup is the sandbox's record of a payment: its page is this
// server's, so the payment's row here is what the sandbox knows.
func (s *Server) sandboxLookup(ctx context.Context, reference string) (*payment.PaymentState, error) {
	p, err := s.db.PaymentByReference(ctx, reference)
	if err != nil {
		return nil, err
	}
	st := &payment.PaymentState{Reference: p.Reference, ProviderRef: p.ProviderRef, Status: payment.PaymentOpen,
		Amount: p.Amount, Currency: p.Currency, Refunded: p.RefundedAmount}
	switch p.Status {
	case store.PaymentPaid, store.PaymentRefundDue, store.PaymentRefunded:
		st.Status, st.PaidAt = payment.PaymentPaid, *p.PaidAt
	case store.PaymentFailed:
		st.Status = payment.PaymentClosed
	}
	return st, nil
}

// Gateways are the payment providers this server runs for request r: the
// configured ones (WeChat Pay, Alipay) and the sandbox when it is on, each
// told its public notification URL.
func (s *Server) Gateways(r *http.Request) (payment.Gateways, error) {
	out := payment.Gateways{}
	for _, g := range s.cfg.Gateways {
		out[g.Name()] = payment.WithNotifyURL(g, s.notifyURL(r, g.Name()))
	}
	if s.cfg.PaymentSandbox {
		sb, err := s.sandbox(r)
		if err != nil {
			return nil, err
		}
		out[sb.Name()] = payment.WithNotifyURL(sb, s.notifyURL(r, sb.Name()))
	}
	return out, nil
}

// notifyURL is where provider posts its notifications, on the public URL.
func (s *Server) notifyURL(r *http.Request, provider string) string {
	return s.publicBase(r) + "/api/v1/payments/notify/" + provider
}

// Refunders are the gateways a decision refunds through at once, right
// after it commits: every provider this server runs, the sandbox always
// (it holds no money and needs no secret to refund, so it refunds whether
// or not it takes new payments). A refund through a provider this server
// does not run stays due until a server running it makes it.
func (s *Server) Refunders(r *http.Request) store.Refunders {
	via := store.Refunders{payment.SandboxName: &payment.Sandbox{Now: s.db.Now}}
	gs, _ := s.Gateways(r)
	for name, g := range gs {
		via[name] = g
	}
	return via
}

type paymentRefundJSON struct {
	Key       string     `json:"key"`
	Amount    string     `json:"amount"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
	LastError string     `json:"last_error,omitempty"`
}

type paymentResponse struct {
	ID             int64               `json:"id"`
	OrderID        int64               `json:"order_id"`
	Provider       string              `json:"provider"`
	Method         string              `json:"method"`
	Reference      string              `json:"reference"`
	ProviderRef    string              `json:"provider_ref"`
	RedirectURL    string              `json:"redirect_url,omitempty"`
	QRCode         string              `json:"qr_code,omitempty"`
	Bridge         map[string]string   `json:"bridge,omitempty"`
	Amount         string              `json:"amount"`
	Currency       string              `json:"currency"`
	Status         string              `json:"status"`
	CreatedAt      time.Time           `json:"created_at"`
	PaidAt         *time.Time          `json:"paid_at,omitempty"`
	RefundedAt     *time.Time          `json:"refunded_at,omitempty"`
	RefundedAmount string              `json:"refunded_amount"`
	Refunds        []paymentRefundJSON `json:"refunds,omitempty"`
}

func paymentJSON(p *store.Payment, redirect string) paymentResponse {
	cur := money.CurrencyOf(p.Currency)
	out := paymentResponse{ID: p.ID, OrderID: p.OrderID, Provider: p.Provider, Method: p.Method, Reference: p.Reference,
		ProviderRef: p.ProviderRef, RedirectURL: redirect,
		Amount: cur.Format(p.Amount), Currency: p.Currency, Status: p.Status, CreatedAt: p.CreatedAt,
		PaidAt: p.PaidAt, RefundedAt: p.RefundedAt, RefundedAmount: cur.Format(p.RefundedAmount)}
	var st payment.Started
	if p.Started != "" && json.Unmarshal([]byte(p.Started), &st) == nil {
		out.QRCode, out.Bridge = st.QRCode, st.Bridge
	}
	return out
}

func withRefunds(out paymentResponse, currency string, rs []store.PaymentRefund) paymentResponse {
	cur := money.CurrencyOf(currency)
	for _, r := range rs {
		out.Refunds = append(out.Refunds, paymentRefundJSON{Key: r.Key, Amount: cur.Format(r.Amount), Status: r.Status,
			CreatedAt: r.CreatedAt, DoneAt: r.DoneAt, LastError: r.LastError})
	}
	return out
}

// payRequest is what POST /api/v1/orders/{id}/pay takes; every field may
// be left out when the server runs one provider with one method.
type payRequest struct {
	Provider string `json:"provider"`
	Method   string `json:"method"`
	PayerID  string `json:"payer_id"` // jsapi: the payer's id in the provider's app (WeChat openid)
}

// payOrder opens a payment of an unpaid order with the provider and method
// the customer chose and returns what the customer needs to pay it.
func (s *Server) payOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req payRequest
	if r.ContentLength != 0 {
		if err := decode(w, r, &req); err != nil {
			return err
		}
	}
	pay, url, err := s.startPayment(r, id, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, paymentJSON(pay, url))
	return nil
}

// StartPayment opens a payment of an order for the web pages, through the
// same providers and checks as POST /api/v1/orders/{id}/pay, and returns
// the provider's page to send the customer to ("" for a QR code or an app
// bridge, which the payment's reference leads to) and the reference.
func (s *Server) StartPayment(r *http.Request, orderID int64, provider, method string) (redirectURL, reference string, err error) {
	p, url, err := s.startPayment(r, orderID, payRequest{Provider: provider, Method: method})
	if err != nil {
		return "", "", err
	}
	return url, p.Reference, nil
}

// StartPaymentAs is StartPayment with the payer's id in the provider's
// app (WeChat openid), which JSAPI needs.
func (s *Server) StartPaymentAs(r *http.Request, orderID int64, provider, method, payerID string) (redirectURL, reference string, err error) {
	p, url, err := s.startPayment(r, orderID, payRequest{Provider: provider, Method: method, PayerID: payerID})
	if err != nil {
		return "", "", err
	}
	return url, p.Reference, nil
}

func (s *Server) startPayment(r *http.Request, id int64, req payRequest) (*store.Payment, string, error) {
	if actorOf(r).Anonymous() {
		return nil, "", errs.E(errs.Unauthorized, "", "sign in first")
	}
	gs, err := s.Gateways(r)
	if err != nil {
		return nil, "", err
	}
	g, method, err := gs.Choose(req.Provider, payment.Method(req.Method))
	if err != nil {
		return nil, "", err
	}
	if method == payment.MethodJSAPI && req.PayerID == "" {
		return nil, "", errs.Invalidf("payer_id", "is required for jsapi: the payer's id in the provider's app (WeChat openid)")
	}
	// BeginPayment checks who may pay the order, as reading it would.
	pay, err := s.db.BeginPayment(r.Context(), actorOf(r), store.PaymentStart{OrderID: id, Provider: g.Name(), Method: string(method),
		Reference: payment.NewReference(id)})
	if err != nil {
		return nil, "", err
	}
	base := s.publicBase(r)
	// Once asked, the provider's answer is recorded even if the payer goes away.
	ctx := context.WithoutCancel(r.Context())
	st, err := g.Start(ctx, payment.ChargeRequest{OrderID: id, Reference: pay.Reference, Amount: pay.Amount, Currency: pay.Currency,
		Method: method, Subject: fmt.Sprintf("Order %d", id), ClientIP: s.clientAddr(r), PayerID: req.PayerID,
		ReturnURL: base + "/orders/" + strconv.FormatInt(id, 10) + "?paid=1", ExpiresAt: pay.PayBy})
	if err != nil {
		if ferr := s.db.PaymentStartFailed(ctx, pay.ID); ferr != nil {
			s.log.ErrorContext(ctx, "recording a payment the provider would not open", "payment", pay.ID, "err", ferr)
		}
		return nil, "", err
	}
	started := ""
	if st.QRCode != "" || len(st.Bridge) > 0 {
		b, _ := json.Marshal(payment.Started{QRCode: st.QRCode, Bridge: st.Bridge})
		started = string(b)
	}
	if pay, err = s.db.PaymentStarted(ctx, pay.ID, st.ProviderRef, started); err != nil {
		return nil, "", err
	}
	return pay, st.RedirectURL, nil
}

// sandboxCallback receives the sandbox's signed callback from outside (the
// sandbox's own Pay button applies it in process, through the same path),
// and answers with the outcome and the payment, as it always has.
func (s *Server) sandboxCallback(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return errs.E(errs.TooLarge, "body", "is larger than 64 KiB")
	}
	p, err := s.sandbox(r)
	if err != nil {
		return err
	}
	outcome, pay, err := s.applyNotification(r.Context(), p, s.Refunders(r), r.Header, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"outcome": outcome, "payment": paymentJSON(pay, "")})
	return nil
}

// applyNotification verifies a notification from g and applies it. A bad
// signature, an unknown payment, or another amount is logged and refused
// with nothing else changed; a valid one is applied once (the same event
// again is a duplicate). A payment that came too late (the order was
// cancelled) or twice (another payment paid the order) is owed back: the
// store records its refund as due, and it is made here at once through
// the provider; if the provider fails, the payment stays refund_due and
// the effects sweep retries it (so does the notification delivered again).
// The answer says where the payment stands.
func (s *Server) applyNotification(ctx context.Context, g payment.Gateway, via store.Refunders, h http.Header, body []byte) (string, *store.Payment, error) {
	n, err := g.ParseNotification(ctx, h, body)
	if err != nil {
		var peek struct {
			ProviderRef string `json:"provider_ref"`
		}
		json.Unmarshal(body, &peek)
		outcome := store.OutcomeBadSignature
		if f := errs.FieldOf(err); errs.Is(err, errs.Invalid) && f != payment.SignatureHeader && !strings.Contains(strings.ToLower(f), "signature") {
			outcome = store.OutcomeBadPayload
		}
		s.log.WarnContext(ctx, "payment notification refused", "provider", g.Name(), "outcome", outcome, "err", err)
		if lerr := s.db.RecordCallback(ctx, g.Name(), peek.ProviderRef, string(body), outcome); lerr != nil {
			return "", nil, lerr
		}
		return "", nil, err
	}
	outcome, pay, err := s.db.ApplyNotification(ctx, g.Name(), n, string(body))
	if err != nil {
		s.log.WarnContext(ctx, "payment notification not applied", "provider", g.Name(), "reference", n.Reference, "event", n.EventID, "err", err)
		return "", nil, err
	}
	if pay == nil {
		return outcome, nil, errs.E(errs.NotFound, "reference", "no payment %s", n.Reference)
	}
	if pay.Status == store.PaymentRefundDue {
		e, err := s.db.RunEffect(ctx, store.PaymentRefundKey(pay.ID), via)
		if err != nil {
			return "", nil, err
		}
		if e.Status != store.EffectDone {
			s.log.WarnContext(ctx, "refund of a late or double payment not done yet; the effects sweep asks again",
				"payment", pay.ID, "attempts", e.Attempts, "err", e.LastError)
		}
		if pay, err = s.db.PaymentByReference(context.WithoutCancel(ctx), pay.Reference); err != nil {
			return "", nil, err
		}
	}
	return outcome, pay, nil
}

// notify is POST /api/v1/payments/notify/{provider}: a provider's
// notification of a payment or a refund, answered as the provider expects
// (Gateway.Acknowledge): accepted once applied (or a duplicate), a failure
// otherwise, so that the provider delivers it again.
func (s *Server) notify(w http.ResponseWriter, r *http.Request) error {
	gs, err := s.Gateways(r)
	if err != nil {
		return err
	}
	g := gs[r.PathValue("provider")]
	if g == nil {
		return errs.E(errs.NotFound, "provider", "no payment provider %q runs on this server", r.PathValue("provider"))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		g.Acknowledge(w, errs.E(errs.TooLarge, "body", "is larger than 64 KiB"))
		return nil
	}
	// A notification is applied whole even if the provider hangs up.
	_, _, err = s.applyNotification(context.WithoutCancel(r.Context()), g, s.Refunders(r), r.Header, body)
	g.Acknowledge(w, err)
	return nil
}

// paymentMethods is GET /api/v1/payment-methods: the providers a customer
// may pay with and their methods.
func (s *Server) paymentMethods(w http.ResponseWriter, r *http.Request) error {
	gs, err := s.Gateways(r)
	if err != nil {
		return err
	}
	type provider struct {
		Provider string           `json:"provider"`
		Methods  []payment.Method `json:"methods"`
	}
	out := []provider{}
	for _, name := range gs.Names() {
		out = append(out, provider{Provider: name, Methods: gs[name].Methods()})
	}
	writeJSON(w, http.StatusOK, map[string]any{"providers": out})
	return nil
}

// orderPayments is GET /api/v1/orders/{id}/payments: the order's payments,
// each with its refunds (amount, status, time), to whoever may see the order.
func (s *Server) orderPayments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ps, refunds, err := s.db.OrderPayments(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	out := []paymentResponse{}
	for i := range ps {
		out = append(out, withRefunds(paymentJSON(&ps[i], ""), ps[i].Currency, refunds[ps[i].ID]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"payments": out})
	return nil
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
	if err := sandboxTemplate.Execute(&buf, map[string]any{"OrderID": p.OrderID, "Ref": p.Reference,
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
	p, err := s.db.PaymentByReference(r.Context(), r.PathValue("ref"))
	if err != nil || p.Provider != payment.SandboxName {
		return errs.E(errs.NotFound, "", "no sandbox payment %s", r.PathValue("ref"))
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
	p, err := s.db.PaymentByReference(r.Context(), r.PathValue("ref"))
	if err != nil || p.Provider != sb.Name() {
		return errs.E(errs.NotFound, "", "no sandbox payment %s", r.PathValue("ref"))
	}
	h, body := sb.SignedCallback(p.Reference, p.Amount, p.Currency)
	ctx := context.WithoutCancel(r.Context())
	if _, _, err := s.applyNotification(ctx, sb, s.Refunders(r), h, body); err != nil {
		return err
	}
	http.Redirect(w, r, "/orders/"+strconv.FormatInt(p.OrderID, 10)+"?paid=1", http.StatusSeeOther)
	return nil
}
