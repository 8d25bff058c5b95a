package web

import (
	"net/http"
	"strings"

	"sharemall/internal/errs"
)

// moneyWithdraw asks to withdraw from my wallet, as the API's POST
// /withdrawals does: the amount in major units, the form's key as the
// Idempotency-Key (a form sent twice makes one withdrawal). A refusal shows
// by the amount, the debt or the daily limit, with the amount kept.
func (s *Server) moneyWithdraw(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.moneyCentrePage(w, r, "money.title")
	if !ok {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	typed := strings.TrimSpace(r.PostForm.Get("amount"))
	p.Form.Set("amount", typed)
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	amount, err := st.Currency().ParseField("amount", typed)
	if err == nil {
		_, err = s.db.RequestWithdrawal(r.Context(), p.Actor, p.Actor.DistributorID, amount, r.PostForm.Get("key"))
	}
	if err == nil {
		return seeOther(w, r, "/centre/money?requested=1#withdrawals")
	}
	refused := err
	if !p.formError(refused) {
		return refused
	}
	// The form shows errors by the amount, the debt and the daily limit;
	// any other (the key, the distributor's status) at the top.
	for f, m := range p.Errors {
		if f != "amount" && f != "debt" && f != "daily_limit" {
			delete(p.Errors, f)
			p.Errors[""] = m
		}
	}
	if p.Data, err = s.moneyData(r, p, "", "", 0); err != nil {
		return err
	}
	s.render(w, r, statusOf(refused), "money", p)
	return nil
}
