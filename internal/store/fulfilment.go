package store

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// FulfilmentStatus is where one warehouse's part of an order stands.
type FulfilmentStatus string

const (
	FulfilmentPending   FulfilmentStatus = "pending"   // the order is not paid yet
	FulfilmentReleased  FulfilmentStatus = "released"  // paid: the supplier may ship it
	FulfilmentShipped   FulfilmentStatus = "shipped"   // handed to a carrier
	FulfilmentReceived  FulfilmentStatus = "received"  // confirmed by the customer or automatically
	FulfilmentCancelled FulfilmentStatus = "cancelled" // the order was cancelled, or every unit refunded before shipping
)

func (s FulfilmentStatus) valid() bool {
	switch s {
	case FulfilmentPending, FulfilmentReleased, FulfilmentShipped, FulfilmentReceived, FulfilmentCancelled:
		return true
	}
	return false
}

// ShippingAddress is where an order goes.
type ShippingAddress struct {
	RegionCode string
	Name       string
	Phone      string
	Address    string
}

// FulfilmentLine is one order line a fulfilment order ships.
type FulfilmentLine struct {
	ID        int64
	SKUID     int64
	ProductID int64
	Title     string
	Quantity  int64 // as ordered
	Refunded  int64 // units refunded since
}

// FulfilmentOrder is the part of an order one warehouse ships.
type FulfilmentOrder struct {
	ID             int64
	OrderID        int64
	SupplierID     int64
	WarehouseID    int64
	Status         FulfilmentStatus
	Carrier        string
	TrackingNumber string
	ReleasedAt     *time.Time
	ShippedAt      *time.Time
	ReceivedAt     *time.Time
	Ship           ShippingAddress
	Lines          []FulfilmentLine
}

// FulfilmentFilter selects a page of fulfilment orders, oldest first.
type FulfilmentFilter struct {
	Status FulfilmentStatus // "" for every status
	After  int64            // page: fulfilment orders after this id
	Limit  int              // at most 200; 0 means 50
}

const fulfilmentColumns = `f.id, f.order_id, f.supplier_id, f.warehouse_id, f.status, f.carrier, f.tracking_number,
	f.released_at, f.shipped_at, f.received_at, o.ship_region, o.ship_name, o.ship_phone, o.ship_address`

