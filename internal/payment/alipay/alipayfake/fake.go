// Package alipayfake is a local Alipay open-API gateway for tests: an
// httptest server that behaves as Alipay documents. It verifies the
// application's RSA2 signature on every request (answering
// isv.invalid-signature as Alipay does), signs every response with its own
// "Alipay" key, serves the mobile web payment page (GET), precreate, query,
// close, refund, refund query and the bill download, and plays the payer:
// Pay posts a signed trade_status_sync notification to the payment's
// notify_url, and a refund posts one too.
//
// Misbehaviours tests ask for: TimeoutRefunds (a refund is made but its
// answer never comes), DuplicateNotifications (each notification is posted
// twice with one notify_id), WrongNotifySignature, NotifyAmountDelta; in
// the certificate mode (Options.CertMode), RenewAlipayCert and
// ForgeCertDownloads.
//
//	fake := alipayfake.New(alipayfake.Options{})
//	defer fake.Close()
//	client, _ := alipay.New(fake.Config(), nil)
package alipayfake

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"sharemall/internal/money"
	"sharemall/internal/payment/alipay"
)

// Options configure a fake.
type Options struct {
	AppID string // "" is DefaultAppID
	// SellerID is the merchant's Alipay user id ("" is 2088000000000156).
	SellerID string
	// CertMode makes the application use the certificate mode (公钥证书模式):
	// Config gives certificates, requests must name them, responses name
	// Alipay's (see RenewAlipayCert).
	CertMode bool
}

// DefaultAppID is the application id of a fake made without one.
const DefaultAppID = "2021000000000001"

// Server is a fake Alipay gateway.
type Server struct {
	*httptest.Server
	AppID    string
	SellerID string
	// AppKey is the application's key pair: its public half is what the
	// merchant uploads to Alipay, so the fake verifies requests with it.
	AppKey *rsa.PrivateKey
	// AlipayKey is the fake's own key pair: it signs responses and
	// notifications; its public half is "Alipay's public key".
	AlipayKey *rsa.PrivateKey

	mu              sync.Mutex
	trades          map[string]*trade
	seq             int
	refundTimeouts  int
	duplicateNotify bool
	wrongSign       bool
	amountDelta     money.Amount
	deliveries      []Delivery
	inflight        sync.WaitGroup
	done            chan struct{}
	now             func() time.Time
	calls           map[string]int
	ca              *ca // the certificate mode's certificates; nil in public-key mode
	firstAlipayPEM  []byte
}

type trade struct {
	outTradeNo, tradeNo, subject, notifyURL string
	total                                   money.Amount
	status                                  string
	opened                                  bool // the payer loaded the page or scanned the code
	buyerID                                 string
	created, paidAt, closedAt               time.Time
	qrCode                                  string
	expires                                 time.Time // time_expire; zero: none
	returnURL                               string    // wap.pay's return_url
	refunds                                 []*refund
}

type refund struct {
	key    string
	amount money.Amount
	at     time.Time
}

func (t *trade) refunded() money.Amount {
	var s money.Amount
	for _, r := range t.refunds {
		s += r.amount
	}
	return s
}

func (t *trade) refund(key string) *refund {
	for _, r := range t.refunds {
		if r.key == key {
			return r
		}
	}
	return nil
}

// Delivery is one notification the fake posted and what the receiver answered.
type Delivery struct {
	NotifyID string
	Kind     string // payment.NotifyPayment or payment.NotifyRefund
	Form     url.Values
	Status   int
	Body     string // "success" acknowledges
	Err      error  // the post failed
}

var (
	keysOnce                    sync.Once
	appKey, alipayKey, wrongKey *rsa.PrivateKey
)

// keys are made once per test binary: RSA-2048 generation is slow, and
// CPU is shared.
func keys() {
	keysOnce.Do(func() {
		gen := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		appKey, alipayKey, wrongKey = gen(), gen(), gen()
	})
}

