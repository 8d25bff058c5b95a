package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// Payment is one attempt to pay an order through a provider.
type Payment struct {
	ID             int64
	OrderID        int64
	Provider       string
	ProviderRef    string // the provider's id of the payment; our Reference until the provider tells it
	Reference      string // our reference of the payment, unique (ChargeRequest.Reference)
	Method         string // payment.Method: redirect, qr, jsapi
	Started        string // JSON of what the payer needs (payment.Started's QR code or bridge), "" for a redirect
	Amount         money.Amount
	Currency       string
	Status         string // see the Payment… constants
	CreatedAt      time.Time
	PaidAt         *time.Time
	RefundedAt     *time.Time   // when the provider confirmed the whole payment went back
	RefundedAmount money.Amount // how much of it went back, after-sale refunds included, as providers confirmed
	// PayBy is the order's deadline for payment, which the provider's
	// payment expires with; set by BeginPayment only.
	PayBy time.Time
}

// Payment statuses.
const (
	PaymentPending   = "pending"
	PaymentPaid      = "paid" // it paid its order (after-sale refunds show in RefundedAmount)
	PaymentFailed    = "failed"
	PaymentRefundDue = "refund_due" // it came too late or twice: owed back whole, the provider has not confirmed the refund yet
	PaymentRefunded  = "refunded"   // given back whole, as the provider confirmed
)

// Callback outcomes, as logged in payment_callbacks.
const (
	OutcomeApplied        = "applied"         // the payment took effect
	OutcomeDuplicate      = "duplicate"       // the same payment again: nothing changed
	OutcomeLatePayment    = "late_payment"    // the order was cancelled first: the payment is owed back (refund_due)
	OutcomeDoublePayment  = "double_payment"  // another payment paid the order first: this one is owed back (refund_due)
	OutcomeRefundDue      = "refund_due"      // the same payment again while its refund is still due: the caller retries the refund
	OutcomeBadSignature   = "bad_signature"   // refused
	OutcomeBadPayload     = "bad_payload"     // signed, but not a callback we understand: refused
	OutcomeBadAmount      = "bad_amount"      // refused
	OutcomeUnknownPayment = "unknown_payment" // refused
)

// StartPayment records a pending payment of an unpaid order by its
// customer, under the reference the provider gave it, paid by redirect.
func (db *DB) StartPayment(ctx context.Context, actor account.Actor, orderID int64, provider, providerRef string) (*Payment, error) {
	return db.BeginPayment(ctx, actor, PaymentStart{OrderID: orderID, Provider: provider, Method: "redirect", Reference: providerRef})
}

// PaymentStart is a payment to record before it is opened at its provider.
type PaymentStart struct {
	OrderID   int64
	Provider  string
	Method    string
	Reference string // ours, unique: the provider's id of the payment until it tells its own
}

// BeginPayment records a pending payment of an unpaid order by its
// customer, before the provider is asked (so that a notification arriving
// at once finds it). Earlier open payments of the order stay open: the
// first one paid pays the order, any other paid later is refunded whole
// (see ApplyPayment).
func (db *DB) BeginPayment(ctx context.Context, actor account.Actor, in PaymentStart) (*Payment, error) {
	var p *Payment
	err := db.Write(ctx, func(tx *Tx) error {
		if err := actor.Require(account.Customer, account.Distributor, account.Operator, account.Supplier); err != nil {
			return err
		}
		o, err := tx.orderHeader(ctx, in.OrderID)
		if err != nil {
			return err
		}
		if o.CustomerAccountID != actor.AccountID || actor.APIKeyID != 0 {
			// Not the customer: the whole order decides whether it may know the order exists.
			if err := tx.attachLines(ctx, o); err != nil {
				return err
			}
			if _, ok := visibleOrder(actor, o); !ok {
				return errs.E(errs.NotFound, "", "order not found")
			}
			return errs.E(errs.Forbidden, "", "only the customer who placed the order may pay it")
		}
		switch {
		case o.Status != order.Unpaid:
			return errs.E(errs.Conflict, "status", "the order is %s, not unpaid", o.Status)
		case !tx.Now().Before(o.PayBy):
			return errs.E(errs.Conflict, "pay_by", "the time to pay this order has passed")
		}
		id, err := tx.Insert(ctx, `INSERT INTO payments (order_id, provider, provider_ref, reference, method, amount, currency, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`, o.ID, in.Provider, in.Reference, in.Reference, in.Method, int64(o.Total), o.Currency, ts(tx.Now()))
		if err != nil {
			return sqldb.Relabel(err, errs.Conflict, "reference", "is already used")
		}
		p = &Payment{ID: id, OrderID: o.ID, Provider: in.Provider, ProviderRef: in.Reference, Reference: in.Reference, Method: in.Method,
			Amount: o.Total, Currency: o.Currency, Status: "pending", CreatedAt: tx.Now(), PayBy: o.PayBy}
		return nil
	})
	return p, errs.Wrap("store.BeginPayment", err)
}

