package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// routesSupplierPayouts registers supplier settlement (docs/payouts.md):
// what a supplier sees of its payable, and the operator's payouts to
// suppliers in batches.
func (s *Server) routesSupplierPayouts() {
	s.handle("GET /api/v1/suppliers/{id}/balance", s.supplierBalance)
	s.handle("GET /api/v1/suppliers/{id}/statement", s.supplierStatement, "from", "to")
	s.handle("GET /api/v1/suppliers/{id}/statement/export", s.supplierStatementExport, "from", "to")
	s.handle("GET /api/v1/suppliers/{id}/payouts", s.listSupplierPayoutsOf, "status", "limit")
	s.handle("POST /api/v1/supplier-payouts", s.createSupplierPayout)
	s.handle("GET /api/v1/supplier-payouts", s.listSupplierPayouts, "status", "limit")
	s.handle("POST /api/v1/supplier-payouts/{id}/reject", s.rejectSupplierPayout)
	s.handle("POST /api/v1/supplier-payout-batches", s.createSupplierPayoutBatch)
	s.handle("GET /api/v1/supplier-payout-batches/{id}", s.getSupplierPayoutBatch)
	s.handle("GET /api/v1/supplier-payout-batches/{id}/export", s.exportSupplierPayoutBatch, "format", "payer_account", "payer_name")
	s.handle("POST /api/v1/supplier-payout-batches/{id}/paid", s.markSupplierPayoutBatchPaid)
}

type supplierPayoutResource struct {
	ID         int64          `json:"id"`
	SupplierID int64          `json:"supplier_id"`
	Currency   string         `json:"currency"`
	Amount     string         `json:"amount"`
	Status     string         `json:"status"`
	BatchID    *int64         `json:"batch_id"`
	PayoutRef  *string        `json:"payout_ref"`
	Reason     *string        `json:"reason"`
	CreatedAt  time.Time      `json:"created_at"`
	DecidedAt  *time.Time     `json:"decided_at"`
	PaidAt     *time.Time     `json:"paid_at"`
	PayoutTo   *payout.Masked `json:"payout_to"`
}

func supplierPayoutOut(p store.SupplierPayout) supplierPayoutResource {
	return supplierPayoutResource{ID: p.ID, SupplierID: p.SupplierID, Currency: p.Currency, Amount: money.CurrencyOf(p.Currency).Format(p.Amount),
		Status: p.Status, BatchID: idOrNull(p.BatchID), PayoutRef: stringOrNull(p.PayoutRef), Reason: stringOrNull(p.Reason),
		CreatedAt: p.CreatedAt, DecidedAt: p.DecidedAt, PaidAt: p.PaidAt, PayoutTo: p.PayoutTo}
}

type supplierPayoutList struct {
	Items []supplierPayoutResource `json:"items"`
}

func (s *Server) supplierBalance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.db.SupplierBalance(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	c := money.CurrencyOf(b.Currency)
	writeJSON(w, http.StatusOK, map[string]any{"supplier_id": b.SupplierID, "currency": b.Currency, "pending": c.Format(b.Pending),
		"available": c.Format(b.Available), "paying": c.Format(b.Paying), "paid_out": c.Format(b.PaidOut)})
	return nil
}

func (s *Server) statementOf(r *http.Request) (*store.Statement, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return s.db.SupplierStatement(r.Context(), actorOf(r), id, q.Get("from"), q.Get("to"))
}

type statementLineResource struct {
	At        time.Time `json:"at"`
	JournalID int64     `json:"journal_id"`
	Reference string    `json:"reference"`
	Kind      string    `json:"kind"`
	Memo      string    `json:"memo"`
	Debit     string    `json:"debit"`
	Credit    string    `json:"credit"`
	Balance   string    `json:"balance"`
}

