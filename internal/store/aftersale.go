package store

import (
	"context"
	"sharemall/internal/payment"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// CaseKind is what a customer asks for.
type CaseKind string

const (
	RefundOnly   CaseKind = "refund_only"   // money back, the goods stay (or never left)
	ReturnRefund CaseKind = "return_refund" // the goods go back, then the money
)

// CaseStatus is where an after-sale case stands.
type CaseStatus string

const (
	CaseOpen      CaseStatus = "open"       // waiting for the supplier's decision; holds the line
	CaseApproved  CaseStatus = "approved"   // a return approved, the goods on their way back; holds the line
	CaseRefundDue CaseStatus = "refund_due" // decided and booked: the refund is owed, the provider has not confirmed it yet; holds the line
	CaseRejected  CaseStatus = "rejected"   // the supplier said no
	CaseRefunded  CaseStatus = "refunded"   // the provider confirmed the money went back
	CaseCancelled CaseStatus = "cancelled"  // the customer withdrew it
)

// activeCases is the SQL list of the statuses in which a case holds its
// line; a line has at most one such case.
const activeCases = `('open', 'approved', 'refund_due')`

func (s CaseStatus) valid() bool {
	switch s {
	case CaseOpen, CaseApproved, CaseRefundDue, CaseRejected, CaseRefunded, CaseCancelled:
		return true
	}
	return false
}

// LateCaseDays is how long after receipt an operator may still open a case
// for a customer, after the customer's own window (the program's
// after-sale days) has closed. Such a case usually comes after settlement,
// so its refund claws commissions back from the wallets, possibly into debt.
const LateCaseDays = 90

// AfterSaleCase is a customer's request for some units of one line back.
type AfterSaleCase struct {
	ID                int64
	OrderID           int64
	LineID            int64
	FulfilmentID      int64
	SupplierID        int64
	CustomerAccountID int64
	Kind              CaseKind
	Quantity          int64
	Amount            money.Amount // paid amount refunded: BaseRefund + MarkupRefund
	BaseRefund        money.Amount
	MarkupRefund      money.Amount
	Currency          string
	Reason            string
	Status            CaseStatus
	DecisionNote      string
	ReturnCarrier     string
	ReturnTracking    string
	CreatedAt         time.Time
	DecidedAt         *time.Time
	ReturnedAt        *time.Time // the customer sent the goods back
	ReturnReceivedAt  *time.Time // the supplier got them
	RefundedAt        *time.Time
	CancelledAt       *time.Time
	RefundRef         string // the provider's reference of the payment refunded
}

// CaseFilter selects a page of cases, oldest first.
type CaseFilter struct {
	Status  CaseStatus // "" for every status
	OrderID int64      // 0 for every order
	After   int64
	Limit   int // at most 200; 0 means 50
}

// Refunder sends money back through the payment provider that took it:
// the part of payment.Gateway the effects outbox uses (every Gateway is one).
type Refunder interface {
	Name() string
	Refund(ctx context.Context, r payment.RefundRequest) (*payment.RefundState, error)
}

// OpenCase asks for quantity units of an order line back. The order's
// customer may open a case once the order is paid and until the program's
// after-sale days after receipt (the rules the order was placed under); an
// operator may open one for the customer until LateCaseDays after receipt.
// The line's settlement is held until the case ends.
func (db *DB) OpenCase(ctx context.Context, actor account.Actor, lineID int64, kind CaseKind, quantity int64, reason string) (*AfterSaleCase, error) {
	reason = strings.TrimSpace(reason)
	var out *AfterSaleCase
	err := db.Write(ctx, func(tx *Tx) error {
		if err := asCustomer(actor); err != nil {
			return err
		}
		l, err := tx.caseLine(ctx, actor, lineID)
		if err != nil {
			return err
		}
		switch {
		case kind != RefundOnly && kind != ReturnRefund:
			return errs.Invalidf("kind", "must be refund_only or return_refund")
		case quantity <= 0:
			return errs.Invalidf("quantity", "must be at least 1")
		case quantity > l.current.Quantity:
			return errs.Invalidf("quantity", "must be at most %d, the units not refunded yet", l.current.Quantity)
		case reason == "" || utf8.RuneCountInString(reason) > 1000:
			return errs.Invalidf("reason", "must be 1 to 1000 characters")
		}
		if err := tx.caseWindow(ctx, actor, l, kind); err != nil {
			return err
		}
		if open, err := tx.Exists(ctx, `SELECT 1 FROM aftersale_cases WHERE order_line_id = ? AND status IN `+activeCases, lineID); err != nil {
			return err
		} else if open {
			return errs.E(errs.Conflict, "order_line_id", "line %d already has an open after-sale case", lineID)
		}
		// What the case shows it will give back; the decision computes the
		// refund again, inside the transaction that books it, from the line
		// as it stands then (see bookCaseRefund).
		r, err := commission.UnitsRefund(l.booked, l.current, quantity)
		if err != nil {
			return err
		}
		base, markup := r.Base, r.Markup
		id, err := tx.Insert(ctx, `INSERT INTO aftersale_cases (order_id, order_line_id, fulfilment_id, supplier_id, customer_account_id,
				opened_by, kind, quantity, amount, base_refund, markup_refund, currency, reason, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
			l.orderID, lineID, l.fulfilmentID, l.supplierID, l.customerID, actor.AccountID, string(kind), quantity,
			int64(base+markup), int64(base), int64(markup), l.currency, reason, ts(tx.Now()))
		if err != nil {
			return sqldb.Relabel(err, errs.Conflict, "order_line_id", "this line already has an open after-sale case")
		}
		if err := tx.setLineHeld(ctx, lineID, true); err != nil {
			return err
		}
		if actor.IsOperator() && actor.AccountID != l.customerID {
			if err := tx.audit(ctx, actor.AccountID, "aftersale.open", caseSubject(id), nil, map[string]any{
				"order_line_id": lineID, "kind": kind, "quantity": quantity}); err != nil {
				return err
			}
		}
		out, err = tx.afterSaleCase(ctx, id)
		return err
	})
	return out, errs.Wrap("store.OpenCase", err)
}

// caseLineInfo is what opening a case needs to know about a line.
type caseLineInfo struct {
	orderID, fulfilmentID, supplierID, customerID int64
	orderStatus, currency                         string
	settingsVersion                               int64
	fulfilment                                    FulfilmentStatus
	receivedAt                                    *time.Time
	booked, current                               commission.Line
	isBooked                                      bool // the line's commissions are booked
}

// caseLine reads a line its customer (or an operator) may open a case on;
// anyone else's is NotFound.
func (tx *Tx) caseLine(ctx context.Context, actor account.Actor, lineID int64) (*caseLineInfo, error) {
	var l caseLineInfo
	var rec tsScanner
	var bBase, bMarkup, bQty, cBase, cMarkup, cQty nullableInt
	var cur nullableString
	err := tx.Get(ctx, "order line", `SELECT l.order_id, l.fulfilment_id, l.supplier_id, o.customer_account_id, o.status, o.currency,
			o.settings_version, f.status, f.received_at, c.booked_base, c.booked_markup, c.booked_quantity, c.base, c.markup, c.quantity, c.currency
		FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN fulfilment_orders f ON f.id = l.fulfilment_id
		LEFT JOIN commission_lines c ON c.line_id = l.id WHERE l.id = ?`, []any{lineID},
		&l.orderID, &l.fulfilmentID, &l.supplierID, &l.customerID, &l.orderStatus, &l.currency, &l.settingsVersion,
		&l.fulfilment, &rec, &bBase, &bMarkup, &bQty, &cBase, &cMarkup, &cQty, &cur)
	if err != nil {
		return nil, err
	}
	if l.customerID != actor.AccountID && !actor.IsOperator() {
		return nil, errs.E(errs.NotFound, "", "order line not found")
	}
	l.receivedAt = rec.t
	l.isBooked = cur != ""
	l.booked = commission.Line{Base: money.Amount(bBase), Markup: money.Amount(bMarkup), Quantity: int64(bQty)}
	l.current = commission.Line{Base: money.Amount(cBase), Markup: money.Amount(cMarkup), Quantity: int64(cQty)}
	if l.orderStatus != "paid" && l.orderStatus != "completed" || !l.isBooked {
		return nil, errs.E(errs.Conflict, "order_line_id", "the order is %s; only a paid order can have an after-sale case", l.orderStatus)
	}
	if l.current.Quantity == 0 {
		return nil, errs.E(errs.Conflict, "order_line_id", "every unit of this line was refunded already")
	}
	return &l, nil
}

// caseWindow refuses a case outside the time it may be opened, or a return
// of goods that never shipped.
func (tx *Tx) caseWindow(ctx context.Context, actor account.Actor, l *caseLineInfo, kind CaseKind) error {
	switch l.fulfilment {
	case FulfilmentCancelled:
		return errs.E(errs.Conflict, "order_line_id", "this part of the order was cancelled")
	case FulfilmentPending, FulfilmentReleased:
		if kind == ReturnRefund {
			return errs.E(errs.Conflict, "kind", "nothing shipped yet to return; ask for refund_only")
		}
		return nil
	}
	if l.receivedAt == nil {
		return nil
	}
	s, err := tx.settingsAt(ctx, l.settingsVersion)
	if err != nil {
		return err
	}
	if tx.Now().Before(l.receivedAt.AddDate(0, 0, s.AfterSaleDays)) {
		return nil
	}
	if actor.IsOperator() && tx.Now().Before(l.receivedAt.AddDate(0, 0, LateCaseDays)) {
		return nil
	}
	return errs.E(errs.Conflict, "order_line_id", "the after-sale window of this line closed")
}

// CancelCase is the customer withdrawing an open case; the line's hold ends.
// Cancelling a cancelled case changes nothing.
func (db *DB) CancelCase(ctx context.Context, actor account.Actor, id int64) (*AfterSaleCase, error) {
	var out *AfterSaleCase
	err := db.Write(ctx, func(tx *Tx) error {
		c, err := tx.customerCase(ctx, actor, id)
		if err != nil {
			return err
		}
		switch c.Status {
		case CaseCancelled:
			out = c
			return nil
		case CaseOpen:
		default:
			return errs.E(errs.Conflict, "status", "case %d is %s; only an open case can be cancelled", id, c.Status)
		}
		if err := tx.endCase(ctx, c, CaseCancelled, `cancelled_at = ?`, ts(tx.Now())); err != nil {
			return err
		}
		out, err = tx.afterSaleCase(ctx, id)
		return err
	})
	return out, errs.Wrap("store.CancelCase", err)
}

// ReturnShipped records the return's carrier and tracking number, given by
// the customer once a return_refund case is approved. Giving the same again
// changes nothing; the goods are not received yet, so it may be corrected.
func (db *DB) ReturnShipped(ctx context.Context, actor account.Actor, id int64, carrier, trackingNumber string) (*AfterSaleCase, error) {
	carrier, trackingNumber = strings.TrimSpace(carrier), strings.TrimSpace(trackingNumber)
	var out *AfterSaleCase
	err := db.Write(ctx, func(tx *Tx) error {
		c, err := tx.customerCase(ctx, actor, id)
		if err != nil {
			return err
		}
		if err := checkShipment("carrier", carrier, "tracking_number", trackingNumber); err != nil {
			return err
		}
		switch {
		case c.Kind != ReturnRefund:
			return errs.E(errs.Conflict, "kind", "case %d is a refund only; nothing goes back", id)
		case c.Status != CaseApproved || c.ReturnReceivedAt != nil:
			return errs.E(errs.Conflict, "status", "case %d is %s; the return is sent once the case is approved", id, c.Status)
		}
		if _, err := tx.Exec(ctx, `UPDATE aftersale_cases SET return_carrier = ?, return_tracking = ?, returned_at = ? WHERE id = ?`,
			carrier, trackingNumber, ts(tx.Now()), id); err != nil {
			return err
		}
		out, err = tx.afterSaleCase(ctx, id)
		return err
	})
	return out, errs.Wrap("store.ReturnShipped", err)
}

// customerCase reads a case its customer (or an operator) may act on.
func (tx *Tx) customerCase(ctx context.Context, actor account.Actor, id int64) (*AfterSaleCase, error) {
	if err := asCustomer(actor); err != nil {
		return nil, err
	}
	c, err := tx.afterSaleCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.CustomerAccountID != actor.AccountID && !actor.IsOperator() {
		return nil, errs.E(errs.NotFound, "", "after-sale case not found")
	}
	return c, nil
}

// visibleCase reads a case its customer, its supplier or an operator may see.
func (tx *Tx) visibleCase(ctx context.Context, actor account.Actor, id int64) (*AfterSaleCase, error) {
	if actor.Anonymous() {
		return nil, errs.E(errs.Unauthorized, "", "sign in first")
	}
	c, err := tx.afterSaleCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if (c.CustomerAccountID != actor.AccountID || actor.APIKeyID != 0) && !actor.OwnsSupplier(c.SupplierID) {
		return nil, errs.E(errs.NotFound, "", "after-sale case not found")
	}
	return c, nil
}

// asCustomer refuses anonymous callers and API keys (which act only for
// their supplier) where a customer acts.
func asCustomer(actor account.Actor) error {
	switch {
	case actor.Anonymous():
		return errs.E(errs.Unauthorized, "", "sign in first")
	case actor.APIKeyID != 0:
		return errs.E(errs.Forbidden, "", "an API key acts only for its supplier; sign in as the customer")
	}
	return nil
}

// supplierOfActor is the supplier the actor runs, or 0.
func supplierOfActor(actor account.Actor) int64 {
	if actor.SupplierID != 0 && actor.Has(account.Supplier) {
		return actor.SupplierID
	}
	return 0
}

// endCase moves a case out of open, approved or refund_due and releases
// the line's hold unless another case still holds it.
func (tx *Tx) endCase(ctx context.Context, c *AfterSaleCase, to CaseStatus, set string, args ...any) error {
	args = append(append([]any{string(to)}, args...), c.ID, string(c.Status))
	n, err := tx.ExecN(ctx, `UPDATE aftersale_cases SET status = ?, `+set+` WHERE id = ? AND status = ?`, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.Conflict, "status", "case %d changed meanwhile; try again", c.ID)
	}
	active, err := tx.Exists(ctx, `SELECT 1 FROM aftersale_cases WHERE order_line_id = ? AND status IN `+activeCases, c.LineID)
	if err != nil || active {
		return err
	}
	return tx.setLineHeld(ctx, c.LineID, false)
}

// AfterSaleCase returns one case to its customer, its supplier or an operator.
func (db *DB) AfterSaleCase(ctx context.Context, actor account.Actor, id int64) (*AfterSaleCase, error) {
	var out *AfterSaleCase
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.visibleCase(ctx, actor, id)
		return err
	})
	return out, errs.Wrap("store.AfterSaleCase", err)
}

// Cases lists cases: a customer its own, a supplier those on its lines, an
// operator all. An account that is both sees both.
func (db *DB) Cases(ctx context.Context, actor account.Actor, f CaseFilter) ([]AfterSaleCase, error) {
	if actor.Anonymous() {
		return nil, errs.Wrap("store.Cases", errs.E(errs.Unauthorized, "", "sign in first"))
	}
	if f.Status != "" && !f.Status.valid() {
		return nil, errs.Wrap("store.Cases", errs.Invalidf("status", "must be open, approved, refund_due, rejected, refunded or cancelled"))
	}
	var out []AfterSaleCase
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT ` + caseColumns + ` FROM aftersale_cases WHERE id > ?`
		args := []any{f.After}
		if !actor.IsOperator() {
			// An API key acts only for its supplier, never as its creator's customer account.
			customer := actor.AccountID
			if actor.APIKeyID != 0 {
				customer = 0
			}
			q += ` AND (customer_account_id = ? OR supplier_id = ?)`
			args = append(args, customer, supplierOfActor(actor))
		}
		if f.Status != "" {
			q += ` AND status = ?`
			args = append(args, string(f.Status))
		}
		if f.OrderID != 0 {
			q += ` AND order_id = ?`
			args = append(args, f.OrderID)
		}
		q += ` ORDER BY id LIMIT ?`
		args = append(args, limitPlusOne(f.Limit))
		return tx.Each(ctx, q, args, func(scan func(...any) error) error {
			c, err := scanCase(scan)
			if err == nil {
				out = append(out, *c)
			}
			return err
		})
	})
	return out, errs.Wrap("store.Cases", err)
}

const caseColumns = `id, order_id, order_line_id, fulfilment_id, supplier_id, customer_account_id, kind, quantity, amount,
	base_refund, markup_refund, currency, reason, status, decision_note, return_carrier, return_tracking, created_at,
	decided_at, returned_at, return_received_at, refunded_at, cancelled_at, refund_ref`

func (tx *Tx) afterSaleCase(ctx context.Context, id int64) (*AfterSaleCase, error) {
	var c *AfterSaleCase
	err := tx.One(ctx, "after-sale case", `SELECT `+caseColumns+` FROM aftersale_cases WHERE id = ?`, []any{id},
		func(scan func(...any) error) error {
			var err error
			c, err = scanCase(scan)
			return err
		})
	return c, err
}

func scanCase(scan func(...any) error) (*AfterSaleCase, error) {
	var c AfterSaleCase
	var created int64
	var dec, ret, recv, ref, can tsScanner
	if err := scan(&c.ID, &c.OrderID, &c.LineID, &c.FulfilmentID, &c.SupplierID, &c.CustomerAccountID, &c.Kind, &c.Quantity,
		&c.Amount, &c.BaseRefund, &c.MarkupRefund, &c.Currency, &c.Reason, &c.Status, &c.DecisionNote, &c.ReturnCarrier,
		&c.ReturnTracking, &created, &dec, &ret, &recv, &ref, &can, &c.RefundRef); err != nil {
		return nil, sqldb.MapErr(err)
	}
	c.CreatedAt = fromTS(created)
	c.DecidedAt, c.ReturnedAt, c.ReturnReceivedAt, c.RefundedAt, c.CancelledAt = dec.t, ret.t, recv.t, ref.t, can.t
	return &c, nil
}

func caseSubject(id int64) string { return "aftersale_case:" + itoaID(id) }

func itoaID(id int64) string { return strconv.FormatInt(id, 10) }
