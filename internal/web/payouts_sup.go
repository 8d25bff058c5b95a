package web

import (
	"bytes"
	"fmt"
	"net/http"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// supPayoutsData is the supplier's money page: balance, where it is paid,
// its payouts and the statement download.
type supPayoutsData struct {
	Balance *store.SupplierBalance
	Form    *payoutForm
	Payouts []store.SupplierPayout
	From    string
	To      string
}

func (s *Server) supPayouts(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-payouts")
	if err != nil {
		return err
	}
	return s.renderSupPayouts(w, r, p, sup, http.StatusOK)
}

func (s *Server) renderSupPayouts(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, status int) error {
	ctx := r.Context()
	b, err := s.db.SupplierBalance(ctx, sup, sup.SupplierID)
	if err != nil {
		return err
	}
	// Recording details needs the supplier's staff, not an API key.
	v, err := s.db.PayoutDetails(ctx, sup, store.PayoutOwner{Kind: store.PayoutSupplier, ID: sup.SupplierID})
	if err != nil && !errs.Is(err, errs.NotFound) {
		return err
	}
	ps, err := s.db.SupplierPayouts(ctx, sup, sup.SupplierID, "", 50)
	if err != nil {
		return err
	}
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	now := s.db.Now().In(st.Location())
	p.Title = p.T("payouts.sup.title")
	preselectMethod(p, v)
	p.Data = &supPayoutsData{Balance: b, Payouts: ps, From: now.AddDate(0, 0, 1-now.Day()).Format("2006-01-02"), To: now.Format("2006-01-02"),
		Form: &payoutForm{P: p, Action: "/sup/payouts/details", Current: v, Methods: payout.Methods, Saved: r.URL.Query().Get("saved") == "1"}}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "sup_payouts", p)
	return nil
}

func (s *Server) supPayoutDetailsSave(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-payouts")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	_, err = s.db.SetPayoutDetails(r.Context(), sup, store.PayoutOwner{Kind: store.PayoutSupplier, ID: sup.SupplierID}, detailsFromForm(r))
	if err == nil {
		return seeOther(w, r, "/sup/payouts?saved=1")
	}
	if !p.formError(err) {
		return err
	}
	keepSafeFields(p, r)
	return s.renderSupPayouts(w, r, p, sup, statusOf(err))
}

// supStatementExport downloads the statement of a period as CSV.
func (s *Server) supStatementExport(w http.ResponseWriter, r *http.Request) error {
	_, sup, err := s.supPage(r, "sup-payouts")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	stmt, err := s.db.SupplierStatement(r.Context(), sup, sup.SupplierID, q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := store.StatementCSV(&buf, stmt, st.Location()); err != nil {
		return err
	}
	csvDownload(w, fmt.Sprintf("statement-%s-%s.csv", stmt.From, stmt.To), buf.Bytes())
	return nil
}

// csvDownload sends a CSV file built whole.
func csvDownload(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}
