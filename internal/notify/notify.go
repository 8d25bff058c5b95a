// Package notify holds the rules of notifications and webhooks: the kinds
// of event a person or an integrator is told about, who is told, how a
// webhook is signed and verified, how long a failed delivery waits before
// its next attempt, and which endpoint URLs are refused. It imports no
// adapter: the store records events and deliveries, the jobs runner sends
// them through a Sender (docs/notifications.md).
package notify

import (
	"slices"
	"strings"
	"time"

	"sharemall/internal/errs"
)

// Kind is a kind of event.
type Kind string

const (
	OrderPaid         Kind = "order.paid"          // to the customer
	OrderShipped      Kind = "order.shipped"       // to the customer; a fulfilment order shipped
	OrderDelivered    Kind = "order.delivered"     // to the customer; a fulfilment order received
	AfterSaleDecided  Kind = "aftersale.decided"   // to the customer; approved or rejected
	CommissionBooked  Kind = "commission.booked"   // to each distributor earning on a paid order
	CommissionSettled Kind = "commission.settled"  // to each distributor earning on a settled line
	CommissionReverse Kind = "commission.reversed" // to each distributor earning on a refunded line
	WithdrawalDecided Kind = "withdrawal.decided"  // to the distributor; approved or rejected
	TeamJoined        Kind = "team.joined"         // to the sponsor of a new distributor
	FulfilmentCreated Kind = "fulfilment.created"  // to the supplier of a paid order's fulfilment order
)

// Kinds lists every kind, in the order the sweep reads them.
var Kinds = []Kind{OrderPaid, FulfilmentCreated, CommissionBooked, OrderShipped, OrderDelivered, AfterSaleDecided,
	CommissionSettled, CommissionReverse, WithdrawalDecided, TeamJoined}

// SupplierKinds are the kinds a supplier's webhook may subscribe to: those
// about its own goods.
var SupplierKinds = []Kind{FulfilmentCreated, OrderShipped, OrderDelivered, AfterSaleDecided}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Notification is one person's notice of an event.
type Notification struct {
	ID      int64          `json:"id"`
	Kind    Kind           `json:"kind"`
	RefID   int64          `json:"ref_id"`
	Amount  int64          `json:"amount,omitempty"` // the person's own amount (a commission), in minor units
	Data    map[string]any `json:"data"`
	At      time.Time      `json:"at"` // when it happened
	ReadAt  *time.Time     `json:"read_at,omitempty"`
	EventID int64          `json:"event_id"`
}

// Page is a page of a person's notifications, newest first.
type Page struct {
	Items  []Notification `json:"items"`
	Unread int            `json:"unread"`
	Next   string         `json:"next,omitempty"` // pass as before= for the next page; "" when none
}

// ParseTypes reads an endpoint's event types: "*" (or empty) for all the
// owner may see, or kinds separated by spaces or commas. A supplier's
// endpoint may name only SupplierKinds.
func ParseTypes(s string, supplier bool) ([]Kind, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "*" {
		return nil, nil
	}
	var out []Kind
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		k := Kind(f)
		switch {
		case !k.Valid():
			return nil, errs.Invalidf("event_types", "%q is not an event type (one of %s, or *)", f, joinKinds(Kinds))
		case supplier && !slices.Contains(SupplierKinds, k):
			return nil, errs.Invalidf("event_types", "a supplier's endpoint may subscribe only to %s, not %q", joinKinds(SupplierKinds), f)
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// JoinTypes is the stored form of ParseTypes' result: "*" for all.
func JoinTypes(kinds []Kind) string {
	if len(kinds) == 0 {
		return "*"
	}
	return joinKinds(kinds)
}

func joinKinds(kinds []Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, " ")
}

// Endpoint is an integrator's webhook endpoint. SupplierID is 0 for the
// program's (the operator's: every event). Secret is set only in the
// answer that made or rotated it.
type Endpoint struct {
	ID         int64     `json:"id"`
	SupplierID int64     `json:"supplier_id,omitempty"`
	URL        string    `json:"url"`
	EventTypes []Kind    `json:"event_types"` // empty: every kind the owner may see
	Active     bool      `json:"active"`
	Secret     string    `json:"secret,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// EndpointInput makes or changes an endpoint.
type EndpointInput struct {
	URL        string `json:"url"`
	EventTypes string `json:"event_types"` // "*" or kinds separated by spaces or commas
	Active     bool   `json:"active"`
}

// Delivery states.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Failed    = "failed"
)

// Delivery is one event sent (or to be sent) to one endpoint.
type Delivery struct {
	ID         int64      `json:"id"`
	EndpointID int64      `json:"endpoint_id"`
	EventID    int64      `json:"event_id"`
	Kind       Kind       `json:"kind"`
	ReplayOf   int64      `json:"replay_of,omitempty"`
	Status     string     `json:"status"`
	Attempts   int64      `json:"attempts"`
	NextAt     time.Time  `json:"next_at"`
	CreatedAt  time.Time  `json:"created_at"`
	EndedAt    *time.Time `json:"ended_at,omitempty"`
	Log        []Attempt  `json:"log,omitempty"`
}

// Attempt is one try of a delivery, as logged.
type Attempt struct {
	Attempt    int64      `json:"attempt"`
	Executor   string     `json:"executor"`
	At         time.Time  `json:"at"`
	StatusCode int        `json:"status_code"`
	LatencyMS  int64      `json:"latency_ms"`
	Error      string     `json:"error,omitempty"`
	Response   string     `json:"response,omitempty"`
	NextAt     *time.Time `json:"next_at,omitempty"` // the retry its failure scheduled
}
