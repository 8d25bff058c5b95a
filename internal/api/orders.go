package api

import (
	"net/http"
	"time"

	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
)

// routesOrders registers checkout, orders, payments with the sandbox
// provider's hosted page, and regional agents.
func (s *Server) routesOrders() {
	s.handle("POST /api/v1/orders", s.checkout)
	s.handle("GET /api/v1/orders", s.listOrders, "after", "limit", "status")
	s.handle("GET /api/v1/orders/{id}", s.getOrder)
	s.handle("POST /api/v1/orders/{id}/pay", s.payOrder)
	s.handle("POST /api/v1/orders/{id}/cancel", s.cancelOrder)
	s.handle("POST /api/v1/payments/sandbox/callback", s.sandboxCallback)
	s.handle("POST /api/v1/payments/notify/{provider}", s.notify)
	s.handle("GET /api/v1/payment-methods", s.paymentMethods)
	s.handle("GET /api/v1/orders/{id}/payments", s.orderPayments)
	s.handle("GET /sandbox/pay/{ref}", s.sandboxPage)
	s.handle("POST /sandbox/pay/{ref}", s.sandboxPay)
	s.handle("PUT /api/v1/regions/{code}/agent", s.grantArea)
	s.handle("DELETE /api/v1/regions/{code}/agent", s.revokeArea)
	s.handle("GET /api/v1/agents", s.listAgents)
}

type checkoutRequest struct {
	Items []struct {
		SKUID    int64 `json:"sku_id"`
		Quantity int64 `json:"quantity"`
	} `json:"items"`
	CouponCode string       `json:"coupon_code"`
	ShipTo     order.ShipTo `json:"ship_to"`
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request) error {
	var req checkoutRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	in := order.CheckoutInput{CouponCode: req.CouponCode, ShipTo: req.ShipTo}
	for _, it := range req.Items {
		in.Items = append(in.Items, order.Item{SKUID: it.SKUID, Quantity: it.Quantity})
	}
	o, err := s.db.Checkout(r.Context(), actorOf(r), in, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, orderJSON(o))
	return nil
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.db.Order(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, orderJSON(o))
	return nil
}

// cancelOrder is the customer calling off its unpaid order.
func (s *Server) cancelOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.db.CancelOrder(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, orderJSON(o))
	return nil
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := order.Filter{After: after, Limit: limit, Status: order.Status(r.URL.Query().Get("status"))}
	switch f.Status {
	case "", order.Unpaid, order.Paid, order.Cancelled, order.Completed:
	default:
		return errs.Invalidf("status", "must be unpaid, paid, cancelled or completed")
	}
	os, err := s.db.Orders(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	out := make([]orderResponse, len(os))
	for i := range os {
		out[i] = orderJSON(&os[i])
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(o orderResponse) int64 { return o.ID }))
	return nil
}

