// Package api is Sharemall's JSON API under /api/v1, with /healthz,
// /metrics and the OpenAPI document. Handlers decode and check input, call
// the store, and map domain error codes to HTTP statuses in one table.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/media"
	"sharemall/internal/metrics"
	"sharemall/internal/payment"
	"sharemall/internal/session"
	"sharemall/internal/store"
	"sharemall/internal/wxauth"
)

// Config is what the API needs beyond the database.
type Config struct {
	// CookieSecure marks the session cookie Secure (HTTPS only). Browsers
	// accept Secure cookies from http://localhost, so it stays on in development.
	CookieSecure bool
	SessionTTL   time.Duration
	HashParams   account.HashParams
	// Login limits failed logins per client address and slows them per login name.
	Login account.LoginPolicy
	// TrustedProxies are the proxies whose X-Forwarded-For names the client
	// address; none: the connection's address is the client's.
	TrustedProxies []netip.Prefix
	// WriteLimit is how many writes (POST, PUT, PATCH, DELETE) a client
	// address may send a minute; SignUpLimit how many sign-ups an hour.
	// Both are in bursts of up to the number, in this server's memory; 0: no limit.
	WriteLimit  int
	SignUpLimit int
	// MetricsToken, when set, is the bearer token /metrics asks for.
	// MetricsSeparate: /metrics is served on its own address (MetricsHandler), not the main one.
	MetricsToken    string
	MetricsSeparate bool
	// PaymentSandbox runs the built-in sandbox payment provider (demo, tests).
	PaymentSandbox bool
	// PublicURL is the base URL clients reach the server at ("https://shop.example.com");
	// share links and the sandbox's hosted page use it. Empty: the request's host.
	PublicURL string
	// Pages serves every path the API does not (the web pages of
	// internal/web), behind the same middleware: access log, panics,
	// security headers, cross-origin write refusal, write limits and the
	// caller resolved into the context (session.ActorOf).
	Pages http.Handler
	// Gateways are the payment providers the server runs besides the
	// sandbox (WeChat Pay, Alipay), by name; their notifications arrive at
	// /api/v1/payments/notify/{name} on PublicURL.
	Gateways []payment.Gateway
	// WeChatOAuth learns payers' openids for JSAPI in WeChat's browser;
	// only the pages use it (internal/site passes it on). nil: off.
	WeChatOAuth *wxauth.Client
	// SandboxSecret signs the sandbox's callbacks. Empty: one is generated
	// and kept in the database, so restarts keep it.
	SandboxSecret string
	// Media stores uploaded product pictures (internal/media); nil: uploads
	// are refused. MediaMaxBytes is the largest picture taken.
	Media         media.Store
	MediaMaxBytes int64
	// WebhooksAllowPrivate lets webhook endpoints name private or loopback
	// addresses (tests, the demo); off, they are refused (docs/notifications.md).
	WebhooksAllowPrivate bool
}

// DefaultConfig is used by the server unless flags say otherwise.
func DefaultConfig() Config {
	return Config{
		CookieSecure: true,
		SessionTTL:   30 * 24 * time.Hour,
		HashParams:   account.DefaultHashParams,
		Login:        account.DefaultLoginPolicy,
		WriteLimit:   600,
		SignUpLimit:  30,

		MediaMaxBytes: media.DefaultMaxBytes,
	}
}

// Server serves the API.
type Server struct {
	db      *store.DB
	log     *slog.Logger
	cfg     Config
	mux     *http.ServeMux
	routes  []string // "METHOD /path" of every registered API route, for the OpenAPI test
	query   map[string][]string
	reg     *prometheus.Registry
	latency *prometheus.HistogramVec

	writes, signUps *addressLimiter // nil: no limit
	sessions        *session.Service
}

