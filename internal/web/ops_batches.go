package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// opsBatchCreate puts every approved withdrawal not yet in a batch into a
// new payout batch (none waiting is a Conflict, shown on the queue).
func (s *Server) opsBatchCreate(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "withdrawals", "ops.withdrawals.title")
	if err != nil {
		return err
	}
	b, _, err := s.db.CreatePayoutBatch(r.Context(), p.Actor)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderOpsWithdrawals(w, r, p, 0, statusOf(err))
	}
	return seeOther(w, r, "/ops/payout-batches/"+strconv.FormatInt(b.ID, 10))
}

// opsBatchData is one payout batch with its withdrawals.
type opsBatchData struct {
	Batch       *store.PayoutBatch
	Withdrawals []wallet.Withdrawal
}

func (s *Server) opsBatch(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "withdrawals", "ops.batch.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderOpsBatch(w, r, p, id, http.StatusOK)
}

// renderOpsBatch shows payout batch id: its page, or the page again after
// a refused action.
func (s *Server) renderOpsBatch(w http.ResponseWriter, r *http.Request, p *Page, id int64, status int) error {
	b, ws, err := s.db.PayoutBatch(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	p.Back = "/ops/withdrawals"
	p.Title = p.T("ops.batch.heading", b.ID)
	p.Data = &opsBatchData{Batch: b, Withdrawals: ws}
	s.render(w, r, status, "ops_batch", p)
	return nil
}

// opsBatchExport downloads the batch's bank file (the API's export).
func (s *Server) opsBatchExport(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "withdrawals", "ops.batch.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer // written whole first, so a failure is an error page, not half a file
	// With a format: a transfer file with the payout details (docs/payouts.md).
	if f := r.URL.Query().Get("format"); f != "" {
		q := r.URL.Query()
		o := store.PayoutExportOptions{Format: f, PayerAccount: q.Get("payer_account"), PayerName: q.Get("payer_name")}
		if err := s.db.PayoutBatchExport(r.Context(), p.Actor, id, o, &buf); err != nil {
			return err
		}
		csvDownload(w, fmt.Sprintf("sharemall-payout-%d-%s.csv", id, f), buf.Bytes())
		return nil
	}
	if err := s.db.PayoutBatchCSV(r.Context(), p.Actor, id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sharemall-payout-%d.csv"`, id))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}
