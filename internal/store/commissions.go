package store

import (
	"context"
	"slices"

	"sharemall/internal/books"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
)

// Commission lines are the books' (internal/books/commissions.go): the
// store decides when a line books, settles, is refunded or held, and keeps
// the orders, the figures and the tally around it.

// LineStatus is where an order line's commissions stand (books.LineStatus).
type LineStatus = books.LineStatus

const (
	LinePending = books.LinePending
	LineSettled = books.LineSettled
)

// LineBooking is what an order line books on payment (books.LineBooking).
type LineBooking = books.LineBooking

// CommissionLine is an order line's commissions as booked and as they
// stand after refunds (books.CommissionLine).
type CommissionLine = books.CommissionLine

// ShareRecord is one party's share of one line (books.ShareRecord).
type ShareRecord = books.ShareRecord

// BookLine books an order line's commissions as pending: every share is
// stored and one journal (key book:line:{id}) debits clearing by the paid
// amount and credits each party's pending account. Booking a booked line
// again with the same input changes nothing (booked is false); other input
// for a booked line is a Conflict on line_id.
func (db *DB) BookLine(ctx context.Context, b LineBooking) (line *CommissionLine, booked bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		line, booked, err = tx.bookLine(ctx, b)
		return err
	})
	return line, booked, errs.Wrap("store.BookLine", err)
}

func (tx *Tx) bookLine(ctx context.Context, b LineBooking) (*CommissionLine, bool, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, false, err
	}
	old, err := tx.book(ctx, []LineBooking{b}, s.CurrencyCode, nil)
	if err != nil || old[b.LineID] != nil {
		return old[b.LineID], false, err
	}
	line, err := tx.commissionLine(ctx, b.LineID)
	return line, true, err
}

// book books lines as bookLine does each, in the program's currency
// (books.BookLines), and records their sales events for the figures and
// their commission in the tally. old holds, by line id, the lines that
// were booked before (nothing changed for them). facts holds, by line id,
// what the caller read of the lines for their sales events (nil: none).
func (tx *Tx) book(ctx context.Context, bs []LineBooking, currency string, facts map[int64]*saleFacts) (old map[int64]*CommissionLine, err error) {
	return books.BookLines(ctx, tx.Tx, bs, currency, func(now []books.BookedLine) error {
		sales := make([]sale, len(now))
		for i, b := range now {
			sales[i] = sale{lineID: b.LineID, orderID: b.OrderID, snap: b.Snapshot, base: b.Base, shares: b.Shares, newOrder: b.NewOrder,
				facts: facts[b.LineID]}
			tx.tally().bookedLine(currency, b.Shares)
		}
		return tx.recordSales(ctx, sales)
	})
}

// settleLines settles the lines (of one currency) in one transaction, as
// settleLine would each (books.SettleLines: the wallets of every
// distributor they pay locked first, the lines claimed, one journal per
// line), counts them in the tally, and completes the orders with nothing
// left to settle. It returns how many lines it settled.
func (tx *Tx) settleLines(ctx context.Context, currency string, ids []int64) (int, error) {
	settled, err := books.SettleLines(ctx, tx.Tx, currency, ids)
	if err != nil || len(settled) == 0 {
		return 0, err
	}
	orders := make([]int64, 0, len(settled))
	events := make([]insightEvent, len(settled))
	for i, l := range settled {
		tx.tally().settledLine(currency, l.Commission)
		orders = append(orders, l.OrderID)
		events[i] = insightEvent{kind: eventSettled, ref: l.LineID, amount: int64(l.Commission)}
	}
	if err := tx.recordInsight(ctx, events...); err != nil {
		return 0, err
	}
	slices.Sort(orders)
	orders = slices.Compact(orders)
	// A parcel whose lines have all settled settles its shipping fee too.
	if err := books.SettleParcelFees(ctx, tx.Tx, currency, orders); err != nil {
		return 0, err
	}
	if err := tx.completeOrders(ctx, orders); err != nil {
		return 0, err
	}
	tx.Point(ctx, "settle.lines.completed") // lines claimed, orders completed where due; not committed
	return len(settled), nil
}