// PaymentByRef reads a payment by the provider's reference: the reference
// is what the hosted page is given, so it needs no signed-in caller.
func (db *DB) PaymentByRef(ctx context.Context, provider, ref string) (*Payment, error) {
	var p *Payment
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		p, err = tx.payment(ctx, `provider = ? AND provider_ref = ?`, provider, ref)
		return err
	})
	return p, errs.Wrap("store.PaymentByRef", err)
}

// CallbackInput is a provider's callback whose signature has been verified.
type CallbackInput struct {
	Provider    string
	ProviderRef string
	Amount      money.Amount
	Currency    string
	Payload     string // the raw body, kept as evidence
}

// ApplyPayment applies a verified callback once, in one transaction: the
// payment pending → paid, the order unpaid → paid, stock committed, the
// fulfilment orders released, every line's commission booked pending. The
// same callback again changes nothing (duplicate). A payment for a cancelled
// order, or for an order another payment already paid (late_payment,
// double_payment), is owed back: in the same transaction it becomes
// refund_due, its money is booked into refunds_due and its refund is
// recorded as an effect (see owePayment), which the caller then runs
// (RunEffect) and the effects sweep retries until the provider confirms.
// The same callback while that refund is still due is refund_due: the
// caller runs the refund again. An unknown reference (no such payment) or
// a wrong amount is refused and logged; a lookup that fails otherwise is
// that failure, never an unknown payment. Every callback is logged in
// payment_callbacks with its outcome.
func (db *DB) ApplyPayment(ctx context.Context, in CallbackInput) (string, *Payment, error) {
	var outcome string
	var p *Payment
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		outcome, p, err = tx.applyPayment(ctx, in)
		if err != nil {
			return err
		}
		return tx.logCallback(ctx, in.Provider, in.ProviderRef, in.Payload, outcome)
	})
	refused := ""
	switch {
	case errs.Is(err, errs.NotFound) && errs.FieldOf(err) == "provider_ref":
		refused = OutcomeUnknownPayment
	case errs.FieldOf(err) == "amount" || errs.FieldOf(err) == "currency":
		refused = OutcomeBadAmount
	}
	if refused != "" {
		if lerr := db.RecordCallback(ctx, in.Provider, in.ProviderRef, in.Payload, refused); lerr != nil {
			err = lerr
		}
	}
	return outcome, p, errs.Wrap("store.ApplyPayment", err)
}

func (tx *Tx) applyPayment(ctx context.Context, in CallbackInput) (string, *Payment, error) {
	p, err := tx.payment(ctx, `provider = ? AND provider_ref = ?`, in.Provider, in.ProviderRef)
	if errs.Is(err, errs.NotFound) {
		return "", nil, errs.E(errs.NotFound, "provider_ref", "no such payment")
	} else if err != nil {
		// An outage is not an unknown payment: the provider must deliver again.
		return "", nil, err
	}
	return tx.applyPaid(ctx, p, in.Amount, in.Currency)
}

