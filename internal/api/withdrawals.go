package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sharemall/internal/account"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/payout"
	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// routesWithdrawals registers withdrawals, payout batches and the
// operator's journal view.
func (s *Server) routesWithdrawals() {
	s.handle("POST /api/v1/withdrawals", s.requestWithdrawal)
	s.handle("GET /api/v1/withdrawals", s.listWithdrawals, "after", "limit", "status", "distributor_id", "batch_id")
	s.handle("GET /api/v1/withdrawals/{id}", s.getWithdrawal)
	s.handle("POST /api/v1/withdrawals/{id}/approve", s.approveWithdrawal)
	s.handle("POST /api/v1/withdrawals/{id}/reject", s.rejectWithdrawal)
	s.handle("POST /api/v1/payout-batches", s.createPayoutBatch)
	s.handle("GET /api/v1/payout-batches/{id}", s.getPayoutBatch)
	s.handle("GET /api/v1/payout-batches/{id}/export", s.exportPayoutBatch, "format", "payer_account", "payer_name")
	s.handle("POST /api/v1/payout-batches/{id}/paid", s.markPayoutBatchPaid)
	s.handle("GET /api/v1/journals", s.listJournals, "after", "limit", "kind", "account") // journals.go
}

// withdrawalResource is a withdrawal on the wire.
type withdrawalResource struct {
	ID            int64      `json:"id"`
	DistributorID int64      `json:"distributor_id"`
	Currency      string     `json:"currency"`
	Amount        string     `json:"amount"`
	Fee           string     `json:"fee"`
	Net           string     `json:"net"`
	Withheld      string     `json:"withheld"` // tax withheld; the bank pays net − withheld
	Status        string     `json:"status"`
	PayoutRef     *string    `json:"payout_ref"`
	BatchID       *int64     `json:"batch_id"`
	Reason        *string    `json:"reason"`
	RequestedAt   time.Time  `json:"requested_at"`
	DecidedAt     *time.Time `json:"decided_at"`
	DecidedBy     *int64     `json:"decided_by"`
	PaidAt        *time.Time `json:"paid_at"`
	// PayoutTo is where it is paid, masked: the payout details copied when
	// it was requested (docs/payouts.md); null when none were recorded.
	PayoutTo *payout.Masked `json:"payout_to"`
}

func stringOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func withdrawalOut(w wallet.Withdrawal) withdrawalResource {
	cur := money.CurrencyOf(w.Currency)
	return withdrawalResource{ID: w.ID, DistributorID: w.DistributorID, Currency: w.Currency,
		Amount: cur.Format(w.Amount), Fee: cur.Format(w.Fee), Net: cur.Format(w.Net), Withheld: cur.Format(w.Withheld), Status: string(w.Status),
		PayoutRef: stringOrNull(w.PayoutRef), BatchID: idOrNull(w.BatchID), Reason: stringOrNull(w.Reason),
		RequestedAt: w.RequestedAt, DecidedAt: w.DecidedAt, DecidedBy: idOrNull(w.DecidedBy), PaidAt: w.PaidAt,
		PayoutTo: w.PayoutTo}
}

