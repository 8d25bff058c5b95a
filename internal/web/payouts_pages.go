package web

import (
	"net/http"
	"net/url"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// Where distributors and suppliers are paid (docs/payouts.md): the form
// shows what is recorded masked, never in full; a refused form keeps the
// method, bank and branch but not the card, account or names typed.

// routesPayouts registers the payout pages of the centre, the supplier
// console and the operator console.
func (s *Server) routesPayouts() {
	s.handle("GET /centre/payout", s.centrePayout)
	s.handle("POST /centre/payout", s.centrePayoutSave)
	s.handle("GET /sup/payouts", s.supPayouts)
	s.handle("POST /sup/payouts/details", s.supPayoutDetailsSave)
	s.handle("GET /sup/payouts/statement", s.supStatementExport)
	s.handle("GET /ops/withholding", s.opsWithholding)
	s.handle("GET /ops/withholding/export", s.opsWithholdingExport)
	s.handle("GET /ops/supplier-payouts", s.opsSupplierPayouts)
	s.handle("POST /ops/supplier-payouts", s.opsSupplierPayoutCreate)
	s.handle("POST /ops/supplier-payouts/{id}/reject", s.opsSupplierPayoutReject)
	s.handle("POST /ops/supplier-payout-batches", s.opsSupplierBatchCreate)
	s.handle("GET /ops/supplier-payout-batches/{id}", s.opsSupplierBatch)
	s.handle("GET /ops/supplier-payout-batches/{id}/export", s.opsSupplierBatchExport)
	s.handle("POST /ops/supplier-payout-batches/{id}/paid", s.opsSupplierBatchPaid)
}

// payoutForm is the payout details form's data.
type payoutForm struct {
	P       *Page
	Action  string
	Current *store.PayoutDetailsView // nil: none recorded yet
	Methods []payout.Method
	Saved   bool
}

// detailsFromForm reads payout details from a posted form.
func detailsFromForm(r *http.Request) payout.Details {
	f := r.PostForm.Get
	return payout.Details{Method: payout.Method(f("method")), Bank: f("bank"), Branch: f("branch"), HolderName: f("holder_name"),
		CardNumber: f("card_number"), AlipayAccount: f("alipay_account"), OpenID: f("openid"), WeChatID: f("wechat_id"), RealName: f("real_name")}
}

// keepSafeFields keeps what a refused form may show again: never the
// card, account or names.
func keepSafeFields(p *Page, r *http.Request) {
	for _, k := range []string{"method", "bank", "branch"} {
		p.Form.Set(k, strings.TrimSpace(r.PostForm.Get(k)))
	}
}

func (s *Server) centrePayout(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.moneyCentrePage(w, r, "payouts.title")
	if !ok {
		return err
	}
	p.Back = "/centre/money"
	return s.renderCentrePayout(w, r, p, http.StatusOK)
}

func (s *Server) renderCentrePayout(w http.ResponseWriter, r *http.Request, p *Page, status int) error {
	v, err := s.db.PayoutDetails(r.Context(), p.Actor, store.PayoutOwner{Kind: store.PayoutDistributor, ID: p.Actor.DistributorID})
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	preselectMethod(p, v)
	p.Data = &payoutForm{P: p, Action: "/centre/payout", Current: v, Methods: payout.Methods, Saved: r.URL.Query().Get("saved") == "1"}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "payout_details", p)
	return nil
}

func (s *Server) centrePayoutSave(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.moneyCentrePage(w, r, "payouts.title")
	if !ok {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	_, err = s.db.SetPayoutDetails(r.Context(), p.Actor, store.PayoutOwner{Kind: store.PayoutDistributor, ID: p.Actor.DistributorID}, detailsFromForm(r))
	if err == nil {
		return seeOther(w, r, "/centre/payout?saved=1")
	}
	if !p.formError(err) {
		return err
	}
	p.Back = "/centre/money"
	keepSafeFields(p, r)
	return s.renderCentrePayout(w, r, p, statusOf(err))
}

// preselectMethod opens the form on the method already recorded (the
// numbers themselves are never filled back in), unless the form was
// posted with one.
func preselectMethod(p *Page, v *store.PayoutDetailsView) {
	if v == nil || p.Form.Get("method") != "" {
		return
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.Form.Set("method", string(v.Masked.Method))
}