func (s *Server) supplierStatement(w http.ResponseWriter, r *http.Request) error {
	st, err := s.statementOf(r)
	if err != nil {
		return err
	}
	c := money.CurrencyOf(st.Currency)
	lines := make([]statementLineResource, len(st.Lines))
	for i, l := range st.Lines {
		lines[i] = statementLineResource{l.At, l.JournalID, l.Key, l.Kind, l.Memo, c.Format(l.Debit), c.Format(l.Credit), c.Format(l.Balance)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"supplier_id": st.SupplierID, "currency": st.Currency, "from": st.From, "to": st.To,
		"opening": c.Format(st.Opening), "closing": c.Format(st.Closing), "lines": lines})
	return nil
}

func (s *Server) supplierStatementExport(w http.ResponseWriter, r *http.Request) error {
	st, err := s.statementOf(r)
	if err != nil {
		return err
	}
	settings, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := store.StatementCSV(&buf, st, settings.Location()); err != nil {
		return err
	}
	sendCSV(w, fmt.Sprintf("sharemall-supplier-%d-statement-%s-%s.csv", st.SupplierID, st.From, st.To), buf.Bytes())
	return nil
}

// sendCSV sends a CSV file built whole.
func sendCSV(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func (s *Server) listPayouts(w http.ResponseWriter, r *http.Request, supplierID int64) error {
	limit, err := queryInt(r, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	ps, err := s.db.SupplierPayouts(r.Context(), actorOf(r), supplierID, r.URL.Query().Get("status"), int(limit))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supplierPayoutList{Items: netMap(ps, supplierPayoutOut)})
	return nil
}

func (s *Server) listSupplierPayoutsOf(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.listPayouts(w, r, id)
}

func (s *Server) listSupplierPayouts(w http.ResponseWriter, r *http.Request) error {
	return s.listPayouts(w, r, 0)
}

func (s *Server) createSupplierPayout(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		SupplierID *int64  `json:"supplier_id"`
		Amount     *string `json:"amount"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.SupplierID == nil || *req.SupplierID <= 0 {
		return errs.Invalidf("supplier_id", "is required: a positive id")
	}
	if req.Amount == nil {
		return errs.Invalidf("amount", "is required, in major units as a string, e.g. \"12.50\"")
	}
	settings, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	amount, err := settings.Currency().ParseField("amount", *req.Amount)
	if err != nil {
		return err
	}
	p, err := s.db.CreateSupplierPayout(r.Context(), actorOf(r), *req.SupplierID, amount, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, supplierPayoutOut(*p))
	return nil
}

func (s *Server) rejectSupplierPayout(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := s.db.RejectSupplierPayout(r.Context(), actorOf(r), id, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supplierPayoutOut(*p))
	return nil
}

func supplierBatchOut(b *store.SupplierPayoutBatch, ps []store.SupplierPayout) map[string]any {
	return map[string]any{"id": b.ID, "status": b.Status, "created_at": b.CreatedAt, "paid_at": b.PaidAt,
		"payout_ref": stringOrNull(b.PayoutRef), "payouts": netMap(ps, supplierPayoutOut)}
}

func (s *Server) createSupplierPayoutBatch(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength != 0 {
		if err := decode(w, r, &struct{}{}); err != nil {
			return err
		}
	}
	b, ps, err := s.db.CreateSupplierPayoutBatch(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, supplierBatchOut(b, ps))
	return nil
}

func (s *Server) getSupplierPayoutBatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, ps, err := s.db.SupplierPayoutBatch(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supplierBatchOut(b, ps))
	return nil
}

func (s *Server) exportSupplierPayoutBatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	o := store.PayoutExportOptions{Format: q.Get("format"), PayerAccount: q.Get("payer_account"), PayerName: q.Get("payer_name")}
	var buf bytes.Buffer
	if err := s.db.SupplierPayoutBatchExport(r.Context(), actorOf(r), id, o, &buf); err != nil {
		return err
	}
	sendCSV(w, fmt.Sprintf("sharemall-supplier-payout-batch-%d-%s.csv", id, o.Format), buf.Bytes())
	return nil
}

func (s *Server) markSupplierPayoutBatchPaid(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		PayoutRef string `json:"payout_ref"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	b, ps, err := s.db.MarkSupplierPayoutBatchPaid(r.Context(), actorOf(r), id, req.PayoutRef)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, supplierBatchOut(b, ps))
	return nil
}
