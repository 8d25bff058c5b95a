package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"sharemall/internal/errs"
	"sharemall/internal/order"
	"sharemall/internal/payment"
	"sharemall/internal/store"
)

func (s *Server) routesPay() {
	s.handle("GET /pay/{ref}", s.payPage)
	s.handle("GET /pay/{ref}/status", s.payStatus)
}

// payChoice is one way to pay: a provider and one of its methods.
type payChoice struct {
	Provider, Method string
	Checked          bool
}

// payChoices are the ways to pay an unpaid order here: every enabled
// provider's methods that this browser can use. The page lists them when
// there are two or more; with one, the Pay button pays that way. hidden
// says that Alipay is enabled but not offered in WeChat's browser.
func (s *Server) payChoices(r *http.Request, o *order.Order) (out []payChoice, hidden bool, err error) {
	if o.Status != order.Unpaid || s.cfg.Gateways == nil {
		return nil, false, nil
	}
	gs, err := s.cfg.Gateways(r)
	if err != nil || len(gs) == 0 {
		return nil, false, nil // the Pay button answers why
	}
	for _, name := range gs.Names() {
		for _, m := range gs[name].Methods() {
			if !s.offered(r, name, m) {
				hidden = hidden || name == "alipay"
				continue // JSAPI only in WeChat's browser (wx_oauth.go), where H5 and Alipay are refused
			}
			out = append(out, payChoice{Provider: name, Method: string(m), Checked: len(out) == 0})
		}
	}
	return out, hidden, nil
}

// myPayment is a payment of the customer's order with its refunds.
type myPayment struct {
	store.Payment
	Refunds []store.PaymentRefund
}

// myPayments are the order's payments that took money, with their refunds
// (amount, status, time): open and failed attempts are left out.
func (s *Server) myPayments(r *http.Request, p *Page, o *order.Order) ([]myPayment, error) {
	ps, refunds, err := s.db.OrderPayments(r.Context(), p.Actor, o.ID)
	if err != nil {
		return nil, err
	}
	var out []myPayment
	for _, pay := range ps {
		if pay.PaidAt != nil {
			out = append(out, myPayment{Payment: pay, Refunds: refunds[pay.ID]})
		}
	}
	return out, nil
}

// payView is the pay page's data: the payment, and the QR code drawn or
// the app bridge's parameters.
type payView struct {
	Payment *store.Payment
	QR      template.URL // a PNG data URL
	Bridge  string       // JSON of WeixinJSBridge getBrandWCPayRequest's parameters
}

// myPayment reads the signed-in customer's payment by its reference.
func (s *Server) myPaymentByRef(r *http.Request, p *Page) (*store.Payment, error) {
	pay, err := s.db.PaymentByReference(r.Context(), r.PathValue("ref"))
	if err != nil {
		return nil, err
	}
	if _, err := s.myOrder(r, p, pay.OrderID); err != nil {
		return nil, errs.E(errs.NotFound, "", "payment not found")
	}
	return pay, nil
}

// payPage shows how to pay a payment opened as a QR code (drawn here, to
// scan with the provider's app) or inside the provider's app (the page
// calls its bridge); it polls until the payment is paid, then goes to the
// order.
func (s *Server) payPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return signInFirst(w, r)
	}
	pay, err := s.myPaymentByRef(r, p)
	if err != nil {
		return err
	}
	if pay.Status != store.PaymentPending {
		return seeOther(w, r, "/orders/"+strconv.FormatInt(pay.OrderID, 10)+"?paid=1")
	}
	v := &payView{Payment: pay}
	var st payment.Started
	if pay.Started != "" {
		if err := json.Unmarshal([]byte(pay.Started), &st); err != nil {
			return err
		}
	}
	switch {
	case st.QRCode != "":
		png, err := qrcode.Encode(st.QRCode, qrcode.Medium, 512)
		if err != nil {
			return err
		}
		v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	case len(st.Bridge) > 0:
		var b bytes.Buffer
		if err := json.NewEncoder(&b).Encode(st.Bridge); err != nil {
			return err
		}
		v.Bridge = b.String()
	default:
		return errs.E(errs.NotFound, "", "this payment has no code to scan")
	}
	p.Title, p.Back, p.Data = p.T("pay.title"), "/orders/"+strconv.FormatInt(pay.OrderID, 10), v
	s.render(w, r, http.StatusOK, "pay", p)
	return nil
}

// payStatus is what the pay page polls: the payment's status.
func (s *Server) payStatus(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if p.Actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	pay, err := s.myPaymentByRef(r, p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"status": pay.Status,
		"order_url": "/orders/" + strconv.FormatInt(pay.OrderID, 10) + "?paid=1"})
}

// refunders are what a decision made on a page refunds through at once:
// the server's gateways (the API's), or the sandbox alone, which holds no
// money and refunds without a secret. A refund through a provider not
// among them stays due for the effects sweep.
func (s *Server) refunders(r *http.Request) store.Refunders {
	if s.cfg.Refunders != nil {
		return s.cfg.Refunders(r)
	}
	return store.RefundersOf(&payment.Sandbox{})
}