// New builds a server with every route registered.
func New(db *store.DB, log *slog.Logger, cfg Config) *Server {
	s := &Server{db: db, log: log, cfg: cfg, mux: http.NewServeMux(), reg: prometheus.NewRegistry(), query: map[string][]string{}}
	s.sessions = &session.Service{DB: db, Log: log, Hash: cfg.HashParams, Login: cfg.Login, TTL: cfg.SessionTTL, CookieSecure: cfg.CookieSecure}
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "sharemall_http_request_duration_seconds",
		Help:    "HTTP requests by route pattern, method and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route", "status"})
	s.reg.MustRegister(s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.reg.MustRegister(metrics.NewStore(db, log)) // money work, backlog and pools, read at scrape time

	s.routes = append(s.routes, "GET /metrics", "GET /healthz", "GET /api/openapi.json")
	s.mux.Handle("GET /metrics", s.metricsGate(true, promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
	now := func() time.Time { return s.db.Now() }
	s.writes, s.signUps = newAddressLimiter(cfg.WriteLimit, time.Minute, now), newAddressLimiter(cfg.SignUpLimit, time.Hour, now)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /api/openapi.json", s.openapi)
	s.routesAccounts()
	s.routesProgram()
	s.routesCatalog()
	s.routesShipping()
	s.routesImages()
	s.routesNetwork()
	s.routesCorrections()
	s.routesCommissions()
	s.routesWithdrawals()
	s.routesPayouts()
	s.routesSupplierPayouts()
	s.routesShops()
	s.routesOrders()
	s.routesCart()
	s.routesAddresses()
	s.routesFulfilment()
	s.routesFigures()
	s.routesInsight()
	s.routesInsightNetwork()
	s.routesFission()
	s.routesNotifications()
	s.routesMaterials()
	s.routesFraud()
	s.routesCampaigns()
	s.mux.HandleFunc("/", s.noRoute)
	return s
}

// MetricsHandler serves the metrics on an address of their own (--metrics-addr).
func (s *Server) MetricsHandler() http.Handler {
	return securityHeaders(s.metricsGate(false, promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{})))
}

// Register adds a collector to the server's metrics, such as the
// background sweeps' counters (metrics.Sweeps) of the runner beside it.
func (s *Server) Register(c prometheus.Collector) error { return s.reg.Register(c) }

// Sessions is the sign-up, sign-in and sign-out service the API uses, for
// the web pages to share.
func (s *Server) Sessions() *session.Service { return s.sessions }

// Routes lists every API route as "METHOD /path".
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// Handler is the whole HTTP handler: panics are caught, requests measured,
// requests get an id and an access log line, security headers set, cross-origin writes refused (cookie sessions need
// that), writes limited per client address, the caller resolved.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginRefused))
	return s.accessLog(s.recoverPanics(s.measure(securityHeaders(cop.Handler(s.limitWrites(s.authenticate(s.withClientAddress(s.mux))))))))
}

// handlerFunc is a handler that returns its error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers an API route with the query parameters it takes: under
// /api/ any other parameter is refused before h runs (checkQuery). Pages
// (share links, the sandbox's) ignore parameters they do not take, because
// chat apps add their own to the links they pass on.
func (s *Server) handle(pattern string, h handlerFunc, query ...string) {
	s.routes = append(s.routes, pattern)
	s.query[pattern] = query
	strict := strings.Contains(pattern, " /api/")
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if strict {
			if err := checkQuery(r, query); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(s.db.Engine())})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (an upload
// extends its read deadline).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.latency.WithLabelValues(s.routeOf(r), strconv.Itoa(sw.status)).Observe(time.Since(start).Seconds())
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				stack := debug.Stack()
				if wp, ok := p.(*store.WritePanic); ok {
					// raised again after the rollback, maybe on another
					// goroutine: log where the function really panicked
					p, stack = wp.Value, wp.Stack
				}
				s.log.ErrorContext(r.Context(), "panic", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(stack))
				writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: errs.Internal, Message: "internal error", RequestID: requestID(r)}})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// SessionCookie is the name of the web session cookie.
const SessionCookie = session.Cookie

// actorOf returns who is calling; anonymous when nobody signed in.
func actorOf(r *http.Request) account.Actor { return session.ActorOf(r.Context()) }

// authenticate resolves the caller from "Authorization: Bearer <token>"
// (session token or supplier API key) or the session cookie. A bad bearer
// token is refused at once; a stale cookie is treated as signed out.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var actor account.Actor
		if r.URL.Path == "/metrics" { // its bearer token is the metrics token, checked by metricsGate
			next.ServeHTTP(w, r)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || !account.LooksLikeToken(tok) {
				s.writeError(w, r, errs.E(errs.Unauthorized, "Authorization", "must be \"Bearer <token>\" with a session token or API key"))
				return
			}
			var err error
			if strings.HasPrefix(tok, account.APIKeyPrefix) {
				actor, err = s.db.ActorByAPIKey(r.Context(), account.HashToken(tok))
			} else {
				actor, err = s.db.ActorBySession(r.Context(), account.HashToken(tok))
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
		} else if c, err := r.Cookie(SessionCookie); err == nil && account.LooksLikeToken(c.Value) {
			a, err := s.db.ActorBySession(r.Context(), account.HashToken(c.Value))
			switch {
			case err == nil:
				actor = a
			case errs.CodeOf(err) != errs.Unauthorized:
				s.writeError(w, r, err)
				return
			}
		}
		setAccount(r, actor.AccountID)
		next.ServeHTTP(w, r.WithContext(session.With(r.Context(), actor, s.clientAddr(r))))
	})
}