// FulfilmentQueue lists fulfilment orders with their lines and shipping
// address: a supplier sees its own once paid, an operator all.
func (db *DB) FulfilmentQueue(ctx context.Context, actor account.Actor, f FulfilmentFilter) ([]FulfilmentOrder, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, errs.Wrap("store.FulfilmentQueue", err)
	}
	if f.Status != "" && !f.Status.valid() {
		return nil, errs.Wrap("store.FulfilmentQueue", errs.Invalidf("status", "must be pending, released, shipped, received or cancelled"))
	}
	var out []FulfilmentOrder
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT ` + fulfilmentColumns + ` FROM fulfilment_orders f JOIN orders o ON o.id = f.order_id WHERE f.id > ?`
		args := []any{f.After}
		if !actor.IsOperator() {
			// Unpaid orders are not the supplier's business yet (nor their addresses).
			q += ` AND f.supplier_id = ? AND f.status <> 'pending'`
			args = append(args, actor.SupplierID)
		}
		if f.Status != "" {
			q += ` AND f.status = ?`
			args = append(args, string(f.Status))
		}
		q += ` ORDER BY f.id LIMIT ?`
		args = append(args, limitPlusOne(f.Limit))
		var err error
		out, err = tx.fulfilmentOrders(ctx, q, args...)
		return err
	})
	return out, errs.Wrap("store.FulfilmentQueue", err)
}

// ShipFulfilment marks a released fulfilment order shipped with its carrier
// and tracking number. Only the supplier owning it (or an operator) may;
// shipping it again with the same carrier and number changes nothing.
func (db *DB) ShipFulfilment(ctx context.Context, actor account.Actor, id int64, carrier, trackingNumber string) (*FulfilmentOrder, error) {
	carrier, trackingNumber = strings.TrimSpace(carrier), strings.TrimSpace(trackingNumber)
	var out *FulfilmentOrder
	err := db.Write(ctx, func(tx *Tx) error {
		if err := actor.Require(account.Supplier, account.Operator); err != nil {
			return err
		}
		fo, err := tx.ownedFulfilment(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := checkShipment("carrier", carrier, "tracking_number", trackingNumber); err != nil {
			return err
		}
		switch fo.Status {
		case FulfilmentShipped, FulfilmentReceived:
			if fo.Carrier == carrier && fo.TrackingNumber == trackingNumber {
				out = fo
				return nil
			}
			return errs.E(errs.Conflict, "status", "fulfilment order %d is already %s", id, fo.Status)
		case FulfilmentReleased:
		default:
			return errs.E(errs.Conflict, "status", "fulfilment order %d is %s; only a released one can ship", id, fo.Status)
		}
		n, err := tx.ExecN(ctx, `UPDATE fulfilment_orders SET status = 'shipped', carrier = ?, tracking_number = ?, shipped_at = ?
			WHERE id = ? AND status = 'released'`, carrier, trackingNumber, ts(tx.Now()), id)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.Conflict, "status", "fulfilment order %d changed meanwhile; try again", id)
		}
		out, err = tx.fulfilment(ctx, id)
		return err
	})
	return out, errs.Wrap("store.ShipFulfilment", err)
}

// checkShipment validates a carrier and a tracking number, naming each field.
func checkShipment(carrierField, carrier, trackingField, tracking string) error {
	if n := utf8.RuneCountInString(carrier); n == 0 || n > 64 {
		return errs.Invalidf(carrierField, "must be 1 to 64 characters")
	}
	if len(tracking) < 4 || len(tracking) > 64 {
		return errs.Invalidf(trackingField, "must be 4 to 64 letters, digits or dashes")
	}
	for _, r := range tracking {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-') {
			return errs.Invalidf(trackingField, "must be 4 to 64 letters, digits or dashes")
		}
	}
	return nil
}

// ConfirmReceipt is the customer saying a shipped fulfilment order arrived;
// the after-sale window starts now. Confirming it again changes nothing.
func (db *DB) ConfirmReceipt(ctx context.Context, actor account.Actor, fulfilmentID int64) (*FulfilmentOrder, error) {
	var out *FulfilmentOrder
	err := db.Write(ctx, func(tx *Tx) error {
		if err := asCustomer(actor); err != nil {
			return err
		}
		fo, err := tx.fulfilment(ctx, fulfilmentID)
		if err != nil {
			return err
		}
		if err := tx.customerOwnsOrder(ctx, actor, fo.OrderID, "fulfilment order"); err != nil {
			return err
		}
		switch fo.Status {
		case FulfilmentReceived:
			out = fo
			return nil
		case FulfilmentShipped:
		default:
			return errs.E(errs.Conflict, "status", "fulfilment order %d is %s; only a shipped one can be received", fulfilmentID, fo.Status)
		}
		if _, err := tx.Exec(ctx, `UPDATE fulfilment_orders SET status = 'received', received_at = ? WHERE id = ? AND status = 'shipped'`,
			ts(tx.Now()), fulfilmentID); err != nil {
			return err
		}
		out, err = tx.fulfilment(ctx, fulfilmentID)
		return err
	})
	return out, errs.Wrap("store.ConfirmReceipt", err)
}

// Tracking lists where each part of an order is, for its customer (or an operator).
func (db *DB) Tracking(ctx context.Context, actor account.Actor, orderID int64) ([]FulfilmentOrder, error) {
	var out []FulfilmentOrder
	err := db.Read(ctx, func(tx *Tx) error {
		if err := asCustomer(actor); err != nil {
			return err
		}
		if err := tx.customerOwnsOrder(ctx, actor, orderID, "order"); err != nil {
			return err
		}
		var err error
		out, err = tx.fulfilmentOrders(ctx, `SELECT `+fulfilmentColumns+` FROM fulfilment_orders f JOIN orders o ON o.id = f.order_id
			WHERE f.order_id = ? ORDER BY f.id`, orderID)
		return err
	})
	return out, errs.Wrap("store.Tracking", err)
}

// customerOwnsOrder is NotFound (naming what) unless the actor placed the order or is an operator.
func (tx *Tx) customerOwnsOrder(ctx context.Context, actor account.Actor, orderID int64, what string) error {
	var customer int64
	if err := tx.Get(ctx, what, `SELECT customer_account_id FROM orders WHERE id = ?`, []any{orderID}, &customer); err != nil {
		return err
	}
	if customer != actor.AccountID && !actor.IsOperator() {
		return errs.E(errs.NotFound, "", "%s not found", what)
	}
	return nil
}

// ownedFulfilment returns a fulfilment order its supplier (or an operator)
// may act on; another supplier's is NotFound.
func (tx *Tx) ownedFulfilment(ctx context.Context, actor account.Actor, id int64) (*FulfilmentOrder, error) {
	fo, err := tx.fulfilment(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.OwnsSupplier(fo.SupplierID) {
		return nil, errs.E(errs.NotFound, "", "fulfilment order not found")
	}
	return fo, nil
}

func (tx *Tx) fulfilment(ctx context.Context, id int64) (*FulfilmentOrder, error) {
	list, err := tx.fulfilmentOrders(ctx, `SELECT `+fulfilmentColumns+` FROM fulfilment_orders f JOIN orders o ON o.id = f.order_id
		WHERE f.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.E(errs.NotFound, "", "fulfilment order not found")
	}
	return &list[0], nil
}

