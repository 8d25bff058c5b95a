package books

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Commission lines: what an order line books on payment (BookLines), what
// settles at the end of its after-sale window (SettleLines), what refunds
// take back (RefundLine), and the hold an open after-sale case keeps on it
// (SetLineHeld). The store decides when; these functions write the lines,
// their shares and refunds and post the journals in the caller's
// transaction, in the lock order (docs/money.md, "Lock order").

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
	// SettleHeld: the line settled while the distributor's settlement was
	// held (settlement_holds), so this share's money is still in its pending
	// account until ReleaseSettlement moves it.
	SettleHeld bool
}

// Reversed reports whether refunds took some of the share back.
func (s ShareRecord) Reversed() bool { return s.Amount < s.Booked }

// ShareStatus is where a share stands, as records show it and the
// commission listings filter on it; every share has exactly one.
type ShareStatus string

const (
	SharesPending   ShareStatus = "pending"   // something is left and the line is not settled yet
	SharesAvailable ShareStatus = "available" // something is left and the line is settled: in the wallet, the payable or revenue
	SharesReversed  ShareStatus = "reversed"  // refunds took all of it back: nothing is left, pending or available
)

// ShareStatus is the record's status. A share refunds took only part of
// keeps pending or available (Reversed says a refund took some of it).
func (s ShareRecord) ShareStatus() ShareStatus {
	switch {
	case s.Amount == 0:
		return SharesReversed
	case s.Status == LineSettled && !s.SettleHeld:
		return SharesAvailable
	}
	return SharesPending
}

// IsCommission tells the shares counted as commission: what distributors
// and agents earn (tiers and the area), not the markup, the platform fee
// or the supplier's payable.
func IsCommission(p commission.Party) bool {
	return p.Kind == commission.KindTier || p.Kind == commission.KindAgent
}

// ReadLine reads a line's commissions with its shares.
func ReadLine(ctx context.Context, tx *sqldb.Tx, lineID int64) (*CommissionLine, error) {
	l := &CommissionLine{LineID: lineID}
	var snap, status string
	var booked int64
	var settled sql.NullInt64
	if err := tx.Get(ctx, "commission line", `SELECT order_id, currency, snapshot, booked_base, booked_markup, booked_quantity, paid,
			base, markup, quantity, status, held, booked_at, settled_at FROM commission_lines WHERE line_id = ?`, []any{lineID},
		&l.OrderID, &l.Currency, &snap, &l.Booked.Base, &l.Booked.Markup, &l.Booked.Quantity, &l.Paid,
		&l.Current.Base, &l.Current.Markup, &l.Current.Quantity, &status, &l.Held, &booked, &settled); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(snap), &l.Snapshot); err != nil {
		return nil, fmt.Errorf("commission line %d: snapshot: %w", lineID, err)
	}
	l.Status, l.BookedAt, l.SettledAt = LineStatus(status), sqldb.FromTS(booked), nullTime(settled)
	var err error
	l.Shares, err = ReadShares(ctx, tx, `WHERE s.line_id = ? ORDER BY s.id`, lineID)
	return l, err
}

const shareSelect = `SELECT s.id, s.line_id, s.order_id, s.kind, s.tier, s.beneficiary_id, s.booked_amount, s.amount,
	l.currency, l.status, l.booked_at, l.settled_at, s.settle_held FROM commission_shares s JOIN commission_lines l ON l.line_id = s.line_id `

// ReadShares reads the shares (s, joined with their lines l) that where
// selects and orders.
func ReadShares(ctx context.Context, tx *sqldb.Tx, where string, args ...any) ([]ShareRecord, error) {
	var out []ShareRecord
	err := tx.Each(ctx, shareSelect+where, args, func(scan func(...any) error) error {
		var r ShareRecord
		var kind, status string
		var booked int64
		var settled sql.NullInt64
		if err := scan(&r.ID, &r.LineID, &r.OrderID, &kind, &r.Party.Tier, &r.Party.ID, &r.Booked, &r.Amount,
			&r.Currency, &status, &booked, &settled, &r.SettleHeld); err != nil {
			return sqldb.MapErr(err)
		}
		r.Party.Kind, r.Status, r.BookedAt, r.SettledAt = commission.PartyKind(kind), LineStatus(status), sqldb.FromTS(booked), nullTime(settled)
		out = append(out, r)
		return nil
	})
	return out, err
}

