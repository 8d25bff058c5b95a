package api

import (
	"net/http"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// routesFulfilment registers shipping, receipt, tracking and after-sale cases.
func (s *Server) routesFulfilment() {
	s.handle("GET /api/v1/fulfilment-orders", s.listFulfilment, "after", "limit", "status")
	s.handle("POST /api/v1/fulfilment-orders/{id}/ship", s.shipFulfilment)
	s.handle("POST /api/v1/fulfilment-orders/{id}/receive", s.receiveFulfilment)
	s.handle("GET /api/v1/orders/{id}/tracking", s.orderTracking)
	s.routesAfterSale() // aftersale.go
}

type shipToResource struct {
	RegionCode string `json:"region_code"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
}

type fulfilmentLineResource struct {
	OrderLineID int64  `json:"order_line_id"`
	SKUID       int64  `json:"sku_id"`
	ProductID   int64  `json:"product_id"`
	Title       string `json:"title"`
	Quantity    int64  `json:"quantity"`
	Refunded    int64  `json:"refunded"`
}

// fulfilmentResource is a fulfilment order on the wire.
type fulfilmentResource struct {
	ID             int64                    `json:"id"`
	OrderID        int64                    `json:"order_id"`
	SupplierID     int64                    `json:"supplier_id"`
	WarehouseID    int64                    `json:"warehouse_id"`
	Status         string                   `json:"status"`
	Carrier        *string                  `json:"carrier"`
	TrackingNumber *string                  `json:"tracking_number"`
	ReleasedAt     *time.Time               `json:"released_at"`
	ShippedAt      *time.Time               `json:"shipped_at"`
	ReceivedAt     *time.Time               `json:"received_at"`
	ShipTo         shipToResource           `json:"ship_to"`
	Lines          []fulfilmentLineResource `json:"lines"`
}

func fulfilmentOut(f store.FulfilmentOrder) fulfilmentResource {
	out := fulfilmentResource{ID: f.ID, OrderID: f.OrderID, SupplierID: f.SupplierID, WarehouseID: f.WarehouseID,
		Status: string(f.Status), Carrier: stringOrNull(f.Carrier), TrackingNumber: stringOrNull(f.TrackingNumber),
		ReleasedAt: f.ReleasedAt, ShippedAt: f.ShippedAt, ReceivedAt: f.ReceivedAt,
		ShipTo: shipToResource{RegionCode: f.Ship.RegionCode, Name: f.Ship.Name, Phone: f.Ship.Phone, Address: f.Ship.Address},
		Lines:  []fulfilmentLineResource{}}
	for _, l := range f.Lines {
		out.Lines = append(out.Lines, fulfilmentLineResource{OrderLineID: l.ID, SKUID: l.SKUID, ProductID: l.ProductID,
			Title: l.Title, Quantity: l.Quantity, Refunded: l.Refunded})
	}
	return out
}

func fulfilmentsOut(fs []store.FulfilmentOrder) []fulfilmentResource {
	out := make([]fulfilmentResource, 0, len(fs))
	for _, f := range fs {
		out = append(out, fulfilmentOut(f))
	}
	return out
}

func (s *Server) listFulfilment(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := s.db.FulfilmentQueue(r.Context(), actorOf(r), store.FulfilmentFilter{
		Status: store.FulfilmentStatus(r.URL.Query().Get("status")), After: after, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(fulfilmentsOut(list), limit, func(f fulfilmentResource) int64 { return f.ID }))
	return nil
}

// shipmentRequest is a carrier and tracking number, for shipping an order
// or sending a return.
type shipmentRequest struct {
	Carrier        *string `json:"carrier"`
	TrackingNumber *string `json:"tracking_number"`
}

func (req shipmentRequest) check() error {
	switch {
	case req.Carrier == nil:
		return errs.Invalidf("carrier", "is required")
	case req.TrackingNumber == nil:
		return errs.Invalidf("tracking_number", "is required")
	}
	return nil
}

func (s *Server) shipFulfilment(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Supplier, account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req shipmentRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	f, err := s.db.ShipFulfilment(r.Context(), actorOf(r), id, *req.Carrier, *req.TrackingNumber)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fulfilmentOut(*f))
	return nil
}

func (s *Server) receiveFulfilment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.db.ConfirmReceipt(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, fulfilmentOut(*f))
	return nil
}

func (s *Server) orderTracking(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.db.Tracking(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		OrderID int64                `json:"order_id"`
		Parts   []fulfilmentResource `json:"parts"`
	}{id, fulfilmentsOut(list)})
	return nil
}
