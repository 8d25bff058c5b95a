// Package session signs people up, in and out, for the JSON API and the web
// pages alike, and carries who is calling through a request's context. The
// password, throttling and cookie rules live here once.
package session

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// Cookie is the session cookie; VisitorCookie holds an anonymous browser's
// token, so visits (and a cart) made before signing in can be claimed after.
const (
	Cookie        = "sharemall_session"
	VisitorCookie = "sharemall_visitor"
)

// Service starts and ends sessions.
type Service struct {
	DB           *store.DB
	Log          *slog.Logger
	Hash         account.HashParams
	Login        account.LoginPolicy
	TTL          time.Duration
	CookieSecure bool // Secure cookies; browsers accept them from http://localhost too
}

// Started is a new session: its token is shown once.
type Started struct {
	Account *account.Account
	Token   string
	Expires time.Time
}

// SignUp creates a customer account and starts its session. Joining as a
// distributor or applying as a supplier are separate, free steps.
func (s *Service) SignUp(ctx context.Context, su account.SignUp) (*Started, error) {
	region, err := s.PhoneRegion(ctx)
	if err != nil {
		return nil, err
	}
	if err := su.Normalize(region); err != nil {
		return nil, err
	}
	hash, err := account.HashPassword(s.Hash, su.Password)
	if err != nil {
		return nil, errs.Wrap("session.SignUp", err)
	}
	a, err := s.DB.CreateAccount(ctx, su, hash, account.Customer)
	if err != nil {
		return nil, err
	}
	return s.start(ctx, a)
}

// PhoneRegion is the program's default phone region, where a number typed
// without its country code is read.
func (s *Service) PhoneRegion(ctx context.Context) (string, error) {
	st, err := s.DB.Settings(ctx)
	if err != nil {
		return "", err
	}
	return st.DefaultPhoneRegion, nil
}

func (s *Service) start(ctx context.Context, a *account.Account) (*Started, error) {
	tok, hash := account.NewToken(account.SessionPrefix)
	expires, err := s.DB.CreateSession(ctx, a.ID, hash, s.TTL)
	if err != nil {
		return nil, err
	}
	return &Started{Account: a, Token: tok, Expires: expires}, nil
}

// dummyHash is verified against when the login is unknown, so that an
// unknown account costs as much time as a wrong password.
var dummyHash, _ = account.HashPassword(account.DefaultHashParams, "not a real password 0")

// LogIn checks a password (login is an email or phone) and starts a
// session. The attempt is counted per client address and per login name,
// in the database so every server shares the count, before the password is
// checked; see account.LoginPolicy.
func (s *Service) LogIn(ctx context.Context, login, password, clientAddr string) (*Started, error) {
	if strings.TrimSpace(login) == "" {
		return nil, errs.Invalidf("login", "give the email or phone number you signed up with")
	}
	region, err := s.PhoneRegion(ctx)
	if err != nil {
		return nil, err
	}
	email, phone, err := account.Identifier("login", login, region)
	if err != nil {
		return nil, err
	}
	if password == "" {
		return nil, errs.Invalidf("password", "is required")
	}
	attempt, err := s.DB.ReserveLoginAttempt(ctx, email+phone, clientAddr, s.Login)
	if err != nil {
		return nil, err
	}
	accountID, ok, err := s.checkPassword(ctx, email, phone, password)
	if err != nil {
		// Not judged: the attempt is no failure of the caller's.
		if cerr := s.DB.CancelLoginAttempt(context.WithoutCancel(ctx), attempt); cerr != nil && s.Log != nil {
			s.Log.ErrorContext(ctx, "cancel login attempt", "err", cerr)
		}
		return nil, err
	}
	if !ok {
		return nil, errs.E(errs.Unauthorized, "password", "login or password is wrong")
	}
	if err := s.DB.LoginSucceeded(ctx, attempt); err != nil {
		return nil, err
	}
	a, err := s.DB.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return s.start(ctx, a)
}

// checkPassword says whether password opens the enabled account with this
// email or phone. An unknown login costs the same Argon2id time as a wrong
// password, so the answer's timing does not tell whether the account exists.
func (s *Service) checkPassword(ctx context.Context, email, phone, password string) (accountID int64, ok bool, err error) {
	cred, err := s.DB.CredentialsFor(ctx, email, phone)
	hash := dummyHash
	if err == nil {
		hash = cred.PasswordHash
	} else if !errs.Is(err, errs.NotFound) {
		return 0, false, err
	}
	match, verr := account.VerifyPassword(hash, password)
	if verr != nil {
		return 0, false, errs.Wrap("session.LogIn", verr)
	}
	if err != nil || !match || cred.Disabled {
		return 0, false, nil
	}
	return cred.AccountID, true, nil
}

// LogOut ends the session of token.
func (s *Service) LogOut(ctx context.Context, token string) error {
	return s.DB.DeleteSession(ctx, account.HashToken(token))
}

// SetCookie gives the browser the session's cookie.
func (s *Service) SetCookie(w http.ResponseWriter, st *Started) {
	http.SetCookie(w, &http.Cookie{Name: Cookie, Value: st.Token, Path: "/", Expires: st.Expires,
		HttpOnly: true, Secure: s.CookieSecure, SameSite: http.SameSiteLaxMode})
}

// ClearCookie removes the session cookie.
func (s *Service) ClearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: Cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.CookieSecure, SameSite: http.SameSiteLaxMode})
}

type actorKey struct{}
type clientKey struct{}

// With returns ctx carrying who calls and from which client address (the
// key limits count it under).
func With(ctx context.Context, a account.Actor, clientAddr string) context.Context {
	return context.WithValue(context.WithValue(ctx, actorKey{}, a), clientKey{}, clientAddr)
}

// ActorOf returns who is calling; anonymous when nobody signed in.
func ActorOf(ctx context.Context) account.Actor {
	a, _ := ctx.Value(actorKey{}).(account.Actor)
	return a
}

// ClientAddrOf is the caller's address as the server's limits count it.
func ClientAddrOf(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// PublicBase is the absolute origin links are written for: configured (the
// --public-url) when set, else the request's own host (behind a proxy, its
// X-Forwarded-Proto says https). A host that is not a plain host[:port] is
// not trusted into a link or a poster.
func PublicBase(configured string, r *http.Request) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	host := r.Host
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']') {
			host = "localhost"
			break
		}
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}
