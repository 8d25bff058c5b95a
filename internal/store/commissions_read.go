package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
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
	l.Status, l.BookedAt, l.SettledAt = LineStatus(status), fromTS(booked), fromNullTS(settled)
	var err error
	l.Shares, err = tx.shareRecords(ctx, `WHERE s.line_id = ? ORDER BY s.id`, lineID)
	return l, err
}

const shareSelect = `SELECT s.id, s.line_id, s.order_id, s.kind, s.tier, s.beneficiary_id, s.booked_amount, s.amount,
	l.currency, l.status, l.booked_at, l.settled_at FROM commission_shares s JOIN commission_lines l ON l.line_id = s.line_id `

func (tx *Tx) shareRecords(ctx context.Context, where string, args ...any) ([]ShareRecord, error) {
	var out []ShareRecord
	err := tx.Each(ctx, shareSelect+where, args, func(scan func(...any) error) error {
		var r ShareRecord
		var kind, status string
		var booked int64
		var settled sql.NullInt64
		if err := scan(&r.ID, &r.LineID, &r.OrderID, &kind, &r.Party.Tier, &r.Party.ID, &r.Booked, &r.Amount,
			&r.Currency, &status, &booked, &settled); err != nil {
			return sqldb.MapErr(err)
		}
		r.Party.Kind, r.Status, r.BookedAt, r.SettledAt = commission.PartyKind(kind), LineStatus(status), fromTS(booked), fromNullTS(settled)
		out = append(out, r)
		return nil
	})
	return out, err
}

// ShareStatus is where a share stands, as records show it and Commissions
// filters on it; every share listed has exactly one.
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
	case s.Status == LineSettled:
		return SharesAvailable
	}
	return SharesPending
}

// CommissionFilter selects share records in id order.
type CommissionFilter struct {
	OrderID       int64
	DistributorID int64 // the distributor's tier, markup and agent shares
	SupplierID    int64 // the supplier's payable shares
	Status        ShareStatus
	After         int64
	Limit         int // 1..200, default 50; one more is returned to detect a next page
}

// Commissions lists share records. A distributor sees its own shares (tier,
// markup, agent), a supplier its payable shares, an operator all of them.
// Naming another distributor or supplier is NotFound, so existence does not leak.
func (db *DB) Commissions(ctx context.Context, actor account.Actor, f CommissionFilter) ([]ShareRecord, error) {
	if err := scopeCommissions(actor, &f); err != nil {
		return nil, errs.Wrap("store.Commissions", err)
	}
	// Shares that were never anything (no markup, a tier cut to zero by the cap) are noise here.
	where := `WHERE s.id > ? AND (s.booked_amount > 0 OR s.amount > 0)`
	args := []any{f.After}
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
	case SharesPending, SharesAvailable:
		st := LinePending
		if f.Status == SharesAvailable {
			st = LineSettled
		}
		where += ` AND s.amount > 0 AND l.status = ?`
		args = append(args, string(st))
	case SharesReversed:
		where += ` AND s.amount = 0`
	default:
		return nil, errs.Wrap("store.Commissions", errs.Invalidf("status", "must be pending, available or reversed"))
	}
	where += ` ORDER BY s.id LIMIT ?`
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
	for field, v := range map[string]int64{"order_id": f.OrderID, "distributor_id": f.DistributorID, "supplier_id": f.SupplierID, "after": f.After} {
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
