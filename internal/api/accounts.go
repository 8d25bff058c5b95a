package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/session"
)

// routesAccounts registers sign-up, login, logout and account administration.
func (s *Server) routesAccounts() {
	s.handle("POST /api/v1/accounts", s.signUp)
	s.handle("GET /api/v1/accounts", s.listAccounts, "after", "limit")
	s.handle("GET /api/v1/accounts/{id}", s.getAccount)
	s.handle("PUT /api/v1/accounts/{id}/roles/{role}", s.grantRole)
	s.handle("DELETE /api/v1/accounts/{id}/roles/{role}", s.revokeRole)
	s.handle("POST /api/v1/sessions", s.login)
	s.handle("DELETE /api/v1/sessions/current", s.logout)
	s.handle("GET /api/v1/me", s.me)
	s.handle("PUT /api/v1/me/password", s.changePassword)
}

type accountJSON struct {
	ID        int64          `json:"id"`
	Email     string         `json:"email,omitempty"`
	Phone     string         `json:"phone,omitempty"`
	Name      string         `json:"name"`
	Roles     []account.Role `json:"roles"`
	Disabled  bool           `json:"disabled"`
	CreatedAt time.Time      `json:"created_at"`
}

func toAccountJSON(a *account.Account) accountJSON {
	roles := a.Roles
	if roles == nil {
		roles = []account.Role{}
	}
	return accountJSON{ID: a.ID, Email: a.Email, Phone: a.Phone, Name: a.Name, Roles: roles, Disabled: a.Disabled, CreatedAt: a.CreatedAt}
}

type sessionJSON struct {
	Account   accountJSON `json:"account"`
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
}

type signUpRequest struct {
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// signUp creates a customer account and signs it in. Joining as a
// distributor or applying as a supplier are separate, free steps.
func (s *Server) signUp(w http.ResponseWriter, r *http.Request) error {
	var req signUpRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	st, err := s.sessions.SignUp(r.Context(), account.SignUp{Email: req.Email, Phone: req.Phone, Name: req.Name, Password: req.Password})
	if err != nil {
		return err
	}
	return s.startSession(w, st, http.StatusCreated)
}

// phoneRegion is the program's default phone region, where a number typed
// without its country code is read.
func (s *Server) phoneRegion(r *http.Request) (string, error) {
	return s.sessions.PhoneRegion(r.Context())
}

func (s *Server) startSession(w http.ResponseWriter, st *session.Started, status int) error {
	noStore(w)
	s.sessions.SetCookie(w, st)
	writeJSON(w, status, sessionJSON{Account: toAccountJSON(st.Account), Token: st.Token, ExpiresAt: st.Expires})
	return nil
}

type loginRequest struct {
	Login    string `json:"login"` // email or phone
	Password string `json:"password"`
}

// login checks a password and starts a session (session.Service.LogIn).
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	st, err := s.sessions.LogIn(r.Context(), req.Login, req.Password, s.clientAddr(r))
	if err != nil {
		return err
	}
	return s.startSession(w, st, http.StatusCreated)
}

// logout ends the session the request came with.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Customer, account.Distributor, account.Supplier, account.Operator); err != nil {
		return err
	}
	if actorOf(r).APIKeyID != 0 {
		return errs.E(errs.Invalid, "Authorization", "an API key is not a session; revoke it instead")
	}
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if tok == "" {
		if c, err := r.Cookie(SessionCookie); err == nil {
			tok = c.Value
		}
	}
	if err := s.sessions.LogOut(r.Context(), tok); err != nil {
		return err
	}
	s.sessions.ClearCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meJSON struct {
	accountJSON
	SupplierID    int64 `json:"supplier_id,omitempty"`
	DistributorID int64 `json:"distributor_id,omitempty"`
	APIKeyID      int64 `json:"api_key_id,omitempty"`
}

// me says who the caller is: the account, its roles, and the supplier and
// distributor it runs.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	if actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	a, err := s.db.Account(r.Context(), actor.AccountID)
	if err != nil {
		return err
	}
	aj := toAccountJSON(a)
	if actor.APIKeyID != 0 {
		aj.Roles = []account.Role{account.Supplier}
	}
	writeJSON(w, http.StatusOK, meJSON{accountJSON: aj, SupplierID: actor.SupplierID, DistributorID: actor.DistributorID, APIKeyID: actor.APIKeyID})
	return nil
}

type passwordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword replaces the caller's password and ends all its sessions.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	if actor.Anonymous() || actor.APIKeyID != 0 {
		return errs.E(errs.Unauthorized, "", "sign in with a session first")
	}
	var req passwordRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := account.CheckPassword("new_password", req.NewPassword); err != nil {
		return err
	}
	a, err := s.db.Account(r.Context(), actor.AccountID)
	if err != nil {
		return err
	}
	cred, err := s.db.CredentialsFor(r.Context(), a.Email, a.Phone)
	if err != nil {
		return err
	}
	if ok, err := account.VerifyPassword(cred.PasswordHash, req.CurrentPassword); err != nil {
		return errs.Wrap("api.changePassword", err)
	} else if !ok {
		return errs.E(errs.Forbidden, "current_password", "is wrong")
	}
	hash, err := account.HashPassword(s.cfg.HashParams, req.NewPassword)
	if err != nil {
		return errs.Wrap("api.changePassword", err)
	}
	if err := s.db.SetPassword(r.Context(), actor.AccountID, hash); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := s.db.Accounts(r.Context(), actorOf(r), after, limit+1)
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(list))
	for i, a := range list {
		out[i] = toAccountJSON(a)
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(a accountJSON) int64 { return a.ID }))
	return nil
}

// getAccount shows an account to itself or to an operator.
func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	actor := actorOf(r)
	if actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	if actor.AccountID != id && !actor.IsOperator() {
		return errs.E(errs.NotFound, "", "account not found")
	}
	a, err := s.db.Account(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAccountJSON(a))
	return nil
}

// roleFromPath reads the role of /accounts/{id}/roles/{role}. Only the
// operator role is granted here: the supplier role comes with an approved
// application, the distributor role with joining, the customer role with sign-up.
func roleFromPath(r *http.Request) (account.Role, error) {
	role, err := account.ParseRole("role", r.PathValue("role"))
	if err != nil {
		return "", err
	}
	if role != account.Operator {
		return "", errs.Invalidf("role", "only the operator role is granted here; %s comes from %s", role, map[account.Role]string{
			account.Supplier: "applying as a supplier", account.Distributor: "joining the network", account.Customer: "signing up",
		}[role])
	}
	return role, nil
}

func (s *Server) grantRole(w http.ResponseWriter, r *http.Request) error {
	return s.changeRole(w, r, s.db.GrantRole)
}

func (s *Server) revokeRole(w http.ResponseWriter, r *http.Request) error {
	return s.changeRole(w, r, s.db.RevokeRole)
}

func (s *Server) changeRole(w http.ResponseWriter, r *http.Request, change func(ctx context.Context, actor account.Actor, id int64, role account.Role) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	role, err := roleFromPath(r)
	if err != nil {
		return err
	}
	if err := change(r.Context(), actorOf(r), id, role); err != nil {
		return err
	}
	a, err := s.db.Account(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAccountJSON(a))
	return nil
}