// applyPaid moves payment p to paid once, when amount and currency are
// its own: see ApplyPayment. The claim is a conditional update of the
// payment's row, then of its order's row; the second of two payments of
// one order finds the order paid and is owed back (double_payment). On
// PostgreSQL (READ COMMITTED) the order's row lock orders two such
// transactions: the later one waits on UPDATE orders, then sees the order
// paid; on SQLite the writer lock serializes them whole.
func (tx *Tx) applyPaid(ctx context.Context, p *Payment, amount money.Amount, currency string) (string, *Payment, error) {
	in := struct {
		Amount   money.Amount
		Currency string
	}{amount, currency}
	if in.Currency != p.Currency {
		return "", nil, errs.Invalidf("currency", "must be %s, the payment's currency", p.Currency)
	}
	if in.Amount != p.Amount {
		return "", nil, errs.Invalidf("amount", "does not match the payment's amount")
	}
	// The claim: of any number of deliveries, only one moves the payment on.
	// A failed payment (its start errored, or a query found it closed) that
	// the provider says is paid did take money: it is claimed too.
	n, err := tx.ExecN(ctx, `UPDATE payments SET status = 'paid', paid_at = ? WHERE id = ? AND status IN ('pending', 'failed')`, ts(tx.Now()), p.ID)
	if err != nil {
		return "", nil, err
	}
	if n == 0 {
		// Read it again: another delivery may have moved it since the read above.
		if p, err = tx.payment(ctx, `id = ?`, p.ID); err != nil {
			return "", nil, err
		}
		if p.Status == PaymentRefundDue {
			return OutcomeRefundDue, p, nil
		}
		return OutcomeDuplicate, p, nil
	}
	tx.Point(ctx, "payment.claimed") // the payment is claimed; the order not yet
	n, err = tx.ExecN(ctx, `UPDATE orders SET status = ?, paid_at = ? WHERE id = ? AND status = ?`,
		string(order.Paid), ts(tx.Now()), p.OrderID, string(order.Unpaid))
	if err != nil {
		return "", nil, err
	}
	if n == 0 {
		var status string
		if err := tx.Get(ctx, "order", `SELECT status FROM orders WHERE id = ?`, []any{p.OrderID}, &status); err != nil {
			return "", nil, err
		}
		outcome := OutcomeDoublePayment
		if status == string(order.Cancelled) {
			outcome = OutcomeLatePayment
		}
		p, err = tx.owePayment(ctx, p)
		return outcome, p, err
	}
	// The order's seller, region and the seller's grade with its lines, in
	// one round trip: the funnel's and the sales events' rows are then
	// written from them, without reading the order back in the statements.
	o := &order.Order{ID: p.OrderID}
	var seller sql.NullInt64
	var region string
	var grade int64
	err = tx.Queries(ctx, sqldb.Query{SQL: `SELECT o.seller_id, o.ship_region, COALESCE(g.grade_id, 0)
		FROM orders o LEFT JOIN distributors g ON g.id = o.seller_id WHERE o.id = ?`, Args: []any{o.ID},
		Row: func(scan func(...any) error) error { return scan(&seller, &region, &grade) }}, linesQuery(o.ID, &o))
	if err != nil {
		return "", nil, err
	}
	if err := tx.recordLinesFunnel(ctx, stepPaid, seller.Int64, funnelProducts(o.Lines)); err != nil {
		return "", nil, err
	}
	// Stock rows are locked in SKU order, as checkout locks them, so that
	// concurrent checkouts and payments cannot deadlock on PostgreSQL.
	bySKU := slices.Clone(o.Lines)
	slices.SortFunc(bySKU, func(a, b order.Line) int { return cmp.Compare(a.SKUID, b.SKUID) })
	for _, l := range bySKU {
		// Exactly one row, or the reserved stock is missing: the payment fails.
		if err := tx.ExecLaterN(ctx, 1, `UPDATE stock SET on_hand = on_hand - ?, reserved = reserved - ?, updated_at = ?
			WHERE warehouse_id = ? AND sku_id = ? AND reserved >= ? AND on_hand >= ?`,
			l.Quantity, l.Quantity, ts(tx.Now()), l.WarehouseID, l.SKUID, l.Quantity, l.Quantity); err != nil {
			return "", nil, err
		}
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return "", nil, err
	}
	bs := make([]LineBooking, len(o.Lines))
	facts := make(map[int64]*saleFacts, len(o.Lines))
	for i, l := range o.Lines {
		bs[i] = LineBooking{LineID: l.ID, OrderID: o.ID, Snapshot: l.Snapshot,
			Line: commission.Line{Base: l.Base, Markup: l.Markup, Quantity: l.Quantity}}
		// The grade read is the order's seller's; a line whose snapshot
		// names another seller has its grade looked up by the statement.
		if l.Snapshot.SellerID == seller.Int64 {
			facts[l.ID] = &saleFacts{supplierID: l.SupplierID, region: region, grade: grade}
		}
	}
	if _, err := tx.book(ctx, bs, s.CurrencyCode, facts); err != nil {
		return "", nil, err
	}
	if err := tx.bookParcelFees(ctx, o.ID, s.CurrencyCode); err != nil {
		return "", nil, err
	}
	tx.Point(ctx, "payment.booked")
	if err := tx.ExecLater(ctx, `UPDATE fulfilment_orders SET status = ?, released_at = ? WHERE order_id = ? AND status = ?`,
		string(order.FulfilmentReleased), ts(tx.Now()), o.ID, string(order.FulfilmentPending)); err != nil {
		return "", nil, err
	}
	paid := tx.Now()
	p.Status, p.PaidAt = "paid", &paid // as the claim above set them
	tx.tally().payment(p.Currency, p.Amount)
	return OutcomeApplied, p, nil
}

