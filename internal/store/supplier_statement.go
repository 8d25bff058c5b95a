package store

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
)

// What a supplier sees of the money owed to it: its balance, a statement
// of its payable by period, its payouts (docs/payouts.md).

// mayViewSupplierMoney: the supplier itself (its staff or its API key) or
// an operator; anyone else gets NotFound.
func mayViewSupplierMoney(actor account.Actor, id int64) error {
	if actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	if !actor.OwnsSupplier(id) {
		return errs.E(errs.NotFound, "", "supplier not found")
	}
	return nil
}

// SupplierBalance is where a supplier's money stands.
type SupplierBalance struct {
	SupplierID int64
	Currency   string
	Pending    money.Amount // lines in the after-sale window
	Available  money.Amount // settled, not yet paid out (negative: refunds after settlement exceeded it; later settlements pay it back)
	Paying     money.Amount // held for approved or exported payouts
	PaidOut    money.Amount // paid payouts
}

// SupplierBalance returns a supplier's balance.
func (db *DB) SupplierBalance(ctx context.Context, actor account.Actor, supplierID int64) (*SupplierBalance, error) {
	const op = "store.SupplierBalance"
	if err := mayViewSupplierMoney(actor, supplierID); err != nil {
		return nil, errs.Wrap(op, err)
	}
	b := &SupplierBalance{SupplierID: supplierID}
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.supplier(ctx, supplierID); err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		b.Currency = s.CurrencyCode
		for _, x := range []struct {
			k   ledger.Kind
			out *money.Amount
		}{{ledger.SupplierPending, &b.Pending}, {ledger.SupplierPayable, &b.Available}, {ledger.SupplierPaying, &b.Paying}} {
			if *x.out, err = books.Balance(ctx, tx.Tx, ledger.Code(x.k, supplierID)); err != nil {
				return err
			}
		}
		return tx.Get(ctx, "paid out", `SELECT COALESCE(SUM(amount), 0) FROM supplier_payouts WHERE supplier_id = ? AND status = ?`,
			[]any{supplierID, books.SupplierPayoutPaid}, &b.PaidOut)
	})
	return b, errs.Wrap(op, err)
}

