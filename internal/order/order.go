// Package order holds the order's domain types and the pure decisions of
// checkout: which warehouse ships a line, which regional agent an address
// pays, and which distributor an order is attributed to. No database here.
package order

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/shipping"
)

// Limits on one checkout, so a cart can never overflow an amount.
const (
	MaxItems    = 50
	MaxQuantity = 10000
)

// Status is where an order is in its life.
type Status string

const (
	Unpaid    Status = "unpaid"
	Paid      Status = "paid"
	Cancelled Status = "cancelled"
	Completed Status = "completed"
)

// FulfilmentStatus is where one warehouse's part of an order is.
type FulfilmentStatus string

const (
	FulfilmentPending   FulfilmentStatus = "pending"  // waiting for payment
	FulfilmentReleased  FulfilmentStatus = "released" // paid: the supplier may ship it
	FulfilmentShipped   FulfilmentStatus = "shipped"
	FulfilmentReceived  FulfilmentStatus = "received"
	FulfilmentCancelled FulfilmentStatus = "cancelled"
)

// Item is one cart entry.
type Item struct {
	SKUID    int64 `json:"sku_id"`
	Quantity int64 `json:"quantity"`
}

// ShipTo is the shipping address.
type ShipTo struct {
	RegionCode string `json:"region_code"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Address    string `json:"address"`
}

// CheckoutInput is what a customer sends to check out.
type CheckoutInput struct {
	Items      []Item `json:"items"`
	CouponCode string `json:"coupon_code"`
	ShipTo     ShipTo `json:"ship_to"`
}

// Normalize trims and checks the input; errors name the JSON field.
func (in *CheckoutInput) Normalize() error {
	if len(in.Items) == 0 {
		return errs.Invalidf("items", "must list at least one item")
	}
	if len(in.Items) > MaxItems {
		return errs.Invalidf("items", "must list at most %d items", MaxItems)
	}
	seen := map[int64]int{}
	for i, it := range in.Items {
		if it.SKUID <= 0 {
			return errs.Invalidf(fmt.Sprintf("items[%d].sku_id", i), "must be a positive id")
		}
		if it.Quantity < 1 || it.Quantity > MaxQuantity {
			return errs.Invalidf(fmt.Sprintf("items[%d].quantity", i), "must be from 1 to %d", MaxQuantity)
		}
		if j, dup := seen[it.SKUID]; dup {
			return errs.Invalidf(fmt.Sprintf("items[%d].sku_id", i), "repeats items[%d]; add the quantities instead", j)
		}
		seen[it.SKUID] = i
	}
	in.CouponCode = strings.ToUpper(strings.TrimSpace(in.CouponCode)) // codes are case-insensitive
	if len(in.CouponCode) > 64 {
		return errs.Invalidf("coupon_code", "must be at most 64 characters")
	}
	code, err := catalog.ParseRegionCode("ship_to.region_code", strings.TrimSpace(in.ShipTo.RegionCode))
	if err != nil {
		return err
	}
	in.ShipTo.RegionCode = code
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"ship_to.name", &in.ShipTo.Name, 100}, {"ship_to.phone", &in.ShipTo.Phone, 32}, {"ship_to.address", &in.ShipTo.Address, 500}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			return errs.Invalidf(f.name, "is required")
		}
		if utf8.RuneCountInString(*f.v) > f.max {
			return errs.Invalidf(f.name, "must be at most %d characters", f.max)
		}
	}
	return nil
}

// Hash is the fingerprint of a normalized input, for the Idempotency-Key:
// the same cart, coupon and address give the same hash.
func (in CheckoutInput) Hash() string {
	b, _ := json.Marshal(in) // fixed struct order: canonical
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Order is what a customer pays for in one checkout.
type Order struct {
	ID                int64
	CustomerAccountID int64
	SellerID          int64 // 0: no distributor is attributed
	Attribution       Attribution
	CouponID          int64
	Currency          string
	GoodsTotal        money.Amount // what the lines cost before the discount
	Discount          money.Amount
	Shipping          money.Amount // the parcels' shipping fees (docs/shipping.md)
	Total             money.Amount // what the customer pays: GoodsTotal − Discount + Shipping
	ShipTo            ShipTo
	// AddressHidden is set when the caller (the seller) may not see the address.
	AddressHidden   bool
	SettingsVersion int64
	Status          Status
	CreatedAt       time.Time
	PayBy           time.Time
	PaidAt          *time.Time
	CancelledAt     *time.Time
	Lines           []Line
	Fulfilments     []Fulfilment
}

// Line is one SKU of an order, with the commission snapshot taken at checkout.
type Line struct {
	ID           int64
	FulfilmentID int64
	SKUID        int64
	ProductID    int64
	SupplierID   int64
	WarehouseID  int64
	Title        string
	Quantity     int64
	UnitRetail   money.Amount
	UnitPrice    money.Amount
	Discount     money.Amount // the order discount allocated to this line
	Base         money.Amount // UnitRetail × Quantity − Discount: the commission base
	Markup       money.Amount // (UnitPrice − UnitRetail) × Quantity: the seller's alone
	Snapshot     commission.Snapshot
}

// Paid is what the customer pays for the line.
func (l Line) Paid() money.Amount { return l.Base + l.Markup }

// Fulfilment is the part of an order one warehouse ships.
type Fulfilment struct {
	ID             int64
	OrderID        int64
	SupplierID     int64
	WarehouseID    int64
	Status         FulfilmentStatus
	Carrier        string
	TrackingNumber string
	ShippingFee    money.Amount  // charged at checkout, for the parcel
	ShippingBasis  *shipping.Fee // how the fee was reached, as checkout snapshot it
	ReleasedAt     *time.Time
	ShippedAt      *time.Time
	ReceivedAt     *time.Time
}

// Filter selects orders for a list.
type Filter struct {
	Status Status // "" for every status
	After  int64
	Limit  int
}