func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := sqldb.FromTS(v.Int64)
	return &t
}

// BookedLine is a line BookLines booked now, for what the caller records
// beside it (the figures' sales events, the tally).
type BookedLine struct {
	LineID, OrderID int64
	Snapshot        commission.Snapshot
	Base            money.Amount
	Shares          []commission.Share
	NewOrder        bool // the order's first line booked
}

// BookLines books lines as pending, in the program's currency, in a few
// statements: the lines in one INSERT, their shares in one, their journals
// (book:line:{id}: clearing debited by the paid amount, each party's
// pending account credited) with PostMany. Between the shares and the
// journals it calls record with the lines booked now. old holds, by line
// id, the lines that were booked before with the same input (nothing
// changed for them); other input for a booked line is a Conflict on
// line_id.
func BookLines(ctx context.Context, tx *sqldb.Tx, bs []LineBooking, currency string, record func([]BookedLine) error) (old map[int64]*CommissionLine, err error) {
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
			int64(b.Line.Base), int64(b.Line.Markup), b.Line.Quantity, string(LinePending), sqldb.TS(tx.Now()))
		orders = append(orders, b.OrderID)
	}
	// An order's first line booked makes it a new order in the figures.
	// ON CONFLICT DO NOTHING: a concurrent booking of the same line waits
	// for the first to commit and then finds its row, instead of failing.
	// The orders booked before are read first, in the same round trip.
	prior := map[int64]bool{}
	fresh := map[int64]bool{}
	err = tx.Queries(ctx, sqldb.Query{SQL: `SELECT DISTINCT order_id FROM commission_lines WHERE order_id IN (` + sqldb.Placeholders(len(orders)) + `)`,
		Args: orders, Row: func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			prior[id] = true
			return err
		}}, sqldb.Query{SQL: `INSERT INTO commission_lines (line_id, order_id, currency, snapshot,
			booked_base, booked_markup, booked_quantity, paid, base, markup, quantity, status, held, booked_at)
		VALUES ` + strings.Join(lineValues, ", ") + ` ON CONFLICT (line_id) DO NOTHING RETURNING line_id`, Args: lineArgs,
		Row: func(scan func(...any) error) error {
			var id int64
			err := scan(&id)
			fresh[id] = true
			return err
		}})
	if err != nil {
		return nil, err
	}
	old = map[int64]*CommissionLine{}
	var shareValues []string
	var shareArgs []any
	var now []BookedLine
	var journals []ledger.Journal
	for i, b := range bs {
		if !fresh[b.LineID] {
			was, err := ReadLine(ctx, tx, b.LineID)
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
		p := Posting{}
		for _, sh := range shares[i] {
			shareValues = append(shareValues, "(?, ?, ?, ?, ?, ?, ?, ?)")
			shareArgs = append(shareArgs, b.LineID, b.OrderID, sh.Party.String(), string(sh.Party.Kind), sh.Party.Tier, sh.Party.ID,
				int64(sh.Amount), int64(sh.Amount))
			p.Debit(ledger.Code(ledger.Clearing, 0), sh.Amount)
			p.Credit(PendingAccount(sh.Party), sh.Amount)
		}
		now = append(now, BookedLine{LineID: b.LineID, OrderID: b.OrderID, Snapshot: b.Snapshot, Base: b.Line.Base, Shares: shares[i],
			NewOrder: !prior[b.OrderID]})
		prior[b.OrderID] = true
		// A line paid nothing (fully discounted) moves no money: no journal.
		if j, ok := p.Journal(fmt.Sprintf("book:line:%d", b.LineID), "book", fmt.Sprintf("order %d line %d paid", b.OrderID, b.LineID), currency); ok {
			journals = append(journals, j)
		}
	}
	if len(shareValues) > 0 {
		if err := tx.ExecLater(ctx, `INSERT INTO commission_shares (line_id, order_id, party, kind, tier, beneficiary_id, booked_amount, amount)
			VALUES `+strings.Join(shareValues, ", "), shareArgs...); err != nil {
			return nil, err
		}
	}
	if err := record(now); err != nil {
		return nil, err
	}
	_, err = PostMany(ctx, tx, currency, journals)
	return old, err
}

