package api

import (
	"net/http"
	"time"

	"sharemall/internal/payout"
	"sharemall/internal/store"
)

// routesPayouts registers where distributors and suppliers are paid
// (docs/payouts.md). Reads and writes answer with the masked view only.
func (s *Server) routesPayouts() {
	s.handle("GET /api/v1/distributors/{id}/payout-details", s.payoutDetailsOf(store.PayoutDistributor))
	s.handle("PUT /api/v1/distributors/{id}/payout-details", s.setPayoutDetailsOf(store.PayoutDistributor))
	s.handle("GET /api/v1/suppliers/{id}/payout-details", s.payoutDetailsOf(store.PayoutSupplier))
	s.handle("PUT /api/v1/suppliers/{id}/payout-details", s.setPayoutDetailsOf(store.PayoutSupplier))
}

// payoutDetailsResource is recorded payout details on the wire: masked.
type payoutDetailsResource struct {
	OwnerKind string        `json:"owner_kind"`
	OwnerID   int64         `json:"owner_id"`
	Masked    payout.Masked `json:"masked"`
	UpdatedAt time.Time     `json:"updated_at"`
}

func payoutDetailsOut(v *store.PayoutDetailsView) payoutDetailsResource {
	return payoutDetailsResource{OwnerKind: v.Owner.Kind, OwnerID: v.Owner.ID, Masked: v.Masked, UpdatedAt: v.UpdatedAt}
}

func (s *Server) payoutDetailsOf(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		v, err := s.db.PayoutDetails(r.Context(), actorOf(r), store.PayoutOwner{Kind: kind, ID: id})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, payoutDetailsOut(v))
		return nil
	}
}

func (s *Server) setPayoutDetailsOf(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var d payout.Details
		if err := decode(w, r, &d); err != nil {
			return err
		}
		v, err := s.db.SetPayoutDetails(r.Context(), actorOf(r), store.PayoutOwner{Kind: kind, ID: id}, d)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, payoutDetailsOut(v))
		return nil
	}
}
