package web

import (
	"math"
	"net/http"
	"strconv"

	"sharemall/internal/store"
	"sharemall/internal/wallet"
)

// opsWithdrawalsData is the withdrawal queue: requests to decide, and the
// approved ones waiting for a payout batch.
type opsWithdrawalsData struct {
	Requested, Approved []wallet.Withdrawal
	More                bool
	Failed              int64
}

func (s *Server) opsWithdrawals(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "withdrawals", "ops.withdrawals.title")
	if err != nil {
		return err
	}
	if r.URL.Query().Has("done") {
		p.Notice = p.T("ops.notice.decided")
	}
	return s.renderOpsWithdrawals(w, r, p, 0, http.StatusOK)
}

func (s *Server) renderOpsWithdrawals(w http.ResponseWriter, r *http.Request, p *Page, failed int64, status int) error {
	ctx := r.Context()
	req, err := s.db.Withdrawals(ctx, p.Actor, store.WithdrawalFilter{Status: wallet.Requested, Limit: opsCap + 1})
	if err != nil {
		return err
	}
	// Approved and not yet in a batch: what "create a payout batch" takes.
	var waiting []wallet.Withdrawal
	for page := int64(math.MaxInt64); len(waiting) < opsCap; {
		ws, err := s.db.Withdrawals(ctx, p.Actor, store.WithdrawalFilter{Status: wallet.Approved, Before: page, Limit: opsCap})
		if err != nil {
			return err
		}
		for _, x := range ws {
			if x.BatchID == 0 {
				waiting = append(waiting, x)
			}
		}
		if len(ws) < opsCap {
			break
		}
		page = ws[len(ws)-1].ID
	}
	listed := failed == 0
	for _, x := range req[:min(len(req), opsCap)] {
		listed = listed || x.ID == failed
	}
	rowErrorsOnTop(p, listed)
	p.Data = &opsWithdrawalsData{Requested: req[:min(len(req), opsCap)], More: len(req) > opsCap, Approved: waiting, Failed: failed}
	s.render(w, r, status, "ops_withdrawals", p)
	return nil
}

// opsWithdrawalApprove approves a request: with a payout reference it is
// paid at once (the money went out by other means), without one it waits
// for a payout batch.
func (s *Server) opsWithdrawalApprove(w http.ResponseWriter, r *http.Request) error {
	return s.opsWithdrawalDecide(w, r, func(p *Page, id int64) error {
		_, err := s.db.ApproveWithdrawal(r.Context(), p.Actor, id, r.PostForm.Get("payout_ref"))
		return err
	})
}

// opsWithdrawalReject rejects a request with its reason; the hold is released.
func (s *Server) opsWithdrawalReject(w http.ResponseWriter, r *http.Request) error {
	return s.opsWithdrawalDecide(w, r, func(p *Page, id int64) error {
		_, err := s.db.RejectWithdrawal(r.Context(), p.Actor, id, r.PostForm.Get("reason"))
		return err
	})
}

func (s *Server) opsWithdrawalDecide(w http.ResponseWriter, r *http.Request, decide func(*Page, int64) error) error {
	p, err := s.opsPage(r, "withdrawals", "ops.withdrawals.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	if err := decide(p, id); err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsWithdrawals(w, r, p, id, statusOf(err))
	}
	return seeOther(w, r, "/ops/withdrawals?done="+strconv.FormatInt(id, 10))
}
