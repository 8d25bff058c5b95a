package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
)

// opsBatchPaid records the bank's reference for a payout batch it paid:
// every withdrawal in it is paid (the API's POST
// /payout-batches/{id}/paid). A refusal shows the batch again with the
// reference typed and the error by its field.
func (s *Server) opsBatchPaid(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "withdrawals", "ops.batch.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("body", "is not a form")
	}
	if _, _, err := s.db.MarkBatchPaid(r.Context(), p.Actor, id, r.PostForm.Get("payout_ref")); err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form.Set("payout_ref", r.PostForm.Get("payout_ref"))
		return s.renderOpsBatch(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/ops/payout-batches/"+strconv.FormatInt(id, 10))
}
