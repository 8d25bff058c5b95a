package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
)

// CommissionLine returns a line's commissions with its shares. It is for
// the order flow and the jobs, which decide who may see what; callers are
// served Commissions.
func (db *DB) CommissionLine(ctx context.Context, lineID int64) (*CommissionLine, error) {
	var l *CommissionLine
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		l, err = tx.commissionLine(ctx, lineID)
		return err
	})
	return l, errs.Wrap("store.CommissionLine", err)
}

func (tx *Tx) commissionLine(ctx context.Context, lineID int64) (*CommissionLine, error) {
	return books.ReadLine(ctx, tx.Tx, lineID)
}

func (tx *Tx) shareRecords(ctx context.Context, where string, args ...any) ([]ShareRecord, error) {
	return books.ReadShares(ctx, tx.Tx, where, args...)
}

// ShareStatus is where a share stands (books.ShareStatus).
type ShareStatus = books.ShareStatus

const (
	SharesPending   = books.SharesPending
	SharesAvailable = books.SharesAvailable
	SharesReversed  = books.SharesReversed
)

// CommissionFilter selects share records in id order.
type CommissionFilter struct {
	OrderID       int64
	DistributorID int64 // the distributor's tier, markup and agent shares
	SupplierID    int64 // the supplier's payable shares
	Status        ShareStatus
	After         int64
	// Before, when set, lists newest first: ids below it (math.MaxInt64
	// for the newest); After is then not used.
	Before int64
	Limit  int // 1..200, default 50; one more is returned to detect a next page
}

// Commissions lists share records. A distributor sees its own shares (tier,
// markup, agent), a supplier its payable shares, an operator all of them.
// Naming another distributor or supplier is NotFound, so existence does not leak.
func (db *DB) Commissions(ctx context.Context, actor account.Actor, f CommissionFilter) ([]ShareRecord, error) {
	if err := scopeCommissions(actor, &f); err != nil {
		return nil, errs.Wrap("store.Commissions", err)
	}
	// Shares that were never anything (no markup, a tier cut to zero by the cap) are noise here.
	where, args := `WHERE s.id > ? AND (s.booked_amount > 0 OR s.amount > 0)`, []any{f.After}
	if f.Before > 0 {
		where, args = `WHERE s.id < ? AND (s.booked_amount > 0 OR s.amount > 0)`, []any{f.Before}
	}
	if f.OrderID != 0 {
		where += ` AND s.order_id = ?`
		args = append(args, f.OrderID)
	}
	if f.DistributorID != 0 {
		where += ` AND s.beneficiary_id = ? AND s.kind IN (?, ?, ?)`
		args = append(args, f.DistributorID, string(commission.KindTier), string(commission.KindMarkup), string(commission.KindAgent))
	}
	if f.SupplierID != 0 {
		where += ` AND s.beneficiary_id = ? AND s.kind = ?`
		args = append(args, f.SupplierID, string(commission.KindSupplier))
	}
	// The same partition as ShareRecord.ShareStatus.
	switch f.Status {
	case "":
	case SharesPending:
		// A share held back at settlement (settle_held) is still pending.
		where += ` AND s.amount > 0 AND (l.status = ? OR s.settle_held = TRUE)`
		args = append(args, string(LinePending))
	case SharesAvailable:
		where += ` AND s.amount > 0 AND l.status = ? AND s.settle_held = FALSE`
		args = append(args, string(LineSettled))
	case SharesReversed:
		where += ` AND s.amount = 0`
	default:
		return nil, errs.Wrap("store.Commissions", errs.Invalidf("status", "must be pending, available or reversed"))
	}
	if f.Before > 0 {
		where += ` ORDER BY s.id DESC LIMIT ?`
	} else {
		where += ` ORDER BY s.id LIMIT ?`
	}
	args = append(args, limitPlusOne(f.Limit))
	var out []ShareRecord
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.shareRecords(ctx, where, args...)
		return err
	})
	return out, errs.Wrap("store.Commissions", err)
}

// scopeCommissions narrows f to what actor may see.
func scopeCommissions(actor account.Actor, f *CommissionFilter) error {
	if err := actor.Require(account.Operator, account.Distributor, account.Supplier); err != nil {
		return err
	}
	for field, v := range map[string]int64{"order_id": f.OrderID, "distributor_id": f.DistributorID, "supplier_id": f.SupplierID, "after": f.After, "before": f.Before} {
		if v < 0 {
			return errs.Invalidf(field, "must not be negative")
		}
	}
	if f.DistributorID != 0 && f.SupplierID != 0 {
		return errs.Invalidf("supplier_id", "give distributor_id or supplier_id, not both")
	}
	if actor.IsOperator() {
		return nil
	}
	asDistributor := actor.DistributorID != 0 && actor.Has(account.Distributor) && f.SupplierID == 0
	asSupplier := actor.SupplierID != 0 && actor.Has(account.Supplier)
	switch {
	case asDistributor:
		if f.DistributorID != 0 && f.DistributorID != actor.DistributorID {
			return errs.E(errs.NotFound, "distributor_id", "distributor not found")
		}
		f.DistributorID = actor.DistributorID
	case asSupplier:
		if f.SupplierID != 0 && f.SupplierID != actor.SupplierID {
			return errs.E(errs.NotFound, "supplier_id", "supplier not found")
		}
		if f.DistributorID != 0 {
			return errs.E(errs.NotFound, "distributor_id", "distributor not found")
		}
		f.SupplierID = actor.SupplierID
	default:
		// A distributor who has not joined yet, or a supplier not yet approved: nothing is theirs.
		return errs.E(errs.Forbidden, "", "only a distributor, a supplier or an operator may list commissions")
	}
	return nil
}
