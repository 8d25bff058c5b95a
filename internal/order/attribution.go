package order

// Source is what attributed an order to its seller.
type Source string

const (
	FromCoupon  Source = "coupon"
	FromBinding Source = "binding"
	FromNone    Source = "none"
	// FromOwnPurchase: the program pays commission on a distributor's own
	// purchases (自购返佣) and the buyer is an active distributor.
	FromOwnPurchase Source = "own_purchase"
)

// Attribution explains who sold an order and why; it is stored with the order.
type Attribution struct {
	Source        Source `json:"source"`
	DistributorID int64  `json:"distributor_id,omitempty"`
	VisitID       int64  `json:"visit_id,omitempty"`
	CouponCode    string `json:"coupon_code,omitempty"`
	Reason        string `json:"reason"`
}

// Touch is a distributor's claim on an order: a coupon entered or a binding.
type Touch struct {
	DistributorID int64
	Active        bool // the distributor may sell now
	VisitID       int64
	CouponCode    string
}

// AttributionInput is everything the decision needs.
type AttributionInput struct {
	CustomerDistributorID int64  // the buyer's own distributor id, 0 when it is not one
	Coupon                *Touch // the coupon entered at checkout, if any
	Binding               *Touch // the customer's binding, if any
	// OwnPurchase is the program setting own_purchase_commission, and
	// CustomerActive whether the buyer's distributor may sell now: both true
	// make the buyer the seller of its own order, before any coupon or binding.
	OwnPurchase    bool
	CustomerActive bool
}

// Attribute decides the seller: a coupon entered at checkout beats the
// binding (it is the latest, deliberate touch); neither gives no seller. A
// distributor buying is never its own seller (unless the program pays
// commission on own purchases: then it is, before anything else), and an
// inactive distributor sells nothing.
func Attribute(in AttributionInput) Attribution {
	if in.OwnPurchase && in.CustomerDistributorID != 0 && in.CustomerActive {
		return Attribution{Source: FromOwnPurchase, DistributorID: in.CustomerDistributorID,
			Reason: "the program pays commission on own purchases: the buyer is a distributor and sells its own order (tier 1), its upline the tiers above"}
	}
	why := ""
	for _, t := range []struct {
		src   Source
		touch *Touch
	}{{FromCoupon, in.Coupon}, {FromBinding, in.Binding}} {
		switch {
		case t.touch == nil:
			continue
		case t.touch.DistributorID == in.CustomerDistributorID:
			why += string(t.src) + " ignored: the buyer is that distributor; "
			continue
		case !t.touch.Active:
			why += string(t.src) + " ignored: its distributor is not active; "
			continue
		}
		a := Attribution{Source: t.src, DistributorID: t.touch.DistributorID, VisitID: t.touch.VisitID, CouponCode: t.touch.CouponCode}
		if t.src == FromCoupon {
			a.Reason = why + "the coupon entered at checkout attributes the order to its distributor and beats any binding"
		} else {
			a.Reason = why + "no coupon was entered; the customer's binding attributes the order"
		}
		return a
	}
	return Attribution{Source: FromNone, Reason: why + "no coupon and no binding: the order has no seller"}
}