func (s *Server) requestWithdrawal(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	switch {
	case actor.Anonymous():
		return errs.E(errs.Unauthorized, "", "sign in first")
	case !actor.IsOperator() && (actor.DistributorID == 0 || actor.APIKeyID != 0):
		return errs.E(errs.Forbidden, "", "only a distributor may withdraw from its wallet")
	}
	var req struct {
		Amount        *string `json:"amount"`
		DistributorID *int64  `json:"distributor_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
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
	d := actor.DistributorID
	if req.DistributorID != nil {
		if d = *req.DistributorID; d <= 0 {
			return errs.Invalidf("distributor_id", "must be a positive id")
		}
	}
	wd, err := s.db.RequestWithdrawal(r.Context(), actor, d, amount, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, withdrawalOut(*wd))
	return nil
}

func parseWithdrawalStatus(v string) (wallet.Status, error) {
	switch st := wallet.Status(v); st {
	case "", wallet.Requested, wallet.Approved, wallet.Paid, wallet.Rejected:
		return st, nil
	}
	return "", errs.Invalidf("status", "must be one of requested, approved, paid, rejected")
}

func (s *Server) listWithdrawals(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.WithdrawalFilter{After: after, Limit: limit + 1}
	if f.Status, err = parseWithdrawalStatus(r.URL.Query().Get("status")); err != nil {
		return err
	}
	if f.DistributorID, err = queryInt(r, "distributor_id", 0, 1, 1<<62); err != nil {
		return err
	}
	if f.BatchID, err = queryInt(r, "batch_id", 0, 1, 1<<62); err != nil {
		return err
	}
	list, err := s.db.Withdrawals(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(netMap(list, withdrawalOut), limit, func(w withdrawalResource) int64 { return w.ID }))
	return nil
}

func (s *Server) getWithdrawal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wd, err := s.db.Withdrawal(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withdrawalOut(*wd))
	return nil
}

func (s *Server) approveWithdrawal(w http.ResponseWriter, r *http.Request) error {
	return s.decideWithdrawal(w, r, "payout_ref", s.db.ApproveWithdrawal)
}

func (s *Server) rejectWithdrawal(w http.ResponseWriter, r *http.Request) error {
	return s.decideWithdrawal(w, r, "reason", s.db.RejectWithdrawal)
}

// decideWithdrawal serves the operator's decisions: a body of one text
// field (the payout reference, or the reason), which the store checks.
func (s *Server) decideWithdrawal(w http.ResponseWriter, r *http.Request, field string,
	decide func(ctx context.Context, actor account.Actor, id int64, text string) (*wallet.Withdrawal, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req map[string]json.RawMessage
	if err := decode(w, r, &req); err != nil {
		return err
	}
	for k := range req {
		if k != field {
			return errs.Invalidf(k, "is not a known field")
		}
	}
	var text string
	if raw, ok := req[field]; ok && json.Unmarshal(raw, &text) != nil {
		return errs.Invalidf(field, "must be a string")
	}
	wd, err := decide(r.Context(), actorOf(r), id, text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, withdrawalOut(*wd))
	return nil
}

// payoutBatchResource is a payout batch with its withdrawals and, per
// currency, how many there are and the net total the bank must pay.
type payoutBatchResource struct {
	ID          int64                `json:"id"`
	Status      string               `json:"status"`
	CreatedBy   int64                `json:"created_by"`
	CreatedAt   time.Time            `json:"created_at"`
	PaidAt      *time.Time           `json:"paid_at"`
	PaidBy      *int64               `json:"paid_by"`
	PayoutRef   *string              `json:"payout_ref"`
	Totals      []payoutTotal        `json:"totals"`
	Withdrawals []withdrawalResource `json:"withdrawals"`
}

type payoutTotal struct {
	Currency string `json:"currency"`
	Count    int    `json:"count"`
	Net      string `json:"net"`
}

func payoutBatchOut(b *store.PayoutBatch, ws []wallet.Withdrawal) payoutBatchResource {
	out := payoutBatchResource{ID: b.ID, Status: string(b.Status), CreatedBy: b.CreatedBy, CreatedAt: b.CreatedAt,
		PaidAt: b.PaidAt, PaidBy: idOrNull(b.PaidBy), PayoutRef: stringOrNull(b.PayoutRef),
		Totals: []payoutTotal{}, Withdrawals: netMap(ws, withdrawalOut)}
	nets := map[string]money.Amount{}
	counts := map[string]int{}
	for _, w := range ws {
		if counts[w.Currency] == 0 {
			out.Totals = append(out.Totals, payoutTotal{Currency: w.Currency})
		}
		counts[w.Currency]++
		nets[w.Currency] += w.Payable() // the net less any tax withheld: what the bank pays
	}
	for i, t := range out.Totals {
		out.Totals[i].Count, out.Totals[i].Net = counts[t.Currency], money.CurrencyOf(t.Currency).Format(nets[t.Currency])
	}
	return out
}

func (s *Server) createPayoutBatch(w http.ResponseWriter, r *http.Request) error {
	// No body is needed; one sent must be an empty JSON object.
	if r.ContentLength != 0 {
		if err := decode(w, r, &struct{}{}); err != nil {
			return err
		}
	}
	b, ws, err := s.db.CreatePayoutBatch(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, payoutBatchOut(b, ws))
	return nil
}

func (s *Server) getPayoutBatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, ws, err := s.db.PayoutBatch(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, payoutBatchOut(b, ws))
	return nil
}

func (s *Server) exportPayoutBatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	q := r.URL.Query()
	name := fmt.Sprintf("sharemall-payout-batch-%d.csv", id)
	if q.Get("format") != "" { // a transfer file with the payout details (payouts.go)
		o := store.PayoutExportOptions{Format: q.Get("format"), PayerAccount: q.Get("payer_account"), PayerName: q.Get("payer_name")}
		if err := s.db.PayoutBatchExport(r.Context(), actorOf(r), id, o, &buf); err != nil {
			return err
		}
		name = fmt.Sprintf("sharemall-payout-batch-%d-%s.csv", id, o.Format)
	} else if err := s.db.PayoutBatchCSV(r.Context(), actorOf(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

func (s *Server) markPayoutBatchPaid(w http.ResponseWriter, r *http.Request) error {
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
	b, ws, err := s.db.MarkBatchPaid(r.Context(), actorOf(r), id, req.PayoutRef)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, payoutBatchOut(b, ws))
	return nil
}
