// Package web is Sharemall's mobile-first web app: server-rendered pages
// for customers and distributors, in Chinese and English. It calls the
// same store methods and domain rules as the JSON API (internal/api, which
// it never imports), so no rule is written twice and no page computes money.
//
// Pages are html/template files embedded and parsed at start, rendered
// into a buffer; static files are embedded and served under content-hashed
// names. The API's middleware runs in front (see api.Config.Pages): the
// caller is in the request's context (session.ActorOf) and cross-origin
// writes are refused before a form handler runs.
package web

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/media"
	"sharemall/internal/payment"
	"sharemall/internal/session"
	"sharemall/internal/store"
	"sharemall/internal/wxauth"
)

// Config is what the pages need beyond the database.
type Config struct {
	Sessions *session.Service
	// PublicURL is the base URL people reach the server at; empty: the
	// request's own host (PublicBase).
	PublicURL string
	// StartPayment opens a payment of an order with the configured provider
	// and returns the page to send the customer to (the API's, so a
	// provider is wired once).
	// provider and method are the customer's choice ("": the only one);
	// a QR code or an app bridge has no redirect URL, and the page at
	// /pay/{reference} shows it.
	StartPayment func(r *http.Request, orderID int64, provider, method string) (redirectURL, reference string, err error)
	// StartPaymentAs is StartPayment with the payer's id in the provider's
	// app (WeChat openid), which JSAPI needs.
	StartPaymentAs func(r *http.Request, orderID int64, provider, method, payerID string) (redirectURL, reference string, err error)
	// WeChatOAuth learns the payer's openid in WeChat's browser; nil: the
	// pages offer no JSAPI.
	WeChatOAuth *wxauth.Client
	// Gateways are the payment providers a customer may choose among.
	Gateways func(r *http.Request) (payment.Gateways, error)
	// Refunders are what a decision refunds through at once: each
	// payment's own provider (the API's); nil: the sandbox only.
	Refunders func(r *http.Request) store.Refunders
	// Media stores uploaded product pictures; nil: uploads are refused.
	// MediaMaxBytes is the largest picture taken.
	Media         media.Store
	MediaMaxBytes int64
	// WebhooksAllowPrivate lets webhook endpoints name private or loopback addresses (tests, the demo).
	WebhooksAllowPrivate bool
}

// Server serves the pages.
type Server struct {
	db     *store.DB
	log    *slog.Logger
	cfg    Config
	mux    *http.ServeMux
	pages  map[string]*template.Template
	cat    catalogues
	static *assets
	sw     []byte // the service worker, written at start with the hashed shell URLs
}

// New parses every template and catalogue; an error stops the start.
func New(db *store.DB, log *slog.Logger, cfg Config) (*Server, error) {
	s := &Server{db: db, log: log, cfg: cfg, mux: http.NewServeMux()}
	var err error
	if s.cat, err = loadCatalogues(); err != nil {
		return nil, err
	}
	if m := s.cat.missing(); len(m) > 0 {
		return nil, fmt.Errorf("web: translations missing: %v", m)
	}
	if s.static, err = loadAssets(); err != nil {
		return nil, err
	}
	if err := s.addIcons(); err != nil {
		return nil, err
	}
	if s.pages, err = parseTemplates(template.FuncMap{"static": s.static.URL, "field": field, "initial": initial, "thumb": media.ThumbURL}); err != nil {
		return nil, err
	}
	if s.sw, err = s.serviceWorker(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// handle registers a page handler; an error it returns is shown by fail.
func (s *Server) handle(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /static/", s.static.serve)
	s.mux.HandleFunc("GET /sw.js", s.serveWorker)
	s.mux.HandleFunc("GET /manifest.webmanifest", s.manifest)
	s.mux.HandleFunc("GET /favicon.ico", s.favicon)
	s.mux.HandleFunc("GET /lang/{lang}", s.switchLang)
	s.handle("GET /offline", s.offline)
	s.routesAuth()
	s.routesMe()
	s.routesOrders()
	s.routesPay()
	s.routesWxOAuth()
	s.routesMoney()
	s.routesShop()
	s.routesCentre()
	s.routesCheckout()
	s.routesOps()
	s.routesOpsx()
	s.routesSup()
	s.routesCampaigns()
	s.routesPayouts()
	s.routesSupImages()
	s.routesDash()
	s.routesNetwork()
	s.routesFission()
	s.routesNotify()
	s.routesMaterials()
	s.routesAuditExport()
	s.routesFraud()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errs.E(errs.NotFound, "", "no page at %s", r.URL.Path))
	})
}

// ServeHTTP serves a page with the headers every page has: a strict
// Content-Security-Policy (no inline script or style), and a page in the
// person's language for a panic.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'; manifest-src 'self'; worker-src 'self'")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	s.mux.ServeHTTP(w, r)
}

// locale is the request's language with the program's currency and time zone.
func (s *Server) locale(r *http.Request) *Locale {
	lang := chooseLang(r)
	l := &Locale{Lang: lang, msgs: s.cat[lang], loc: time.UTC}
	if st, err := s.db.Settings(r.Context()); err == nil {
		l.cur, l.phoneRegion = st.Currency(), st.DefaultPhoneRegion
		if loc, err := time.LoadLocation(st.TimeZone); err == nil {
			l.loc = loc
		}
	} else {
		l.cur.Code, l.cur.Exponent, l.phoneRegion = "CNY", 2, account.DefaultPhoneRegion
	}
	return l
}

// switchLang remembers a language and goes back to the page it was chosen on.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if !knownLang(lang) {
		s.fail(w, r, errs.Invalidf("lang", "must be one of %v", Languages))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.Sessions.CookieSecure})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// PublicBase is the absolute origin links and posters are written for.
func (s *Server) PublicBase(r *http.Request) string { return session.PublicBase(s.cfg.PublicURL, r) }

// seeOther sends the browser on after a form succeeded (post/redirect/get).
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// signInFirst sends an anonymous person to sign in and back.
func signInFirst(w http.ResponseWriter, r *http.Request) error {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = r.Header.Get("Referer")
		if u, err := url.Parse(next); err == nil {
			next = u.RequestURI()
		}
	}
	return seeOther(w, r, "/signin?next="+url.QueryEscape(localPath(next)))
}

// pathID reads a positive id from the path; anything else is a page that
// does not exist (NotFound).
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "", "no page at %s", r.URL.Path)
	}
	return id, nil
}
