package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// LineNote is what a commission listing shows beside the shares of one
// order line: the product as ordered, and why each refund took some of the
// line back.
type LineNote struct {
	LineID    int64
	OrderID   int64
	ProductID int64
	Title     string
	Quantity  int64 // as ordered
	Refunds   []LineRefundNote
}

// LineRefundNote is one refund taken off a line, oldest first.
type LineRefundNote struct {
	At            time.Time
	Refunded      money.Amount // what went back to the customer of the line's paid amount
	QuantityAfter int64        // units left on the line
	CaseID        int64        // the after-sale case it came from; 0 for none
	Kind          CaseKind     // the case's kind
	Reason        string       // the customer's reason for the case
	DecisionNote  string       // the supplier's note when it decided
}

// MaxNoteLines is the most lines CommissionNotes takes at once.
const MaxNoteLines = 200

// CommissionNotes returns the notes of the lines, by line id, that the
// caller holds a share of (as Commissions scopes it: a distributor its
// tier, markup and agent shares, a supplier its payables, an operator
// every line); other lines are left out, so existence does not leak. It
// reads the lines, their refunds and the after-sale cases behind them by
// key: three indexed queries for a page of commissions.
func (db *DB) CommissionNotes(ctx context.Context, actor account.Actor, lineIDs []int64) (map[int64]*LineNote, error) {
	const op = "store.CommissionNotes"
	f := CommissionFilter{}
	if err := scopeCommissions(actor, &f); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if len(lineIDs) > MaxNoteLines {
		return nil, errs.Wrap(op, errs.Invalidf("line_ids", "must be at most %d", MaxNoteLines))
	}
	out := map[int64]*LineNote{}
	if len(lineIDs) == 0 {
		return out, nil
	}
	ids := sqldb.Args(lineIDs)
	q := `SELECT l.id, l.order_id, l.product_id, l.title, l.quantity FROM order_lines l WHERE l.id IN (` + sqldb.Placeholders(len(ids)) + `)`
	args := ids
	switch {
	case f.DistributorID != 0:
		q += ` AND EXISTS (SELECT 1 FROM commission_shares s WHERE s.line_id = l.id AND s.beneficiary_id = ? AND s.kind IN (?, ?, ?))`
		args = append(args, f.DistributorID, string(commission.KindTier), string(commission.KindMarkup), string(commission.KindAgent))
	case f.SupplierID != 0:
		q += ` AND l.supplier_id = ?`
		args = append(args, f.SupplierID)
	}
	err := db.Read(ctx, func(tx *Tx) error {
		var visible []int64
		err := tx.Each(ctx, q, args, func(scan func(...any) error) error {
			n := &LineNote{}
			if err := scan(&n.LineID, &n.OrderID, &n.ProductID, &n.Title, &n.Quantity); err != nil {
				return sqldb.MapErr(err)
			}
			out[n.LineID] = n
			visible = append(visible, n.LineID)
			return nil
		})
		if err != nil || len(visible) == 0 {
			return err
		}
		type ref struct {
			line int64
			i    int
		}
		cases := map[int64][]ref{} // by case id: the refunds it made
		err = tx.Each(ctx, `SELECT line_id, refund_key, quantity_after, refunded, at FROM commission_refunds
			WHERE line_id IN (`+sqldb.Placeholders(len(visible))+`) ORDER BY line_id, at, id`, sqldb.Args(visible),
			func(scan func(...any) error) error {
				var line, at int64
				var key string
				var r LineRefundNote
				if err := scan(&line, &key, &r.QuantityAfter, &r.Refunded, &at); err != nil {
					return sqldb.MapErr(err)
				}
				r.At = fromTS(at)
				n := out[line]
				n.Refunds = append(n.Refunds, r)
				// After-sale refunds are keyed case:{id} (aftersale_decide.go).
				if c, ok := strings.CutPrefix(key, "case:"); ok {
					if id, err := strconv.ParseInt(c, 10, 64); err == nil {
						cases[id] = append(cases[id], ref{line, len(n.Refunds) - 1})
					}
				}
				return nil
			})
		if err != nil || len(cases) == 0 {
			return err
		}
		caseIDs := sortedKeys(cases)
		return tx.Each(ctx, `SELECT id, kind, reason, decision_note FROM aftersale_cases WHERE id IN (`+sqldb.Placeholders(len(caseIDs))+`)`,
			sqldb.Args(caseIDs), func(scan func(...any) error) error {
				var id int64
				var kind, reason, note string
				if err := scan(&id, &kind, &reason, &note); err != nil {
					return sqldb.MapErr(err)
				}
				for _, a := range cases[id] {
					r := &out[a.line].Refunds[a.i]
					r.CaseID, r.Kind, r.Reason, r.DecisionNote = id, CaseKind(kind), reason, note
				}
				return nil
			})
	})
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	return out, nil
}
