package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/payout"
)

// Payout details: where a distributor or a supplier is paid, sealed under
// the keys UsePayoutKeys gave (docs/payouts.md). Reads return the masked
// view only; the one place that opens a box is the operator's payout
// export (payout_export.go).

// Payout owner kinds.
const (
	PayoutDistributor = "distributor"
	PayoutSupplier    = "supplier"
)

// PayoutOwner names whose details: a kind and an id.
type PayoutOwner struct {
	Kind string
	ID   int64
}

func (o PayoutOwner) String() string { return payout.Owner(o.Kind, o.ID) }

// PayoutDetailsView is what callers see of recorded details.
type PayoutDetailsView struct {
	Owner     PayoutOwner
	Masked    payout.Masked
	UpdatedAt time.Time
	UpdatedBy int64
}

// UsePayoutKeys sets the keys payout details are sealed and opened with.
// It is called once at start, before any request.
func (db *DB) UsePayoutKeys(k *payout.Keyring) { db.payoutKeys = k }

func (db *DB) keys() (*payout.Keyring, error) {
	if db.payoutKeys == nil {
		return nil, errs.E(errs.Unavailable, "", "payout details are not configured on this server (SHAREMALL_PAYOUT_KEY_FILE)")
	}
	return db.payoutKeys, nil
}

// mayRecordPayout: only the owner itself records where it is paid — a
// distributor for its wallet, a supplier's staff for the supplier, never
// through an API key and never an operator, so that no one account can
// both redirect money and approve its payout.
func mayRecordPayout(actor account.Actor, o PayoutOwner) error {
	if actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	if actor.APIKeyID == 0 {
		switch {
		case o.Kind == PayoutDistributor && actor.DistributorID != 0 && actor.DistributorID == o.ID:
			return nil
		case o.Kind == PayoutSupplier && actor.SupplierID == o.ID && actor.Has(account.Supplier):
			return nil
		}
	}
	if actor.IsOperator() {
		return errs.E(errs.Forbidden, "", "only the %s itself records where it is paid", o.Kind)
	}
	return errs.E(errs.NotFound, "", "%s not found", o.Kind)
}

// maySeePayout: the owner or an operator sees the masked details.
func maySeePayout(actor account.Actor, o PayoutOwner) error {
	if actor.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	if actor.IsOperator() {
		return nil
	}
	return mayRecordPayout(actor, o)
}

func checkOwner(o PayoutOwner) error {
	if o.Kind != PayoutDistributor && o.Kind != PayoutSupplier {
		return fmt.Errorf("store: payout owner kind %q", o.Kind)
	}
	if o.ID <= 0 {
		return errs.Invalidf(o.Kind+"_id", "must be a positive id")
	}
	return nil
}

