package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/shipping"
	"sharemall/internal/sqldb"
)

// Quote is what checkout would charge for a cart now, and how it would ship.
type Quote struct {
	Currency    string
	SellerID    int64 // the distributor the order would be attributed to, 0 for none
	Attribution order.Attribution
	// CouponCode is the coupon applied, "" for none. CouponError is why the
	// coupon entered does not apply (Invalid on coupon_code), nil when it
	// does or none was entered; the quote is then priced without it, as
	// checkout without the coupon would be.
	CouponCode  string
	CouponError error
	GoodsTotal  money.Amount // the lines before the discount
	Discount    money.Amount
	Shipping    money.Amount // the parcels' shipping fees
	Total       money.Amount // what the customer pays: GoodsTotal − Discount + Shipping
	Lines       []QuoteLine  // in the order of the input's items
	Parcels     []Parcel     // one per warehouse, in the order of their first line
}

// QuoteLine is one item of a quote.
type QuoteLine struct {
	SKUID       int64
	ProductID   int64
	SupplierID  int64
	WarehouseID int64
	Title       string
	Quantity    int64
	UnitRetail  money.Amount
	UnitPrice   money.Amount
	Subtotal    money.Amount // UnitPrice × Quantity
	Discount    money.Amount // the coupon's discount allocated to this line
	Paid        money.Amount // Subtotal − Discount
}

// Parcel is what one warehouse would ship: a fulfilment order once placed.
type Parcel struct {
	WarehouseID   int64
	WarehouseName string
	SupplierID    int64
	SupplierName  string
	Lines         []QuoteLine
	Shipping      shipping.Fee // the parcel's fee and how it is reached
}

// Quote prices in as Checkout would, through the same code (planCheckout,
// route, allocate), and writes nothing: stock is not reserved, the coupon
// not counted, no touch recorded. Errors are Checkout's, except a coupon
// that does not apply (see Quote.CouponError). Another checkout may take
// the stock or the coupon before this customer's does.
func (db *DB) Quote(ctx context.Context, actor account.Actor, in order.CheckoutInput) (*Quote, error) {
	if err := actor.Require(account.Customer, account.Distributor); err != nil {
		return nil, errs.Wrap("store.Quote", err)
	}
	if err := in.Normalize(); err != nil {
		return nil, errs.Wrap("store.Quote", err)
	}
	var q *Quote
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		q, err = tx.quote(ctx, actor.AccountID, in)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.Quote", err)
	}
	return q, nil
}

func (tx *Tx) quote(ctx context.Context, customerID int64, in order.CheckoutInput) (*Quote, error) {
	p, err := tx.planCheckout(ctx, customerID, in)
	var couponErr error
	if err != nil && in.CouponCode != "" && errs.FieldOf(err) == "coupon_code" {
		couponErr, in.CouponCode = err, ""
		p, err = tx.planCheckout(ctx, customerID, in)
	}
	if err != nil {
		return nil, err
	}
	// What checkout reserves, taken from what was read: the same choice
	// while nobody else takes the stock meanwhile.
	err = tx.route(ctx, in.ShipTo.RegionCode, p.lines, func(order.Candidate, order.RouteLine) (bool, error) { return true, nil })
	if err != nil {
		return nil, err
	}
	if err := p.allocate(); err != nil {
		return nil, err
	}
	if err := p.ship(ctx, tx, in.ShipTo.RegionCode); err != nil {
		return nil, err
	}
	a := order.Attribute(p.ain)
	q := &Quote{Currency: p.s.CurrencyCode, SellerID: sellerID(p.seller), Attribution: a, CouponError: couponErr,
		GoodsTotal: p.goods, Discount: p.discount, Shipping: p.shipping, Total: p.goods - p.discount + p.shipping}
	if p.coupon != nil {
		q.CouponCode = p.coupon.code
	}
	parcel := map[int64]int{}
	var warehouses []any
	for _, c := range p.lines {
		l := c.line
		ql := QuoteLine{SKUID: c.sku.ID, ProductID: c.productID, SupplierID: c.supplierID, WarehouseID: l.WarehouseID, Title: c.title,
			Quantity: l.Quantity, UnitRetail: l.UnitRetail, UnitPrice: l.UnitPrice, Subtotal: l.UnitPrice * money.Amount(l.Quantity),
			Discount: l.Discount, Paid: l.Base + l.Markup}
		q.Lines = append(q.Lines, ql)
		i, ok := parcel[l.WarehouseID]
		if !ok {
			i = len(q.Parcels)
			parcel[l.WarehouseID] = i
			q.Parcels = append(q.Parcels, Parcel{WarehouseID: l.WarehouseID, SupplierID: c.supplierID, Shipping: p.fees[l.WarehouseID]})
			warehouses = append(warehouses, l.WarehouseID)
		}
		q.Parcels[i].Lines = append(q.Parcels[i].Lines, ql)
	}
	err = tx.Each(ctx, `SELECT w.id, w.name, s.name FROM warehouses w JOIN suppliers s ON s.id = w.supplier_id
		WHERE w.id IN (`+sqldb.Placeholders(len(warehouses))+`)`, warehouses, func(scan func(...any) error) error {
		var id int64
		var wname, sname string
		if err := scan(&id, &wname, &sname); err != nil {
			return err
		}
		p := &q.Parcels[parcel[id]]
		p.WarehouseName, p.SupplierName = wname, sname
		return nil
	})
	return q, err
}
