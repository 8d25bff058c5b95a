package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"sharemall/internal/books"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// LineStatus is where an order line's commissions stand (books.LineStatus).
type LineStatus = books.LineStatus

const (
	LinePending = books.LinePending
	LineSettled = books.LineSettled
)

// LineBooking is what an order line books on payment: the snapshot taken at
// checkout and what the customer paid.
type LineBooking struct {
	LineID   int64 // the order line's id
	OrderID  int64
	Snapshot commission.Snapshot
	Line     commission.Line
}

// CommissionLine is an order line's commissions as booked and as they
// stand after refunds.
type CommissionLine struct {
	LineID    int64
	OrderID   int64
	Currency  string
	Snapshot  commission.Snapshot
	Booked    commission.Line // as paid
	Current   commission.Line // net of refunds
	Paid      money.Amount    // Booked.Paid()
	Status    LineStatus
	Held      bool // an open after-sale case holds settlement
	BookedAt  time.Time
	SettledAt *time.Time
	Shares    []ShareRecord
}

// ShareRecord is one party's share of one line.
type ShareRecord struct {
	ID        int64
	LineID    int64
	OrderID   int64
	Party     commission.Party
	Currency  string
	Booked    money.Amount // what was booked on payment
	Amount    money.Amount // the current share, after refunds
	Status    LineStatus
	BookedAt  time.Time
	SettledAt *time.Time
}

// Reversed reports whether refunds took some of the share back.
func (s ShareRecord) Reversed() bool { return s.Amount < s.Booked }

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
	old, err := tx.book(ctx, []LineBooking{b}, s.CurrencyCode)
	if err != nil || old[b.LineID] != nil {
		return old[b.LineID], false, err
	}
	line, err := tx.commissionLine(ctx, b.LineID)
	return line, true, err
}