// RecordCallback logs a callback that was refused before it could be applied
// (a bad signature): the log is evidence, nothing else changes.
func (db *DB) RecordCallback(ctx context.Context, provider, ref, payload, outcome string) error {
	return errs.Wrap("store.RecordCallback", db.Write(ctx, func(tx *Tx) error {
		return tx.logCallback(ctx, provider, ref, payload, outcome)
	}))
}

func (tx *Tx) logCallback(ctx context.Context, provider, ref, payload, outcome string) error {
	if len(payload) > 64<<10 {
		payload = payload[:64<<10]
	}
	return tx.ExecLater(ctx, `INSERT INTO payment_callbacks (provider, provider_ref, payload, outcome, at) VALUES (?, ?, ?, ?, ?)`,
		provider, ref, payload, outcome, ts(tx.Now()))
}

// CallbackOutcomes lists the outcomes logged for a payment reference, oldest
// first (operators; for disputes and tests).
func (db *DB) CallbackOutcomes(ctx context.Context, actor account.Actor, provider, ref string) ([]string, error) {
	var out []string
	err := db.Read(ctx, func(tx *Tx) error {
		if err := actor.Require(account.Operator); err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT outcome FROM payment_callbacks WHERE provider = ? AND provider_ref = ? ORDER BY id`,
			[]any{provider, ref}, func(scan func(...any) error) error {
				var o string
				err := scan(&o)
				out = append(out, o)
				return err
			})
	})
	return out, errs.Wrap("store.CallbackOutcomes", err)
}

// ProviderSecret returns the provider's signing secret, making and keeping
// one on first use so that it survives restarts.
func (db *DB) ProviderSecret(ctx context.Context, provider string, fresh func() string) (string, error) {
	var s string
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO provider_secrets (provider, secret, created_at) VALUES (?, ?, ?)
			ON CONFLICT (provider) DO NOTHING`, provider, fresh(), ts(tx.Now())); err != nil {
			return err
		}
		return tx.Get(ctx, "provider secret", `SELECT secret FROM provider_secrets WHERE provider = ?`, []any{provider}, &s)
	})
	return s, errs.Wrap("store.ProviderSecret", err)
}

const paymentCols = `id, order_id, provider, provider_ref, COALESCE(reference, provider_ref), method, started, amount, currency, status, created_at, paid_at, refunded_at, refunded_amount`

func (tx *Tx) payment(ctx context.Context, cond string, args ...any) (*Payment, error) {
	return tx.paymentRow(ctx, `SELECT `+paymentCols+` FROM payments WHERE `+cond, args...)
}

// paymentRow runs q, a statement that yields one payment's paymentCols (a
// SELECT, or an UPDATE … RETURNING), and returns the payment.
func (tx *Tx) paymentRow(ctx context.Context, q string, args ...any) (*Payment, error) {
	p := &Payment{}
	var amount, created, refundedAmount int64
	var paid, refunded sql.NullInt64
	if err := tx.Get(ctx, "payment", q, args,
		&p.ID, &p.OrderID, &p.Provider, &p.ProviderRef, &p.Reference, &p.Method, &p.Started, &amount, &p.Currency, &p.Status, &created, &paid, &refunded, &refundedAmount); err != nil {
		return nil, err
	}
	p.Amount, p.CreatedAt, p.PaidAt, p.RefundedAt = money.Amount(amount), fromTS(created), fromNullTS(paid), fromNullTS(refunded)
	p.RefundedAmount = money.Amount(refundedAmount)
	return p, nil
}
