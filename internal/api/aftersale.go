package api

import (
	"net/http"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// routesAfterSale registers after-sale cases.
func (s *Server) routesAfterSale() {
	s.handle("POST /api/v1/aftersale-cases", s.openCase)
	s.handle("GET /api/v1/aftersale-cases", s.listCases, "after", "limit", "status", "order_id")
	s.handle("GET /api/v1/aftersale-cases/{id}", s.getCase)
	s.handle("POST /api/v1/aftersale-cases/{id}/decision", s.decideCase)
	s.handle("POST /api/v1/aftersale-cases/{id}/cancel", s.cancelCase)
	s.handle("POST /api/v1/aftersale-cases/{id}/return", s.returnCase)
	s.handle("POST /api/v1/aftersale-cases/{id}/return-received", s.caseReturnReceived)
}

// caseResource is an after-sale case on the wire.
type caseResource struct {
	ID                int64      `json:"id"`
	OrderID           int64      `json:"order_id"`
	OrderLineID       int64      `json:"order_line_id"`
	FulfilmentID      int64      `json:"fulfilment_id"`
	SupplierID        int64      `json:"supplier_id"`
	CustomerAccountID int64      `json:"customer_account_id"`
	Kind              string     `json:"kind"`
	Quantity          int64      `json:"quantity"`
	Currency          string     `json:"currency"`
	Amount            string     `json:"amount"`
	BaseRefund        string     `json:"base_refund"`
	MarkupRefund      string     `json:"markup_refund"`
	Reason            string     `json:"reason"`
	Status            string     `json:"status"`
	DecisionNote      *string    `json:"decision_note"`
	ReturnCarrier     *string    `json:"return_carrier"`
	ReturnTracking    *string    `json:"return_tracking_number"`
	CreatedAt         time.Time  `json:"created_at"`
	DecidedAt         *time.Time `json:"decided_at"`
	ReturnedAt        *time.Time `json:"returned_at"`
	ReturnReceivedAt  *time.Time `json:"return_received_at"`
	RefundedAt        *time.Time `json:"refunded_at"`
	CancelledAt       *time.Time `json:"cancelled_at"`
	RefundRef         *string    `json:"refund_ref"`
}

func caseOut(c store.AfterSaleCase) caseResource {
	cur := money.CurrencyOf(c.Currency)
	return caseResource{ID: c.ID, OrderID: c.OrderID, OrderLineID: c.LineID, FulfilmentID: c.FulfilmentID, SupplierID: c.SupplierID,
		CustomerAccountID: c.CustomerAccountID, Kind: string(c.Kind), Quantity: c.Quantity, Currency: c.Currency,
		Amount: cur.Format(c.Amount), BaseRefund: cur.Format(c.BaseRefund), MarkupRefund: cur.Format(c.MarkupRefund),
		Reason: c.Reason, Status: string(c.Status), DecisionNote: stringOrNull(c.DecisionNote),
		ReturnCarrier: stringOrNull(c.ReturnCarrier), ReturnTracking: stringOrNull(c.ReturnTracking), CreatedAt: c.CreatedAt,
		DecidedAt: c.DecidedAt, ReturnedAt: c.ReturnedAt, ReturnReceivedAt: c.ReturnReceivedAt, RefundedAt: c.RefundedAt,
		CancelledAt: c.CancelledAt, RefundRef: stringOrNull(c.RefundRef)}
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request) error {
	if actorOf(r).Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	var req struct {
		OrderLineID *int64  `json:"order_line_id"`
		Kind        *string `json:"kind"`
		Quantity    *int64  `json:"quantity"`
		Reason      *string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	switch {
	case req.OrderLineID == nil || *req.OrderLineID <= 0:
		return errs.Invalidf("order_line_id", "is required: a positive id")
	case req.Kind == nil:
		return errs.Invalidf("kind", "is required: refund_only or return_refund")
	case req.Quantity == nil:
		return errs.Invalidf("quantity", "is required")
	case req.Reason == nil:
		return errs.Invalidf("reason", "is required")
	}
	c, err := s.db.OpenCase(r.Context(), actorOf(r), *req.OrderLineID, store.CaseKind(*req.Kind), *req.Quantity, *req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, caseOut(*c))
	return nil
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	order, err := queryInt(r, "order_id", 0, 1, 1<<62)
	if err != nil {
		return err
	}
	list, err := s.db.Cases(r.Context(), actorOf(r), store.CaseFilter{
		Status: store.CaseStatus(r.URL.Query().Get("status")), OrderID: order, After: after, Limit: limit})
	if err != nil {
		return err
	}
	out := make([]caseResource, 0, len(list))
	for _, c := range list {
		out = append(out, caseOut(c))
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(c caseResource) int64 { return c.ID }))
	return nil
}

// caseAction runs fn on the case named in the path and writes the result.
func caseAction(w http.ResponseWriter, r *http.Request, fn func(id int64) (*store.AfterSaleCase, error)) error {
	if actorOf(r).Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := fn(id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, caseOut(*c))
	return nil
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request) error {
	return caseAction(w, r, func(id int64) (*store.AfterSaleCase, error) {
		return s.db.AfterSaleCase(r.Context(), actorOf(r), id)
	})
}

func (s *Server) decideCase(w http.ResponseWriter, r *http.Request) error {
	return caseAction(w, r, func(id int64) (*store.AfterSaleCase, error) {
		var req struct {
			Approve *bool  `json:"approve"`
			Note    string `json:"note"`
		}
		if err := decode(w, r, &req); err != nil {
			return nil, err
		}
		if req.Approve == nil {
			return nil, errs.Invalidf("approve", "is required: true to approve, false to reject")
		}
		return s.db.DecideCase(r.Context(), actorOf(r), id, *req.Approve, req.Note, s.Refunders(r))
	})
}

func (s *Server) cancelCase(w http.ResponseWriter, r *http.Request) error {
	return caseAction(w, r, func(id int64) (*store.AfterSaleCase, error) {
		return s.db.CancelCase(r.Context(), actorOf(r), id)
	})
}

func (s *Server) returnCase(w http.ResponseWriter, r *http.Request) error {
	return caseAction(w, r, func(id int64) (*store.AfterSaleCase, error) {
		var req shipmentRequest
		if err := decode(w, r, &req); err != nil {
			return nil, err
		}
		if err := req.check(); err != nil {
			return nil, err
		}
		return s.db.ReturnShipped(r.Context(), actorOf(r), id, *req.Carrier, *req.TrackingNumber)
	})
}

func (s *Server) caseReturnReceived(w http.ResponseWriter, r *http.Request) error {
	return caseAction(w, r, func(id int64) (*store.AfterSaleCase, error) {
		return s.db.ReturnReceived(r.Context(), actorOf(r), id, s.Refunders(r))
	})
}