type shipToResponse struct {
	RegionCode string `json:"region_code"`
	Name       string `json:"name,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Address    string `json:"address,omitempty"`
}

type orderResponse struct {
	ID                int64                `json:"id"`
	CustomerAccountID int64                `json:"customer_account_id"`
	SellerID          int64                `json:"seller_id,omitempty"`
	Status            order.Status         `json:"status"`
	Currency          string               `json:"currency"`
	GoodsTotal        string               `json:"goods_total"`
	Discount          string               `json:"discount"`
	Shipping          string               `json:"shipping"`
	Total             string               `json:"total"`
	ShipTo            shipToResponse       `json:"ship_to"`
	AddressHidden     bool                 `json:"address_hidden"`
	Attribution       order.Attribution    `json:"attribution"`
	SettingsVersion   int64                `json:"settings_version"`
	CreatedAt         time.Time            `json:"created_at"`
	PayBy             time.Time            `json:"pay_by"`
	PaidAt            *time.Time           `json:"paid_at,omitempty"`
	CancelledAt       *time.Time           `json:"cancelled_at,omitempty"`
	Lines             []lineResponse       `json:"lines"`
	Fulfilments       []fulfilmentResponse `json:"fulfilments"`
}

type lineResponse struct {
	ID           int64            `json:"id"`
	FulfilmentID int64            `json:"fulfilment_id"`
	SKUID        int64            `json:"sku_id"`
	ProductID    int64            `json:"product_id"`
	SupplierID   int64            `json:"supplier_id"`
	WarehouseID  int64            `json:"warehouse_id"`
	Title        string           `json:"title"`
	Quantity     int64            `json:"quantity"`
	UnitRetail   string           `json:"unit_retail"`
	UnitPrice    string           `json:"unit_price"`
	Discount     string           `json:"discount"`
	Base         string           `json:"base"`
	Markup       string           `json:"markup"`
	Snapshot     snapshotResponse `json:"snapshot"`
}

type tierRuleResponse struct {
	Kind    string     `json:"kind"`
	RateBP  money.Rate `json:"rate_bp"`
	PerUnit string     `json:"per_unit,omitempty"`
	Source  string     `json:"source,omitempty"` // absent on snapshots from before per-tier rules
}

type snapshotResponse struct {
	SellerID       int64              `json:"seller_id,omitempty"`
	Upline         []int64            `json:"upline"`
	Rules          []tierRuleResponse `json:"rules"`
	PlatformRateBP money.Rate         `json:"platform_rate_bp"`
	Agent          *commission.Agent  `json:"agent,omitempty"`
	CapBP          money.Rate         `json:"cap_bp"`
	PlatformInCap  bool               `json:"platform_in_cap"`
	// Campaign: the campaign the line was placed under (docs/campaigns.md).
	Campaign *commission.CampaignRef `json:"campaign,omitempty"`
}

type fulfilmentResponse struct {
	ID             int64                  `json:"id"`
	SupplierID     int64                  `json:"supplier_id"`
	WarehouseID    int64                  `json:"warehouse_id"`
	Status         order.FulfilmentStatus `json:"status"`
	Carrier        string                 `json:"carrier"`
	TrackingNumber string                 `json:"tracking_number"`
	ShippingFee    string                 `json:"shipping_fee"`
	ReleasedAt     *time.Time             `json:"released_at,omitempty"`
	ShippedAt      *time.Time             `json:"shipped_at,omitempty"`
	ReceivedAt     *time.Time             `json:"received_at,omitempty"`
}

func orderJSON(o *order.Order) orderResponse {
	c := money.CurrencyOf(o.Currency)
	out := orderResponse{ID: o.ID, CustomerAccountID: o.CustomerAccountID, SellerID: o.SellerID, Status: o.Status,
		Currency: o.Currency, GoodsTotal: c.Format(o.GoodsTotal), Discount: c.Format(o.Discount), Shipping: c.Format(o.Shipping), Total: c.Format(o.Total),
		ShipTo:        shipToResponse{RegionCode: o.ShipTo.RegionCode, Name: o.ShipTo.Name, Phone: o.ShipTo.Phone, Address: o.ShipTo.Address},
		AddressHidden: o.AddressHidden, Attribution: o.Attribution, SettingsVersion: o.SettingsVersion,
		CreatedAt: o.CreatedAt, PayBy: o.PayBy, PaidAt: o.PaidAt, CancelledAt: o.CancelledAt,
		Lines: []lineResponse{}, Fulfilments: []fulfilmentResponse{}}
	for _, l := range o.Lines {
		snap := snapshotResponse{SellerID: l.Snapshot.SellerID, Upline: l.Snapshot.Upline, PlatformRateBP: l.Snapshot.PlatformRate,
			Agent: l.Snapshot.Agent, CapBP: l.Snapshot.Cap, PlatformInCap: l.Snapshot.PlatformInCap, Rules: []tierRuleResponse{},
			Campaign: l.Snapshot.Campaign}
		if snap.Upline == nil {
			snap.Upline = []int64{}
		}
		for _, r := range l.Snapshot.Rules {
			tr := tierRuleResponse{Kind: string(r.Kind), RateBP: r.Rate, Source: string(r.Source)}
			if r.PerUnit != 0 {
				tr.PerUnit = c.Format(r.PerUnit)
			}
			snap.Rules = append(snap.Rules, tr)
		}
		out.Lines = append(out.Lines, lineResponse{ID: l.ID, FulfilmentID: l.FulfilmentID, SKUID: l.SKUID, ProductID: l.ProductID,
			SupplierID: l.SupplierID, WarehouseID: l.WarehouseID, Title: l.Title, Quantity: l.Quantity,
			UnitRetail: c.Format(l.UnitRetail), UnitPrice: c.Format(l.UnitPrice), Discount: c.Format(l.Discount),
			Base: c.Format(l.Base), Markup: c.Format(l.Markup), Snapshot: snap})
	}
	for _, f := range o.Fulfilments {
		out.Fulfilments = append(out.Fulfilments, fulfilmentResponse{ID: f.ID, SupplierID: f.SupplierID, WarehouseID: f.WarehouseID,
			Status: f.Status, Carrier: f.Carrier, TrackingNumber: f.TrackingNumber, ShippingFee: c.Format(f.ShippingFee), ReleasedAt: f.ReleasedAt,
			ShippedAt: f.ShippedAt, ReceivedAt: f.ReceivedAt})
	}
	return out
}