// SupplierPayouts lists a supplier's payouts, newest first (the supplier
// or an operator); supplierID 0 lists every supplier's (operator only).
func (db *DB) SupplierPayouts(ctx context.Context, actor account.Actor, supplierID int64, status string, limit int) ([]SupplierPayout, error) {
	const op = "store.SupplierPayouts"
	if supplierID == 0 {
		if err := actor.Require(account.Operator); err != nil {
			return nil, errs.Wrap(op, err)
		}
	} else if err := mayViewSupplierMoney(actor, supplierID); err != nil {
		return nil, errs.Wrap(op, err)
	}
	switch status {
	case "", books.SupplierPayoutApproved, books.SupplierPayoutExported, books.SupplierPayoutPaid, books.SupplierPayoutRejected:
	default:
		return nil, errs.Wrap(op, errs.Invalidf("status", "must be approved, exported, paid or rejected"))
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	var out []SupplierPayout
	err := db.Read(ctx, func(tx *Tx) error {
		where, args := `1 = 1`, []any{}
		if supplierID != 0 {
			where, args = where+` AND supplier_id = ?`, append(args, supplierID)
		}
		if status != "" {
			where, args = where+` AND status = ?`, append(args, status)
		}
		var err error
		out, err = tx.supplierPayouts(ctx, where+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
		return err
	})
	return out, errs.Wrap(op, err)
}

// StatementLine is one journal on a supplier's payable.
type StatementLine struct {
	At        time.Time
	JournalID int64
	Key       string // the journal's idempotency key: its cause
	Kind      string // settle, refund, supplier_payout.hold, …
	Memo      string
	Debit     money.Amount // taken from the payable (refunds, payouts)
	Credit    money.Amount // added to it (settled lines, rejected payouts)
	Balance   money.Amount // after this line
}

// Statement is a supplier's payable over a period.
type Statement struct {
	SupplierID       int64
	Currency         string
	From, To         string // yyyy-mm-dd, both included, in the program's time zone
	Opening, Closing money.Amount
	Lines            []StatementLine
}

// MaxStatementLines bounds one statement; a longer period is refused.
const MaxStatementLines = 10000

// SupplierStatement lists every journal on a supplier's payable from day
// from to day to (yyyy-mm-dd, both included, in the program's time zone):
// settled lines, refunds after settlement, payouts held and given back.
func (db *DB) SupplierStatement(ctx context.Context, actor account.Actor, supplierID int64, from, to string) (*Statement, error) {
	const op = "store.SupplierStatement"
	if err := mayViewSupplierMoney(actor, supplierID); err != nil {
		return nil, errs.Wrap(op, err)
	}
	f, err := time.Parse("2006-01-02", strings.TrimSpace(from))
	if err != nil {
		return nil, errs.Wrap(op, errs.Invalidf("from", "must be a day as yyyy-mm-dd"))
	}
	t, err := time.Parse("2006-01-02", strings.TrimSpace(to))
	if err != nil {
		return nil, errs.Wrap(op, errs.Invalidf("to", "must be a day as yyyy-mm-dd"))
	}
	if t.Before(f) {
		return nil, errs.Wrap(op, errs.Invalidf("to", "must not be before from"))
	}
	st := &Statement{SupplierID: supplierID, From: f.Format("2006-01-02"), To: t.Format("2006-01-02")}
	err = db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.supplier(ctx, supplierID); err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		st.Currency = s.CurrencyCode
		loc := s.Location()
		start := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, loc)
		end := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
		code := ledger.Code(ledger.SupplierPayable, supplierID)
		const signed = `CASE WHEN e.direction = 'C' THEN e.amount ELSE -e.amount END`
		if err := tx.Get(ctx, "opening", `SELECT COALESCE(SUM(`+signed+`), 0) FROM ledger_entries e
			JOIN ledger_accounts a ON a.id = e.account_id JOIN journals j ON j.id = e.journal_id
			WHERE a.code = ? AND j.created_at < ?`, []any{code, ts(start)}, &st.Opening); err != nil {
			return err
		}
		bal := st.Opening
		err = tx.Each(ctx, `SELECT j.id, j.created_at, j.idempotency_key, j.kind, j.memo, e.direction, e.amount FROM ledger_entries e
			JOIN ledger_accounts a ON a.id = e.account_id JOIN journals j ON j.id = e.journal_id
			WHERE a.code = ? AND j.created_at >= ? AND j.created_at < ? ORDER BY j.id LIMIT ?`, []any{code, ts(start), ts(end), MaxStatementLines + 1},
			func(scan func(...any) error) error {
				var l StatementLine
				var at int64
				var dir string
				var amount money.Amount
				if err := scan(&l.JournalID, &at, &l.Key, &l.Kind, &l.Memo, &dir, &amount); err != nil {
					return err
				}
				if dir == "C" {
					l.Credit, bal = amount, bal+amount
				} else {
					l.Debit, bal = amount, bal-amount
				}
				l.At, l.Balance = fromTS(at), bal
				st.Lines = append(st.Lines, l)
				return nil
			})
		if err != nil {
			return err
		}
		if len(st.Lines) > MaxStatementLines {
			return errs.Invalidf("to", "the period holds more than %d lines; choose a shorter one", MaxStatementLines)
		}
		st.Closing = bal
		return nil
	})
	return st, errs.Wrap(op, err)
}

// StatementHeader is the header row of a statement's CSV.
var StatementHeader = []string{"date", "journal_id", "reference", "kind", "memo", "debit", "credit", "balance", "currency"}

// StatementCSV writes a statement as CSV: an opening row, one row per
// line (dates in loc), a closing row; amounts in major units.
func StatementCSV(w io.Writer, st *Statement, loc *time.Location) error {
	c := money.CurrencyOf(st.Currency)
	cw := csv.NewWriter(w)
	cw.Write(StatementHeader)
	cw.Write([]string{st.From, "", "", "opening", "", "", "", c.Format(st.Opening), st.Currency})
	for _, l := range st.Lines {
		debit, credit := "", ""
		if l.Debit != 0 {
			debit = c.Format(l.Debit)
		}
		if l.Credit != 0 {
			credit = c.Format(l.Credit)
		}
		cw.Write([]string{l.At.In(loc).Format("2006-01-02 15:04:05"), strconv.FormatInt(l.JournalID, 10), l.Key, l.Kind, cell(l.Memo),
			debit, credit, c.Format(l.Balance), st.Currency})
	}
	cw.Write([]string{st.To, "", "", "closing", "", "", "", c.Format(st.Closing), st.Currency})
	cw.Flush()
	return cw.Error()
}