// SetPayoutDetails records where owner is paid, replacing what it had
// (the owner itself; audited, masked). Wrong details are Invalid naming the
// field and change nothing. Withdrawals already requested keep the details
// they were requested with.
func (db *DB) SetPayoutDetails(ctx context.Context, actor account.Actor, o PayoutOwner, d payout.Details) (*PayoutDetailsView, error) {
	const op = "store.SetPayoutDetails"
	if err := checkOwner(o); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if err := mayRecordPayout(actor, o); err != nil {
		return nil, errs.Wrap(op, err)
	}
	d, err := d.Validate()
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	k, err := db.keys()
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	sealed, err := k.Seal(o.String(), d)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	m := d.Mask()
	masked, err := json.Marshal(m)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var v *PayoutDetailsView
	err = db.Write(ctx, func(tx *Tx) error {
		old, err := tx.payoutDetails(ctx, o)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO payout_details (owner_kind, owner_id, method, masked, key_id, box, updated_at, updated_by, fingerprint)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (owner_kind, owner_id) DO UPDATE SET method = excluded.method, masked = excluded.masked,
				key_id = excluded.key_id, box = excluded.box, updated_at = excluded.updated_at, updated_by = excluded.updated_by,
				fingerprint = excluded.fingerprint`,
			o.Kind, o.ID, string(d.Method), string(masked), sealed.KeyID, sealed.Box, ts(tx.Now()), actor.AccountID, k.Fingerprint(d)); err != nil {
			return err
		}
		var before any
		if old != nil {
			before = old.Masked
		}
		if v, err = tx.payoutDetails(ctx, o); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "payout_details.set", o.String(), before, m)
	})
	return v, errs.Wrap(op, err)
}

// PayoutDetails returns owner's masked details (the owner or an operator);
// none recorded is NotFound naming "payout_details".
func (db *DB) PayoutDetails(ctx context.Context, actor account.Actor, o PayoutOwner) (*PayoutDetailsView, error) {
	const op = "store.PayoutDetails"
	if err := checkOwner(o); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if err := maySeePayout(actor, o); err != nil {
		return nil, errs.Wrap(op, err)
	}
	var v *PayoutDetailsView
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		v, err = tx.payoutDetails(ctx, o)
		return err
	})
	return v, errs.Wrap(op, err)
}

func (tx *Tx) payoutDetails(ctx context.Context, o PayoutOwner) (*PayoutDetailsView, error) {
	v := &PayoutDetailsView{Owner: o}
	var masked string
	var at int64
	err := tx.Get(ctx, "payout details", `SELECT masked, updated_at, updated_by FROM payout_details WHERE owner_kind = ? AND owner_id = ?`,
		[]any{o.Kind, o.ID}, &masked, &at, &v.UpdatedBy)
	if errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.NotFound, "payout_details", "no payout details are recorded yet")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(masked), &v.Masked); err != nil {
		return nil, fmt.Errorf("payout details of %s: %w", o, err)
	}
	v.UpdatedAt = fromTS(at)
	return v, nil
}

// snapshotPayout copies a distributor's payout details, as they are now,
// onto withdrawal id: the box is copied sealed (same key, same owner), so
// no key is needed. A distributor without details leaves no row.
func (tx *Tx) snapshotPayout(ctx context.Context, withdrawalID, distributorID int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO withdrawal_payout_details (withdrawal_id, owner_id, method, masked, key_id, box)
		SELECT ?, owner_id, method, masked, key_id, box FROM payout_details WHERE owner_kind = ? AND owner_id = ?`,
		withdrawalID, PayoutDistributor, distributorID)
	return err
}

// maskedOf decodes a masked view stored as JSON; nil for none.
func maskedOf(s string) *payout.Masked {
	if s == "" {
		return nil
	}
	var m payout.Masked
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return &m
}

// RotatePayoutKeys seals every stored box not under the newest key again
// under it: recorded details and withdrawals' copies. Each row is
// rewritten only if it still holds the box read (a concurrent change
// wins; the next run takes it). It returns how many rows it resealed.
func (db *DB) RotatePayoutKeys(ctx context.Context) (int, error) {
	const op = "store.RotatePayoutKeys"
	k, err := db.keys()
	if err != nil {
		return 0, errs.Wrap(op, err)
	}
	type row struct {
		table, where string
		args         []any
		owner        string
		sealed       payout.Sealed
	}
	var rows []row
	err = db.Read(ctx, func(tx *Tx) error {
		rs, err := tx.Query(ctx, `SELECT owner_kind, owner_id, key_id, box FROM payout_details WHERE key_id <> ?`, k.Newest())
		if err != nil {
			return err
		}
		for rs.Next() {
			var kind string
			var id int64
			var s payout.Sealed
			if err := rs.Scan(&kind, &id, &s.KeyID, &s.Box); err != nil {
				rs.Close()
				return err
			}
			rows = append(rows, row{"payout_details", "owner_kind = ? AND owner_id = ?", []any{kind, id}, payout.Owner(kind, id), s})
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return err
		}
		rs, err = tx.Query(ctx, `SELECT withdrawal_id, owner_id, key_id, box FROM withdrawal_payout_details WHERE key_id <> ?`, k.Newest())
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var wid, id int64
			var s payout.Sealed
			if err := rs.Scan(&wid, &id, &s.KeyID, &s.Box); err != nil {
				return err
			}
			rows = append(rows, row{"withdrawal_payout_details", "withdrawal_id = ?", []any{wid}, payout.Owner(PayoutDistributor, id), s})
		}
		return rs.Err()
	})
	if err != nil {
		return 0, errs.Wrap(op, err)
	}
	n := 0
	for _, r := range rows {
		re, _, err := k.Reseal(r.owner, r.sealed)
		if err != nil {
			return n, errs.Wrap(op, err)
		}
		var c int64
		err = db.Write(ctx, func(tx *Tx) error {
			var err error
			c, err = tx.ExecN(ctx, `UPDATE `+r.table+` SET key_id = ?, box = ? WHERE `+r.where+` AND key_id = ? AND box = ?`,
				append(append([]any{re.KeyID, re.Box}, r.args...), r.sealed.KeyID, r.sealed.Box)...)
			return err
		})
		if err != nil {
			return n, errs.Wrap(op, err)
		}
		n += int(c)
	}
	return n, nil
}