// fulfilmentOrders runs a query selecting fulfilmentColumns and attaches each
// order's lines, with the units refunded so far.
func (tx *Tx) fulfilmentOrders(ctx context.Context, q string, args ...any) ([]FulfilmentOrder, error) {
	var out []FulfilmentOrder
	index := map[int64]int{}
	err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
		var fo FulfilmentOrder
		var rel, shp, rec tsScanner
		if err := scan(&fo.ID, &fo.OrderID, &fo.SupplierID, &fo.WarehouseID, &fo.Status, &fo.Carrier, &fo.TrackingNumber,
			&rel, &shp, &rec, &fo.Ship.RegionCode, &fo.Ship.Name, &fo.Ship.Phone, &fo.Ship.Address); err != nil {
			return sqldb.MapErr(err)
		}
		fo.ReleasedAt, fo.ShippedAt, fo.ReceivedAt = rel.t, shp.t, rec.t
		fo.Lines = []FulfilmentLine{}
		index[fo.ID] = len(out)
		out = append(out, fo)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(out))
	for _, fo := range out {
		ids = append(ids, fo.ID)
	}
	err = tx.Each(ctx, `SELECT l.fulfilment_id, l.id, l.sku_id, l.product_id, l.title, l.quantity, l.quantity - COALESCE(c.quantity, l.quantity)
		FROM order_lines l LEFT JOIN commission_lines c ON c.line_id = l.id
		WHERE l.fulfilment_id IN (`+sqldb.Placeholders(len(ids))+`) ORDER BY l.id`, ids, func(scan func(...any) error) error {
		var fid int64
		var l FulfilmentLine
		if err := scan(&fid, &l.ID, &l.SKUID, &l.ProductID, &l.Title, &l.Quantity, &l.Refunded); err != nil {
			return sqldb.MapErr(err)
		}
		fo := &out[index[fid]]
		fo.Lines = append(fo.Lines, l)
		return nil
	})
	return out, err
}

// tsScanner scans a nullable Unix-microsecond column.
type tsScanner struct{ t *time.Time }

func (n *tsScanner) Scan(v any) error {
	var x nullableInt
	if v == nil {
		n.t = nil
		return nil
	}
	if err := x.Scan(v); err != nil {
		return err
	}
	t := fromTS(int64(x))
	n.t = &t
	return nil
}