// New starts a fake gateway.
func New(o Options) *Server {
	keys()
	s := &Server{AppID: o.AppID, SellerID: o.SellerID, AppKey: appKey, AlipayKey: alipayKey,
		trades: map[string]*trade{}, done: make(chan struct{}), now: time.Now, calls: map[string]int{}}
	if s.AppID == "" {
		s.AppID = DefaultAppID
	}
	if s.SellerID == "" {
		s.SellerID = "2088000000000156"
	}
	if o.CertMode {
		s.ca = newCA(s.AppID, s.AppKey, s.AlipayKey)
		s.firstAlipayPEM = pemOf(s.ca.alipayCert)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /gateway.do", s.page)
	mux.HandleFunc("POST /gateway.do", s.api)
	mux.HandleFunc("GET /bill/{file}", s.bill)
	mux.HandleFunc("POST /pay/{ref}", s.payButton)
	s.Server = httptest.NewServer(mux)
	return s
}

// Close waits for notifications in flight, then stops the server (a refund
// held by TimeoutRefunds is let go).
func (s *Server) Close() {
	close(s.done)
	s.inflight.Wait()
	s.Server.Close()
}

// GatewayURL is the fake's gateway.do.
func (s *Server) GatewayURL() string { return s.URL + "/gateway.do" }

// Config is the application's configuration against this fake: Alipay's
// public key, or in the certificate mode the three certificates as first
// issued.
func (s *Server) Config() alipay.Config {
	if s.ca != nil {
		blk, _ := pem.Decode(s.firstAlipayPEM)
		first, _ := x509.ParseCertificate(blk.Bytes)
		roots, _ := alipay.ParseCertificates(s.ca.rootsPEM)
		return alipay.Config{AppID: s.AppID, PrivateKey: s.AppKey, AppCert: s.ca.appCert, AlipayCert: first, AlipayRoots: roots, GatewayURL: s.GatewayURL()}
	}
	return alipay.Config{AppID: s.AppID, PrivateKey: s.AppKey, AlipayKey: &s.AlipayKey.PublicKey, GatewayURL: s.GatewayURL()}
}

// AppPrivateKeyPEM is the application's private key as PKCS#8 PEM, for a key file.
func (s *Server) AppPrivateKeyPEM() []byte {
	der, _ := x509.MarshalPKCS8PrivateKey(s.AppKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// AlipayPublicKeyPEM is the fake's public key as PKIX PEM, for a key file.
func (s *Server) AlipayPublicKeyPEM() []byte {
	der, _ := x509.MarshalPKIXPublicKey(&s.AlipayKey.PublicKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// TimeoutRefunds makes the next k refund calls time out: the refund is
// made, but the answer never comes (the fake holds the request until the
// client gives up).
func (s *Server) TimeoutRefunds(k int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refundTimeouts = k
}

// DuplicateNotifications makes every notification be posted twice, with
// the same notify_id, as Alipay does when an acknowledgement is lost.
func (s *Server) DuplicateNotifications(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.duplicateNotify = on
}

// WrongNotifySignature makes notifications be signed with a key that is
// not Alipay's (a forgery).
func (s *Server) WrongNotifySignature(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wrongSign = on
}

// NotifyAmountDelta adds d to the total_amount of the notifications sent
// (correctly signed): a notification that disagrees with the payment.
func (s *Server) NotifyAmountDelta(d money.Amount) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.amountDelta = d
}

// SetClock sets the fake's clock (payment, refund and bill times; a day's
// bill is ready at 09:00 the next day).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// Calls is how many requests of an API method the fake has answered or held.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Deliveries are the notifications posted so far.
func (s *Server) Deliveries() []Delivery {
	s.inflight.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// TradeState is a trade as the fake holds it.
type TradeState struct {
	TradeNo  string
	Status   string
	Total    money.Amount
	Refunded money.Amount
	Refunds  int
}

// Trade is the trade of reference, and whether the fake has it.
func (s *Server) Trade(reference string) (TradeState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.trades[reference]
	if t == nil {
		return TradeState{}, false
	}
	return TradeState{TradeNo: t.tradeNo, Status: t.status, Total: t.total, Refunded: t.refunded(), Refunds: len(t.refunds)}, true
}

// Pay plays the payer: the trade of reference (started by a page load or
// a precreate) is paid, and its notification is posted to its notify_url;
// Pay waits for the answers.
func (s *Server) Pay(reference string) ([]Delivery, error) {
	s.mu.Lock()
	t := s.trades[reference]
	if t == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("alipayfake: no trade %s", reference)
	}
	if t.status != "WAIT_BUYER_PAY" {
		s.mu.Unlock()
		return nil, fmt.Errorf("alipayfake: trade %s is %s", reference, t.status)
	}
	s.expire(t)
	if t.status != "WAIT_BUYER_PAY" {
		s.mu.Unlock()
		return nil, fmt.Errorf("alipayfake: trade %s expired", reference)
	}
	t.opened = true
	t.status = "TRADE_SUCCESS"
	t.paidAt = s.now()
	t.buyerID = "2088102177846880"
	form := s.notification(t, nil)
	s.mu.Unlock()
	return s.deliver(payKind, form), nil
}

// expire closes t if it is unpaid past its time_expire, as Alipay does.
// Called with s.mu held.
func (s *Server) expire(t *trade) {
	if t.status == "WAIT_BUYER_PAY" && !t.expires.IsZero() && !s.now().Before(t.expires) {
		t.status = "TRADE_CLOSED"
		t.closedAt = t.expires
	}
}

const (
	payKind    = "payment"
	refundKind = "refund"
)

// notification builds and signs a trade_status_sync notification of t;
// r is the refund it is about, if any. Called with s.mu held.
func (s *Server) notification(t *trade, r *refund) url.Values {
	s.seq++
	v := url.Values{}
	v.Set("notify_time", s.now().In(shanghai).Format(layout))
	v.Set("notify_type", "trade_status_sync")
	v.Set("notify_id", fmt.Sprintf("2026%028d", s.seq)+randHex(4))
	v.Set("app_id", s.AppID)
	v.Set("charset", "utf-8")
	v.Set("version", "1.0")
	v.Set("sign_type", "RSA2")
	v.Set("trade_no", t.tradeNo)
	v.Set("out_trade_no", t.outTradeNo)
	v.Set("buyer_id", t.buyerID)
	v.Set("seller_id", s.SellerID)
	v.Set("trade_status", t.status)
	v.Set("total_amount", yuan(t.total+s.amountDelta))
	v.Set("receipt_amount", yuan(t.total+s.amountDelta))
	v.Set("buyer_pay_amount", yuan(t.total+s.amountDelta))
	v.Set("subject", t.subject)
	v.Set("body", "") // Alipay posts empty fields too, and signs them
	v.Set("fund_bill_list", fmt.Sprintf(`[{"amount":"%s","fundChannel":"ALIPAYACCOUNT"}]`, yuan(t.total+s.amountDelta)))
	v.Set("gmt_create", t.created.In(shanghai).Format(layout))
	v.Set("gmt_payment", t.paidAt.In(shanghai).Format(layout))
	if r != nil {
		v.Set("out_biz_no", r.key)
		v.Set("refund_fee", yuan(t.refunded()))
		v.Set("gmt_refund", r.at.In(shanghai).Format(layout)+".000")
	}
	if !t.closedAt.IsZero() {
		v.Set("gmt_close", t.closedAt.In(shanghai).Format(layout))
	}
	if s.ca != nil {
		v.Set("alipay_cert_sn", s.ca.alipaySN)
	}
	key := s.AlipayKey
	if s.wrongSign {
		key = wrongKey
	}
	v.Set("sign", sign(key, signingString(v, true, "sign", "sign_type")))
	return v
}

// deliver posts a notification (twice when asked) and records the answers.
func (s *Server) deliver(kind string, form url.Values) []Delivery {
	s.mu.Lock()
	t := s.trades[form.Get("out_trade_no")]
	target := t.notifyURL
	times := 1
	if s.duplicateNotify {
		times = 2
	}
	s.mu.Unlock()
	var out []Delivery
	for i := 0; i < times; i++ {
		d := Delivery{NotifyID: form.Get("notify_id"), Kind: kind, Form: form}
		resp, err := notifyClient.Post(target, "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
		if err != nil {
			d.Err = err
		} else {
			var b strings.Builder
			buf := make([]byte, 512)
			n, _ := resp.Body.Read(buf)
			b.Write(buf[:n])
			resp.Body.Close()
			d.Status, d.Body = resp.StatusCode, b.String()
		}
		out = append(out, d)
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, out...)
	s.mu.Unlock()
	return out
}

// notifyClient posts notifications; a receiver that hangs is a failed
// delivery, not a hung test.
var notifyClient = &http.Client{Timeout: 10 * time.Second}

// signingString is Alipay's: the parameters but skip, sorted by key,
// key=value joined by "&"; empty values are left out of requests and kept
// in notifications. Written here again, not imported, so that
// a mistake in the client's is not repeated by its judge.
func signingString(v url.Values, keepEmpty bool, skip ...string) string {
	var parts []string
	for k := range v {
		if (v.Get(k) == "" && !keepEmpty) || contains(skip, k) {
			continue
		}
		parts = append(parts, k+"="+v.Get(k))
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sign(key *rsa.PrivateKey, content string) string {
	h := sha256.Sum256([]byte(content))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func verify(key *rsa.PublicKey, content, sig string) bool {
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	h := sha256.Sum256([]byte(content))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, h[:], raw) == nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var shanghai = time.FixedZone("CST", 8*3600)

const layout = "2006-01-02 15:04:05"

var cny = money.CurrencyOf("CNY")

func yuan(a money.Amount) string { return cny.Format(a) }