// SettleLine ends a line's after-sale window: every party's pending share
// moves to its settled account in one journal (key settle:line:{id}). A
// distributor's earnings pay its debt first, the rest becomes available; a
// supplier's go to its payable, the platform's to revenue. A held line is a
// Conflict on "held"; a settled line is not settled again (settled is false).
// The order is completed when nothing else is left to do on it.
func (db *DB) SettleLine(ctx context.Context, lineID int64) (settled bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		settled, err = tx.settleLine(ctx, lineID)
		return err
	})
	return settled, errs.Wrap("store.SettleLine", err)
}

// settleLine settles one line (settleLines does the work): a held line is
// a Conflict on "held", a line settled before is not settled again
// (false), an unknown one is NotFound.
func (tx *Tx) settleLine(ctx context.Context, lineID int64) (bool, error) {
	var currency string
	if err := tx.Get(ctx, "commission line", `SELECT currency FROM commission_lines WHERE line_id = ?`, []any{lineID}, &currency); err != nil {
		return false, err
	}
	n, err := tx.settleLines(ctx, currency, []int64{lineID})
	if err != nil || n == 1 {
		return n == 1, err
	}
	var status string
	if err := tx.Get(ctx, "commission line", `SELECT status FROM commission_lines WHERE line_id = ?`, []any{lineID}, &status); err != nil {
		return false, err
	}
	if status == string(LineSettled) {
		return false, nil
	}
	return false, errs.E(errs.Conflict, "held", "an open after-sale case holds line %d; settle it when the case ends", lineID)
}

// RefundLine takes a refund off a line: after is what remains of it. The
// shares are recomputed on after (never scaled) and each party's reversal
// is its current share minus its new one, posted in one journal (key
// refund:line:{id}:{refundKey}) that credits refunds with the paid amount
// refunded. Before settlement the reversal comes out of pending; after it
// comes out of available, payable and revenue, and a distributor's clawback
// beyond its available balance is booked as debt. A share that grew is
// credited the other way. The same refundKey again changes nothing
// (refunded is false); with other amounts it is a Conflict on refund_key.
func (db *DB) RefundLine(ctx context.Context, lineID int64, refundKey string, after commission.Line) (line *CommissionLine, refunded bool, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		line, refunded, err = tx.refundLine(ctx, lineID, refundKey, after)
		return err
	})
	return line, refunded, errs.Wrap("store.RefundLine", err)
}

func (tx *Tx) refundLine(ctx context.Context, lineID int64, refundKey string, after commission.Line) (*CommissionLine, bool, error) {
	return tx.refundLineTo(ctx, lineID, refundKey, after, ledger.Code(ledger.Refunds, 0))
}

// refundLineTo is refundLine crediting what is refunded to account to:
// refunds when the money is back with the customer, refunds_due while a
// provider still has to send it (after-sale cases; see books/refunds.go).
// The books take the refund (books.RefundLine); the store records the
// change in the figures. A refund never makes a new order.
func (tx *Tx) refundLineTo(ctx context.Context, lineID int64, refundKey string, after commission.Line, to string) (*CommissionLine, bool, error) {
	r, err := books.RefundLine(ctx, tx.Tx, lineID, refundKey, after, to)
	if err != nil {
		return nil, false, err
	}
	if r == nil { // taken before with the same amounts
		line, err := tx.commissionLine(ctx, lineID)
		return line, false, err
	}
	was := r.Before
	if err := tx.recordSales(ctx, []sale{{lineID: lineID, orderID: was.OrderID, snap: was.Snapshot, base: after.Base - was.Current.Base,
		shares: refundChange(r.Delta), refund: true}}); err != nil {
		return nil, false, err
	}
	line, err := tx.commissionLine(ctx, lineID)
	return line, true, err
}

// SetLineHeld holds a line's settlement while an after-sale case is open,
// or releases it. Setting what is already set changes nothing.
func (db *DB) SetLineHeld(ctx context.Context, lineID int64, held bool) error {
	return errs.Wrap("store.SetLineHeld", db.Write(ctx, func(tx *Tx) error {
		return tx.setLineHeld(ctx, lineID, held)
	}))
}

func (tx *Tx) setLineHeld(ctx context.Context, lineID int64, held bool) error {
	return books.SetLineHeld(ctx, tx.Tx, lineID, held)
}
