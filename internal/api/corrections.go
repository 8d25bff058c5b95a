package api

import (
	"net/http"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// routesCorrections registers the operator's actions on the network and
// its corrections: suspending and reinstating a distributor, moving a
// customer's binding, and manual wallet adjustments.
func (s *Server) routesCorrections() {
	s.handle("POST /api/v1/distributors/{id}/suspend", s.suspendDistributor)
	s.handle("POST /api/v1/distributors/{id}/reinstate", s.reinstateDistributor)
	s.handle("PUT /api/v1/customers/{account_id}/binding", s.moveBinding)
	s.handle("POST /api/v1/distributors/{id}/adjustments", s.adjustWallet)
	s.handle("GET /api/v1/distributors/{id}/adjustments", s.listAdjustments, "after", "limit")
}

func (s *Server) suspendDistributor(w http.ResponseWriter, r *http.Request) error {
	return s.setSuspended(w, r, true)
}

func (s *Server) reinstateDistributor(w http.ResponseWriter, r *http.Request) error {
	return s.setSuspended(w, r, false)
}

func (s *Server) setSuspended(w http.ResponseWriter, r *http.Request, suspend bool) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Reason *string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Reason == nil {
		return errs.Invalidf("reason", "is required: say why")
	}
	set := s.db.ReinstateDistributor
	if suspend {
		set = s.db.SuspendDistributor
	}
	d, err := set(r.Context(), actorOf(r), id, *req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, distributorOut(*d))
	return nil
}

func (s *Server) moveBinding(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "account_id")
	if err != nil {
		return err
	}
	var req struct {
		DistributorID *int64  `json:"distributor_id"`
		Reason        *string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	switch {
	case req.DistributorID == nil:
		return errs.Invalidf("distributor_id", "is required: the distributor the customer now belongs to")
	case req.Reason == nil:
		return errs.Invalidf("reason", "is required: say why the binding is moved")
	}
	b, err := s.db.MoveBinding(r.Context(), actorOf(r), id, *req.DistributorID, *req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, bindingOut(b))
	return nil
}

type adjustmentJSON struct {
	ID            int64     `json:"id"`
	DistributorID int64     `json:"distributor_id"`
	Key           string    `json:"key"`
	Direction     string    `json:"direction"`
	Currency      string    `json:"currency"`
	Amount        string    `json:"amount"`
	ToDebt        string    `json:"to_debt"`
	Reason        string    `json:"reason"`
	JournalKey    string    `json:"journal_key"`
	CreatedBy     int64     `json:"created_by"`
	CreatedAt     time.Time `json:"created_at"`
}

func adjustmentOut(a store.WalletAdjustment) adjustmentJSON {
	return adjustmentJSON{ID: a.ID, DistributorID: a.DistributorID, Key: a.Key, Direction: a.Direction, Currency: a.Currency,
		Amount: formatIn(a.Currency, a.Amount), ToDebt: formatIn(a.Currency, a.ToDebt), Reason: a.Reason,
		JournalKey: a.JournalKey, CreatedBy: a.By, CreatedAt: a.At}
}

func (s *Server) adjustWallet(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Amount    *string `json:"amount"`
		Direction *string `json:"direction"`
		Reason    *string `json:"reason"`
		Key       *string `json:"key"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	switch {
	case req.Amount == nil:
		return errs.Invalidf("amount", "is required, in major units as a string, e.g. \"12.50\"")
	case req.Direction == nil:
		return errs.Invalidf("direction", "is required: credit or debit")
	case req.Reason == nil:
		return errs.Invalidf("reason", "is required: say why the wallet is adjusted")
	case req.Key == nil:
		return errs.Invalidf("key", "is required: a key of your choosing, so that a retry books once")
	}
	settings, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	amount, err := settings.Currency().ParseField("amount", *req.Amount)
	if err != nil {
		return err
	}
	a, created, err := s.db.AdjustWallet(r.Context(), actorOf(r), id,
		store.AdjustmentInput{Amount: amount, Direction: *req.Direction, Reason: *req.Reason, Key: *req.Key})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, adjustmentOut(*a))
	return nil
}

func (s *Server) listAdjustments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := s.db.WalletAdjustments(r.Context(), actorOf(r), id, after, limit+1)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(netMap(list, adjustmentOut), limit, func(a adjustmentJSON) int64 { return a.ID }))
	return nil
}
