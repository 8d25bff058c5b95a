package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// opsxCustomers finds a customer by id, email or phone (?customer=) and goes on
// to its binding; without q, or when no account matches, the finder.
func (s *Server) opsxCustomers(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "customers", "opsx.customers.title")
	if err != nil {
		return err
	}
	q := r.URL.Query().Get("customer")
	if q == "" {
		s.render(w, r, http.StatusOK, "opsx_customers", p)
		return nil
	}
	a, err := s.db.FindAccount(r.Context(), p.Actor, "customer", q)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form.Set("customer", q)
		s.render(w, r, statusOf(err), "opsx_customers", p)
		return nil
	}
	return seeOther(w, r, "/ops/customers/"+strconv.FormatInt(a.ID, 10)+"/binding")
}

// opsxBindingData is a customer's binding as the operator sees it.
type opsxBindingData struct {
	Account *account.Account
	B       *store.CustomerBinding
	Bound   *network.Distributor // the distributor bound now, if any
	Events  []store.BindingEvent // newest first
}

func (s *Server) opsxBinding(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "customers", "opsx.binding.title")
	if err != nil {
		return err
	}
	if r.URL.Query().Has("moved") {
		p.Notice = p.T("opsx.binding.moved")
	}
	return s.renderOpsxBinding(w, r, p, http.StatusOK)
}

func (s *Server) renderOpsxBinding(w http.ResponseWriter, r *http.Request, p *Page, status int) error {
	ctx := r.Context()
	id, err := pathID(r, "account_id")
	if err != nil {
		return err
	}
	d := &opsxBindingData{}
	if d.B, err = s.db.Binding(ctx, p.Actor, id); err != nil {
		return err
	}
	if d.Account, err = s.db.Account(ctx, id); err != nil {
		return err
	}
	if d.B.DistributorID != 0 {
		if d.Bound, err = s.db.Distributor(ctx, p.Actor, d.B.DistributorID); err != nil {
			return err
		}
	}
	for i := len(d.B.Events) - 1; i >= 0; i-- {
		d.Events = append(d.Events, d.B.Events[i])
	}
	p.Back = "/ops/customers"
	p.Data = d
	s.render(w, r, status, "opsx_binding", p)
	return nil
}

// opsxMoveBinding binds the customer to another distributor, with the
// operator's reason (db.MoveBinding, as the API's POST
// PUT /customers/{account_id}/binding).
func (s *Server) opsxMoveBinding(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "customers", "opsx.binding.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "account_id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	to, err := strconv.ParseInt(r.PostForm.Get("distributor_id"), 10, 64)
	if err != nil {
		err = errs.Invalidf("distributor_id", "must be a distributor id")
	} else {
		_, err = s.db.MoveBinding(r.Context(), p.Actor, id, to, r.PostForm.Get("reason"))
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsxBinding(w, r, p, statusOf(err))
	}
	return seeOther(w, r, "/ops/customers/"+strconv.FormatInt(id, 10)+"/binding?moved=1")
}
