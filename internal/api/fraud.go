package api

import (
	"net/http"
	"time"

	"sharemall/internal/fraud"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// routesFraud registers the fraud review queue (operators; docs/fraud.md).
func (s *Server) routesFraud() {
	s.handle("GET /api/v1/fraud-signals", s.fraudSignals, "after", "limit", "status", "distributor_id")
	s.handle("POST /api/v1/fraud-signals/{id}/review", s.reviewFraudSignal)
}

type fraudSignalJSON struct {
	ID            int64          `json:"id"`
	Kind          fraud.Kind     `json:"kind"`
	DistributorID int64          `json:"distributor_id"`
	EvidenceKey   string         `json:"evidence_key"`
	Evidence      fraud.Evidence `json:"evidence"`
	Holds         bool           `json:"holds"`
	Status        fraud.Status   `json:"status"`
	DetectedAt    time.Time      `json:"detected_at"`
	ReviewedAt    *time.Time     `json:"reviewed_at,omitempty"`
	ReviewedBy    int64          `json:"reviewed_by,omitempty"`
	ReviewReason  string         `json:"review_reason,omitempty"`
}

func toFraudSignalJSON(f store.FraudSignal) fraudSignalJSON {
	return fraudSignalJSON{ID: f.ID, Kind: f.Kind, DistributorID: f.DistributorID, EvidenceKey: f.EvidenceKey, Evidence: f.Evidence,
		Holds: f.Holds, Status: f.Status, DetectedAt: f.DetectedAt, ReviewedAt: f.ReviewedAt, ReviewedBy: f.ReviewedBy, ReviewReason: f.ReviewReason}
}

// fraudSignals pages the signals in id order (operators).
func (s *Server) fraudSignals(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	d, err := queryInt(r, "distributor_id", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	list, err := s.db.FraudSignals(r.Context(), actorOf(r), store.FraudFilter{Status: fraud.Status(r.URL.Query().Get("status")),
		DistributorID: d, AfterID: after, OldestFirst: true, Limit: limit + 1})
	if err != nil {
		return err
	}
	out := make([]fraudSignalJSON, len(list))
	for i, f := range list {
		out[i] = toFraudSignalJSON(f)
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(f fraudSignalJSON) int64 { return f.ID }))
	return nil
}

type fraudReviewJSON struct {
	Decision fraud.Status `json:"decision"`
	Reason   string       `json:"reason"`
}

type fraudReviewedJSON struct {
	Signal fraudSignalJSON `json:"signal"`
	Hold   holdJSON        `json:"hold"`
}

type holdJSON struct {
	Held    bool   `json:"held"`
	Pending string `json:"pending"` // commission held back, in major units
}

// reviewFraudSignal dismisses (with a reason) or confirms a signal, and
// answers with the distributor's hold after it.
func (s *Server) reviewFraudSignal(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req fraudReviewJSON
	if err := decode(w, r, &req); err != nil {
		return err
	}
	sig, err := s.db.ReviewFraudSignal(r.Context(), actorOf(r), id, req.Decision, req.Reason)
	if err != nil {
		return err
	}
	h, err := s.db.SettlementHoldOf(r.Context(), actorOf(r), sig.DistributorID)
	if err != nil {
		return err
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fraudReviewedJSON{toFraudSignalJSON(*sig), holdJSON{h.Held, st.Currency().Format(money.Amount(h.Pending))}})
	return nil
}
