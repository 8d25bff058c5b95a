package web

import (
	"net/http"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/session"
)

func (s *Server) routesAuth() {
	s.handle("GET /signin", s.signInPage)
	s.handle("POST /signin", s.signIn)
	s.handle("GET /signup", s.signUpPage)
	s.handle("POST /signup", s.signUp)
	s.handle("POST /signout", s.signOut)
}

func (s *Server) authPage(r *http.Request, titleKey string) *Page {
	p := s.page(r, "")
	p.Title, p.Tab, p.Back = p.T(titleKey), "me", "/"
	p.Form.Set("next", localPath(r.URL.Query().Get("next")))
	return p
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "signin", s.authPage(r, "signin.title"))
	return nil
}

func (s *Server) signUpPage(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "signup", s.authPage(r, "signup.title"))
	return nil
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	p := s.authPage(r, "signin.title")
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	p.Form.Set("login", r.PostForm.Get("login"))
	p.Form.Set("next", localPath(r.PostForm.Get("next")))
	st, err := s.cfg.Sessions.LogIn(r.Context(), r.PostForm.Get("login"), r.PostForm.Get("password"), session.ClientAddrOf(r.Context()))
	if err != nil {
		if !p.formError(err) {
			return err
		}
		s.render(w, r, statusOf(err), "signin", p)
		return nil
	}
	return s.signedIn(w, r, st, p.Form.Get("next"))
}

func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	p := s.authPage(r, "signup.title")
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	for _, f := range []string{"name", "email", "phone"} {
		p.Form.Set(f, r.PostForm.Get(f))
	}
	p.Form.Set("next", localPath(r.PostForm.Get("next")))
	st, err := s.cfg.Sessions.SignUp(r.Context(), account.SignUp{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"),
		Phone: r.PostForm.Get("phone"), Password: r.PostForm.Get("password")})
	if err != nil {
		if !p.formError(err) {
			return err
		}
		s.render(w, r, statusOf(err), "signup", p)
		return nil
	}
	return s.signedIn(w, r, st, p.Form.Get("next"))
}

// signedIn starts the browser's session and claims what it did before
// signing in, as the API's claims do: the share links it opened keep their
// binding, and its cart moves into the account's.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, st *session.Started, next string) error {
	s.cfg.Sessions.SetCookie(w, st)
	if visitor := session.Visitor(r); visitor != "" {
		actor, err := s.db.ActorFor(r.Context(), st.Account.ID)
		if err != nil {
			return err
		}
		if _, err := s.db.ClaimVisits(r.Context(), actor, visitor); err != nil && !errs.Is(err, errs.Invalid) {
			return err
		}
		if _, err := s.db.ClaimCart(r.Context(), actor, visitor); err != nil && !errs.Is(err, errs.Invalid) {
			return err
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return seeOther(w, r, localPath(next))
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(session.Cookie); err == nil {
		if err := s.cfg.Sessions.LogOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.cfg.Sessions.ClearCookie(w)
	return seeOther(w, r, "/")
}

// statusOf is the HTTP status an error is answered with.
func statusOf(err error) int {
	switch errs.CodeOf(err) {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Conflict:
		return http.StatusConflict
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.NotFound:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}