// SettledLine is a line SettleLines settled: its order, and the commission
// (IsCommission) left on it after refunds.
type SettledLine struct {
	LineID, OrderID int64
	Commission      money.Amount
}

// SettleLines settles the lines (of one currency) in the caller's
// transaction: it locks the wallets of every distributor they pay first,
// in account-code order, claims the lines (held and settled ones are
// skipped; of concurrent settlements exactly one claims a line), and posts
// one journal per line (settle:line:{id}) with PostMany: every party's
// pending share moves to its settled account, a distributor's earnings
// paying its debt first (Earn). It returns the lines it settled, by id;
// completing their orders is the caller's.
func SettleLines(ctx context.Context, tx *sqldb.Tx, currency string, ids []int64) ([]SettledLine, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	inIDs := make([]any, len(ids))
	for i, id := range ids {
		inIDs[i] = id
	}
	earners, err := sqldb.Column[int64](ctx, tx, `SELECT DISTINCT beneficiary_id FROM commission_shares WHERE line_id IN (`+sqldb.Placeholders(len(ids))+`)
		AND kind IN (?, ?, ?) ORDER BY beneficiary_id`,
		append(slices.Clone(inIDs), string(commission.KindTier), string(commission.KindMarkup), string(commission.KindAgent)))
	if err != nil {
		return nil, err
	}
	w, err := LockWallets(ctx, tx, currency, earners)
	if err != nil {
		return nil, err
	}
	tx.Point(ctx, "settle.wallets.locked")
	// Read the holds only now, behind the wallets' locks: HoldSettlement and
	// ReleaseSettlement take the same locks first, so a hold committed before
	// this point is seen, and one not yet committed waits for this
	// transaction (docs/fraud.md, "Hold and settle").
	held, err := heldOf(ctx, tx, earners)
	if err != nil {
		return nil, err
	}
	// Claim the lines: of concurrent settlements exactly one changes a row.
	claimedIDs, err := sqldb.Column[int64](ctx, tx, `UPDATE commission_lines SET status = ?, settled_at = ? WHERE line_id IN (`+
		lockedIn(tx, "commission_lines", "line_id", len(ids), "status = ? AND held = FALSE")+`) AND status = ? AND held = FALSE RETURNING line_id`,
		slices.Concat([]any{string(LineSettled), sqldb.TS(tx.Now())}, inIDs, lockedInArgs(tx, string(LinePending)), []any{string(LinePending)}))
	if err != nil || len(claimedIDs) == 0 {
		return nil, err
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
				return fmt.Errorf("books: line %d is in %s, not %s", l, cur, currency)
			}
			orderOf[l] = o
			return nil
		})
	if err != nil {
		return nil, err
	}
	shares, err := ReadShares(ctx, tx, `WHERE s.line_id IN (`+sqldb.Placeholders(len(claimed))+`) ORDER BY s.line_id, s.id`, claimed...)
	if err != nil {
		return nil, err
	}
	var journals []ledger.Journal
	var heldShares []any
	settled := make([]SettledLine, 0, len(claimedIDs))
	for _, id := range claimedIDs {
		p := Posting{}
		earned := ByDistributor{}
		var commissionSettled money.Amount
		for _, sh := range shares {
			if sh.LineID != id || sh.Amount == 0 {
				continue
			}
			if IsCommission(sh.Party) {
				commissionSettled += sh.Amount
			}
			if IsDistributor(sh.Party) && held[sh.Party.ID] {
				heldShares = append(heldShares, sh.ID) // stays pending until released
				continue
			}
			p.Debit(PendingAccount(sh.Party), sh.Amount)
			if IsDistributor(sh.Party) {
				earned[sh.Party.ID] += sh.Amount
			} else {
				p.Credit(SettledAccount(sh.Party), sh.Amount)
			}
		}
		for _, d := range earned.IDs() {
			if !w.Holds(d) {
				return nil, fmt.Errorf("books: line %d pays distributor %d, whose wallet this transaction did not lock", id, d)
			}
			Earn(p, w, d, earned[d])
		}
		settled = append(settled, SettledLine{LineID: id, OrderID: orderOf[id], Commission: commissionSettled})
		// Every share refunded before settlement: the line settles, nothing moves.
		if j, ok := p.Journal(fmt.Sprintf("settle:line:%d", id), "settle", fmt.Sprintf("order %d line %d settled", orderOf[id], id), currency); ok {
			journals = append(journals, j)
		}
	}
	if len(heldShares) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE commission_shares SET settle_held = TRUE WHERE id IN (`+sqldb.Placeholders(len(heldShares))+`)`, heldShares...); err != nil {
			return nil, err
		}
	}
	if _, err := PostMany(ctx, tx, currency, journals); err != nil {
		return nil, err
	}
	return settled, nil
}

// lockedIn returns what goes inside "key IN (…)" for n ids (the first
// arguments) of table: on SQLite the ids; on PostgreSQL a subquery that
// locks the rows meeting cond (lockedInArgs are its arguments, after the
// ids) in key order first, since one UPDATE locks rows in whatever order
// its plan meets them.
func lockedIn(tx *sqldb.Tx, table, key string, n int, cond string) string {
	if tx.Engine() != sqldb.Postgres {
		return sqldb.Placeholders(n)
	}
	return `SELECT ` + key + ` FROM ` + table + ` WHERE ` + key + ` IN (` + sqldb.Placeholders(n) + `) AND ` + cond +
		` ORDER BY ` + key + ` FOR UPDATE`
}

func lockedInArgs(tx *sqldb.Tx, args ...any) []any {
	if tx.Engine() != sqldb.Postgres {
		return nil
	}
	return args
}

// LockLine locks a commission line (a no-op write) so that a concurrent
// settlement or refund of it runs before or after the caller's
// transaction, never beside it. An unknown line is NotFound.
func LockLine(ctx context.Context, tx *sqldb.Tx, lineID int64) error {
	n, err := tx.ExecN(ctx, `UPDATE commission_lines SET held = held WHERE line_id = ?`, lineID)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "commission line not found")
	}
	return err
}

// SetLineHeld holds a line's settlement while an after-sale case is open,
// or releases it. Setting what is already set changes nothing.
func SetLineHeld(ctx context.Context, tx *sqldb.Tx, lineID int64, held bool) error {
	n, err := tx.ExecN(ctx, `UPDATE commission_lines SET held = ? WHERE line_id = ?`, held, lineID)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "commission line not found")
	}
	return err
}

// LineRefund is a refund RefundLine took now: the line as it stood before,
// and each party's reversal (commission.Recompute).
type LineRefund struct {
	Before *CommissionLine
	Delta  commission.Delta
}

// RefundLine takes a refund off a line under its lock (LockLine): after is
// what remains of it. The shares are recomputed on after (never scaled)
// and each party's reversal is its current share minus its new one,
// posted in one journal (key refund:line:{id}:{refundKey}) that credits
// account to with the paid amount refunded: refunds when the money is back
// with the customer, refunds_due while a provider still has to send it.
// Before settlement the reversal comes out of pending; after it comes out
// of available, payable and revenue, and a distributor's clawback beyond
// its available balance is booked as debt (ClawBack). A share that grew is
// credited the other way. The same refundKey again changes nothing (a nil
// LineRefund); with other amounts it is a Conflict on refund_key.
func RefundLine(ctx context.Context, tx *sqldb.Tx, lineID int64, refundKey string, after commission.Line, to string) (*LineRefund, error) {
	if strings.TrimSpace(refundKey) == "" || len(refundKey) > 100 {
		return nil, errs.Invalidf("refund_key", "must be 1 to 100 characters")
	}
	if err := LockLine(ctx, tx, lineID); err != nil {
		return nil, err
	}
	var prev commission.Line
	err := tx.Get(ctx, "refund", `SELECT base_after, markup_after, quantity_after FROM commission_refunds WHERE line_id = ? AND refund_key = ?`,
		[]any{lineID, refundKey}, &prev.Base, &prev.Markup, &prev.Quantity)
	switch {
	case err == nil:
		if prev != after {
			return nil, errs.E(errs.Conflict, "refund_key", "refund %q of line %d was already taken with other amounts", refundKey, lineID)
		}
		return nil, nil
	case !errs.Is(err, errs.NotFound):
		return nil, err
	}
	line, err := ReadLine(ctx, tx, lineID)
	if err != nil {
		return nil, err
	}
	if line, err = relockHeld(ctx, tx, line); err != nil {
		return nil, err
	}
	delta, err := commission.Recompute(line.Snapshot, line.Current, after)
	if err != nil {
		return nil, err
	}
	if after == line.Current {
		return nil, errs.Invalidf("after", "refunds nothing: it equals what remains of the line")
	}
	refund := delta.Total()
	p := Posting{}
	p.Credit(to, refund)
	clawed := ByDistributor{}
	stillPending := map[string]bool{} // shares of a settled line held back from the wallet (SettleHeld)
	for _, sh := range line.Shares {
		stillPending[sh.Party.String()] = sh.SettleHeld
	}
	for _, d := range delta {
		switch {
		case d.Amount == 0:
		case line.Status == LinePending, stillPending[d.Party.String()]:
			p.Debit(PendingAccount(d.Party), d.Amount)
		case IsDistributor(d.Party):
			clawed[d.Party.ID] += d.Amount
		default:
			p.Debit(SettledAccount(d.Party), d.Amount)
		}
	}
	w, err := LockWallets(ctx, tx, line.Currency, clawed.IDs())
	if err != nil {
		return nil, err
	}
	for _, id := range clawed.IDs() {
		if c := clawed[id]; c > 0 {
			ClawBack(p, w, id, c)
		} else if c < 0 {
			Earn(p, w, id, -c)
		}
	}
	if j, ok := p.Journal(fmt.Sprintf("refund:line:%d:%s", lineID, refundKey), "refund",
		fmt.Sprintf("order %d line %d refund %s", line.OrderID, lineID, refundKey), line.Currency); ok {
		if _, _, err := Post(ctx, tx, j); err != nil {
			return nil, err
		}
	}
	for _, d := range delta {
		if d.Amount == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE commission_shares SET amount = amount - ? WHERE line_id = ? AND party = ?`,
			int64(d.Amount), lineID, d.Party.String()); err != nil {
			return nil, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE commission_lines SET base = ?, markup = ?, quantity = ? WHERE line_id = ?`,
		int64(after.Base), int64(after.Markup), after.Quantity, lineID); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO commission_refunds (line_id, refund_key, base_after, markup_after, quantity_after, refunded, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, lineID, refundKey, int64(after.Base), int64(after.Markup), after.Quantity, int64(refund), sqldb.TS(tx.Now())); err != nil {
		return nil, err
	}
	return &LineRefund{Before: line, Delta: delta}, nil
}