// book books lines as bookLine does each, in the program's currency, in a
// few statements: the lines in one INSERT, their shares in one, their sales
// events in one, their journals with books.PostMany. old holds, by line id, the
// lines that were booked before (nothing changed for them).
func (tx *Tx) book(ctx context.Context, bs []LineBooking, currency string) (old map[int64]*CommissionLine, err error) {
	shares := make([][]commission.Share, len(bs))
	snaps := make([]string, len(bs))
	lineValues := make([]string, len(bs))
	var lineArgs, orders []any
	for i, b := range bs {
		switch {
		case b.LineID <= 0:
			return nil, errs.Invalidf("line_id", "must be a positive id")
		case b.OrderID <= 0:
			return nil, errs.Invalidf("order_id", "must be a positive id")
		case b.Snapshot.Currency != currency:
			return nil, errs.Invalidf("currency", "must be the program's currency %s, not %q", currency, b.Snapshot.Currency)
		}
		if shares[i], err = commission.Split(b.Snapshot, b.Line); err != nil {
			return nil, err
		}
		snap, err := json.Marshal(b.Snapshot)
		if err != nil {
			return nil, err
		}
		snaps[i] = string(snap)
		lineValues[i] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?)"
		lineArgs = append(lineArgs, b.LineID, b.OrderID, b.Snapshot.Currency, snaps[i],
			int64(b.Line.Base), int64(b.Line.Markup), b.Line.Quantity, int64(b.Line.Paid()),
			int64(b.Line.Base), int64(b.Line.Markup), b.Line.Quantity, string(LinePending), ts(tx.Now()))
		orders = append(orders, b.OrderID)
	}
	// An order's first line booked makes it a new order in the figures.
	booked, err := sqldb.Column[int64](ctx, tx.Tx, `SELECT DISTINCT order_id FROM commission_lines WHERE order_id IN (`+sqldb.Placeholders(len(orders))+`)`, orders)
	if err != nil {
		return nil, err
	}
	prior := map[int64]bool{}
	for _, o := range booked {
		prior[o] = true
	}
	// ON CONFLICT DO NOTHING: a concurrent booking of the same line waits
	// for the first to commit and then finds its row, instead of failing.
	inserted, err := sqldb.Column[int64](ctx, tx.Tx, `INSERT INTO commission_lines (line_id, order_id, currency, snapshot,
			booked_base, booked_markup, booked_quantity, paid, base, markup, quantity, status, held, booked_at)
		VALUES `+strings.Join(lineValues, ", ")+` ON CONFLICT (line_id) DO NOTHING RETURNING line_id`, lineArgs)
	if err != nil {
		return nil, err
	}
	fresh := map[int64]bool{}
	for _, id := range inserted {
		fresh[id] = true
	}
	old = map[int64]*CommissionLine{}
	var shareValues []string
	var shareArgs []any
	var sales []sale
	var journals []ledger.Journal
	for i, b := range bs {
		if !fresh[b.LineID] {
			was, err := tx.commissionLine(ctx, b.LineID)
			if err != nil {
				return nil, err
			}
			snap, _ := json.Marshal(was.Snapshot)
			if was.OrderID != b.OrderID || was.Booked != b.Line || string(snap) != snaps[i] {
				return nil, errs.E(errs.Conflict, "line_id", "line %d was already booked with another order, snapshot or amounts", b.LineID)
			}
			old[b.LineID] = was
			continue
		}
		p := books.Posting{}
		for _, sh := range shares[i] {
			shareValues = append(shareValues, "(?, ?, ?, ?, ?, ?, ?, ?)")
			shareArgs = append(shareArgs, b.LineID, b.OrderID, sh.Party.String(), string(sh.Party.Kind), sh.Party.Tier, sh.Party.ID,
				int64(sh.Amount), int64(sh.Amount))
			p.Debit(ledger.Code(ledger.Clearing, 0), sh.Amount)
			p.Credit(books.PendingAccount(sh.Party), sh.Amount)
		}
		sales = append(sales, sale{lineID: b.LineID, orderID: b.OrderID, snap: b.Snapshot, base: b.Line.Base, shares: shares[i],
			newOrder: !prior[b.OrderID]})
		tx.tally().bookedLine(currency, shares[i])
		prior[b.OrderID] = true
		// A line paid nothing (fully discounted) moves no money: no journal.
		if j, ok := p.Journal(fmt.Sprintf("book:line:%d", b.LineID), "book", fmt.Sprintf("order %d line %d paid", b.OrderID, b.LineID), currency); ok {
			journals = append(journals, j)
		}
	}
	if len(shareValues) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO commission_shares (line_id, order_id, party, kind, tier, beneficiary_id, booked_amount, amount)
			VALUES `+strings.Join(shareValues, ", "), shareArgs...); err != nil {
			return nil, err
		}
	}
	if err := tx.recordSales(ctx, sales); err != nil {
		return nil, err
	}
	_, err = books.PostMany(ctx, tx.Tx, currency, journals)
	return old, err
}

// settleLines settles the lines (of one currency) in one transaction, as
// settleLine would each: it locks the wallets of every distributor they pay
// first, in account-code order, claims the lines (held and settled ones are
// skipped), posts one journal per line (settle:line:{id}) with books.PostMany,
// and completes the orders with nothing left to settle. It returns how many
// lines it settled.
func (tx *Tx) settleLines(ctx context.Context, currency string, ids []int64) (int, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	inIDs := make([]any, len(ids))
	for i, id := range ids {
		inIDs[i] = id
	}
	earners, err := sqldb.Column[int64](ctx, tx.Tx, `SELECT DISTINCT beneficiary_id FROM commission_shares WHERE line_id IN (`+sqldb.Placeholders(len(ids))+`)
		AND kind IN (?, ?, ?) ORDER BY beneficiary_id`,
		append(slices.Clone(inIDs), string(commission.KindTier), string(commission.KindMarkup), string(commission.KindAgent)))
	if err != nil {
		return 0, err
	}
	w, err := books.LockWallets(ctx, tx.Tx, currency, earners)
	if err != nil {
		return 0, err
	}
	tx.Point(ctx, "settle.wallets.locked")
	// Claim the lines: of concurrent settlements exactly one changes a row.
	claimedIDs, err := sqldb.Column[int64](ctx, tx.Tx, `UPDATE commission_lines SET status = ?, settled_at = ? WHERE line_id IN (`+
		tx.lockedIn("commission_lines", "line_id", len(ids), "status = ? AND held = FALSE")+`) AND status = ? AND held = FALSE RETURNING line_id`,
		slices.Concat([]any{string(LineSettled), ts(tx.Now())}, inIDs, tx.lockedInArgs(string(LinePending)), []any{string(LinePending)}))
	if err != nil || len(claimedIDs) == 0 {
		return 0, err
	}
	slices.Sort(claimedIDs) // RETURNING promises no order
	claimed := sqldb.Args(claimedIDs)
	orderOf := map[int64]int64{}
	err = tx.Each(ctx, `SELECT line_id, order_id, currency FROM commission_lines WHERE line_id IN (`+sqldb.Placeholders(len(claimed))+`)`, claimed,
		func(scan func(...any) error) error {
			var l, o int64
			var cur string
			if err := scan(&l, &o, &cur); err != nil {
				return err
			}
			if cur != currency {
				return fmt.Errorf("store: line %d is in %s, not %s", l, cur, currency)
			}
			orderOf[l] = o
			return nil
		})
	if err != nil {
		return 0, err
	}
	shares, err := tx.shareRecords(ctx, `WHERE s.line_id IN (`+sqldb.Placeholders(len(claimed))+`) ORDER BY s.line_id, s.id`, claimed...)
	if err != nil {
		return 0, err
	}
	var journals []ledger.Journal
	for _, c := range claimed {
		id := c.(int64)
		p := books.Posting{}
		earned := books.ByDistributor{}
		var commissionSettled money.Amount
		for _, sh := range shares {
			if sh.LineID != id || sh.Amount == 0 {
				continue
			}
			if isCommission(sh.Party) {
				commissionSettled += sh.Amount
			}
			p.Debit(books.PendingAccount(sh.Party), sh.Amount)
			if books.IsDistributor(sh.Party) {
				earned[sh.Party.ID] += sh.Amount
			} else {
				p.Credit(books.SettledAccount(sh.Party), sh.Amount)
			}
		}
		for _, d := range earned.IDs() {
			if !w.Holds(d) {
				return 0, fmt.Errorf("store: line %d pays distributor %d, whose wallet this transaction did not lock", id, d)
			}
			books.Earn(p, w, d, earned[d])
		}
		tx.tally().settledLine(currency, commissionSettled)
		// Every share refunded before settlement: the line settles, nothing moves.
		if j, ok := p.Journal(fmt.Sprintf("settle:line:%d", id), "settle", fmt.Sprintf("order %d line %d settled", orderOf[id], id), currency); ok {
			journals = append(journals, j)
		}
	}
	if _, err := books.PostMany(ctx, tx.Tx, currency, journals); err != nil {
		return 0, err
	}
	orders := make([]int64, 0, len(orderOf))
	for _, o := range orderOf {
		orders = append(orders, o)
	}
	slices.Sort(orders)
	if err := tx.completeOrders(ctx, slices.Compact(orders)); err != nil {
		return 0, err
	}
	tx.Point(ctx, "settle.lines.completed") // lines claimed, orders completed where due; not committed
	return len(claimed), nil
}

// lockedIn returns what goes inside "key IN (…)" for n ids (the first
// arguments) of table: on SQLite the ids; on PostgreSQL a subquery that
// locks the rows meeting cond (lockedInArgs are its arguments, after the
// ids) in key order first, since one UPDATE locks rows in whatever order
// its plan meets them.
func (tx *Tx) lockedIn(table, key string, n int, cond string) string {
	if tx.Engine() != Postgres {
		return sqldb.Placeholders(n)
	}
	return `SELECT ` + key + ` FROM ` + table + ` WHERE ` + key + ` IN (` + sqldb.Placeholders(n) + `) AND ` + cond +
		` ORDER BY ` + key + ` FOR UPDATE`
}

func (tx *Tx) lockedInArgs(args ...any) []any {
	if tx.Engine() != Postgres {
		return nil
	}
	return args
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
// provider still has to send it (after-sale cases; see refunds.go).
func (tx *Tx) refundLineTo(ctx context.Context, lineID int64, refundKey string, after commission.Line, to string) (*CommissionLine, bool, error) {
	if strings.TrimSpace(refundKey) == "" || len(refundKey) > 100 {
		return nil, false, errs.Invalidf("refund_key", "must be 1 to 100 characters")
	}
	// Lock the line so that a concurrent settlement or refund of it runs
	// before or after this one, never beside it.
	if n, err := tx.ExecN(ctx, `UPDATE commission_lines SET held = held WHERE line_id = ?`, lineID); err != nil {
		return nil, false, err
	} else if n == 0 {
		return nil, false, errs.E(errs.NotFound, "", "commission line not found")
	}
	var prev commission.Line
	err := tx.Get(ctx, "refund", `SELECT base_after, markup_after, quantity_after FROM commission_refunds WHERE line_id = ? AND refund_key = ?`,
		[]any{lineID, refundKey}, &prev.Base, &prev.Markup, &prev.Quantity)
	switch {
	case err == nil:
		if prev != after {
			return nil, false, errs.E(errs.Conflict, "refund_key", "refund %q of line %d was already taken with other amounts", refundKey, lineID)
		}
		line, err := tx.commissionLine(ctx, lineID)
		return line, false, err
	case !errs.Is(err, errs.NotFound):
		return nil, false, err
	}
	line, err := tx.commissionLine(ctx, lineID)
	if err != nil {
		return nil, false, err
	}
	delta, err := commission.Recompute(line.Snapshot, line.Current, after)
	if err != nil {
		return nil, false, err
	}
	if after == line.Current {
		return nil, false, errs.Invalidf("after", "refunds nothing: it equals what remains of the line")
	}
	refund := delta.Total()
	p := books.Posting{}
	p.Credit(to, refund)
	clawed := books.ByDistributor{}
	for _, d := range delta {
		switch {
		case d.Amount == 0:
		case line.Status == LinePending:
			p.Debit(books.PendingAccount(d.Party), d.Amount)
		case books.IsDistributor(d.Party):
			clawed[d.Party.ID] += d.Amount
		default:
			p.Debit(books.SettledAccount(d.Party), d.Amount)
		}
	}
	w, err := books.LockWallets(ctx, tx.Tx, line.Currency, clawed.IDs())
	if err != nil {
		return nil, false, err
	}
	for _, id := range clawed.IDs() {
		if c := clawed[id]; c > 0 {
			books.ClawBack(p, w, id, c)
		} else if c < 0 {
			books.Earn(p, w, id, -c)
		}
	}
	if j, ok := p.Journal(fmt.Sprintf("refund:line:%d:%s", lineID, refundKey), "refund",
		fmt.Sprintf("order %d line %d refund %s", line.OrderID, lineID, refundKey), line.Currency); ok {
		if _, _, err := books.Post(ctx, tx.Tx, j); err != nil {
			return nil, false, err
		}
	}
	for _, d := range delta {
		if d.Amount == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE commission_shares SET amount = amount - ? WHERE line_id = ? AND party = ?`,
			int64(d.Amount), lineID, d.Party.String()); err != nil {
			return nil, false, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE commission_lines SET base = ?, markup = ?, quantity = ? WHERE line_id = ?`,
		int64(after.Base), int64(after.Markup), after.Quantity, lineID); err != nil {
		return nil, false, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO commission_refunds (line_id, refund_key, base_after, markup_after, quantity_after, refunded, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, lineID, refundKey, int64(after.Base), int64(after.Markup), after.Quantity, int64(refund), ts(tx.Now())); err != nil {
		return nil, false, err
	}
	// A refund never makes a new order.
	if err := tx.recordSales(ctx, []sale{{lineID: lineID, orderID: line.OrderID, snap: line.Snapshot, base: after.Base - line.Current.Base,
		shares: refundChange(delta)}}); err != nil {
		return nil, false, err
	}
	line, err = tx.commissionLine(ctx, lineID)
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
	n, err := tx.ExecN(ctx, `UPDATE commission_lines SET held = ? WHERE line_id = ?`, held, lineID)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "commission line not found")
	}
	return err
}
