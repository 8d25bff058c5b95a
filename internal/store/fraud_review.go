package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/fraud"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// FraudSignal is one finding of the fraud sweep, as the review queue shows it.
type FraudSignal struct {
	ID            int64
	Kind          fraud.Kind
	DistributorID int64
	Distributor   string // its display name
	EvidenceKey   string
	Evidence      fraud.Evidence
	Holds         bool // holds settlement while open
	Status        fraud.Status
	DetectedAt    time.Time
	ReviewedAt    *time.Time
	ReviewedBy    int64
	ReviewReason  string
}

// FraudFilter selects signals: newest first (by id), or oldest first
// after AfterID when that is set (the API's pages).
type FraudFilter struct {
	Status        fraud.Status // "" for every status
	DistributorID int64        // 0 for every distributor
	BeforeID      int64        // page, newest first: signals before this id; 0 for the newest
	AfterID       int64        // page, oldest first: signals after this id
	OldestFirst   bool         // oldest first (from AfterID)
	Limit         int          // 1–201; 0 means 50
}

// SettlementHold is a distributor's hold as the console shows it.
type SettlementHold struct {
	Held  bool
	Since *time.Time
	// Pending is the commission held back so far: the distributor's shares
	// of lines that settled while it was held, still in its pending account.
	Pending money.Amount
}

// MaxReviewReason is how long a review's reason may be, in characters.
const MaxReviewReason = 500

const fraudSelect = `SELECT f.id, f.kind, f.distributor_id, d.display_name, f.evidence_key, f.evidence, f.holds, f.status,
	f.detected_at, f.reviewed_at, COALESCE(f.reviewed_by, 0), f.review_reason FROM fraud_signals f JOIN distributors d ON d.id = f.distributor_id `

// FraudSignals lists signals (operators only).
func (db *DB) FraudSignals(ctx context.Context, actor account.Actor, f FraudFilter) ([]FraudSignal, error) {
	const op = "store.FraudSignals"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if f.Status != "" && f.Status != fraud.Open && f.Status != fraud.Dismissed && f.Status != fraud.Confirmed {
		return nil, errs.Wrap(op, errs.Invalidf("status", "must be open, dismissed or confirmed"))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 201)
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		where, args = append(where, "f.status = ?"), append(args, string(f.Status))
	}
	if f.DistributorID != 0 {
		where, args = append(where, "f.distributor_id = ?"), append(args, f.DistributorID)
	}
	if f.BeforeID != 0 {
		where, args = append(where, "f.id < ?"), append(args, f.BeforeID)
	}
	order := "DESC"
	if f.OldestFirst {
		where, args, order = append(where, "f.id > ?"), append(args, f.AfterID), "ASC"
	}
	var out []FraudSignal
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.fraudSignals(ctx, `WHERE `+strings.Join(where, " AND ")+` ORDER BY f.id `+order+` LIMIT ?`, append(args, f.Limit)...)
		return err
	})
	return out, errs.Wrap(op, err)
}

// FraudSignal reads one signal (operators only).
func (db *DB) FraudSignal(ctx context.Context, actor account.Actor, id int64) (*FraudSignal, error) {
	const op = "store.FraudSignal"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	var out *FraudSignal
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.fraudSignal(ctx, id)
		return err
	})
	return out, errs.Wrap(op, err)
}

func (tx *Tx) fraudSignal(ctx context.Context, id int64) (*FraudSignal, error) {
	l, err := tx.fraudSignals(ctx, `WHERE f.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, errs.E(errs.NotFound, "id", "fraud signal %d not found", id)
	}
	return &l[0], nil
}

func (tx *Tx) fraudSignals(ctx context.Context, where string, args ...any) ([]FraudSignal, error) {
	var out []FraudSignal
	err := tx.Each(ctx, fraudSelect+where, args, func(scan func(...any) error) error {
		var s FraudSignal
		var kind, status, evidence string
		var detected int64
		var reviewed sql.NullInt64
		if err := scan(&s.ID, &kind, &s.DistributorID, &s.Distributor, &s.EvidenceKey, &evidence, &s.Holds, &status,
			&detected, &reviewed, &s.ReviewedBy, &s.ReviewReason); err != nil {
			return sqldb.MapErr(err)
		}
		s.Kind, s.Status, s.DetectedAt, s.ReviewedAt = fraud.Kind(kind), fraud.Status(status), fromTS(detected), fromNullTS(reviewed)
		if err := json.Unmarshal([]byte(evidence), &s.Evidence); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// SettlementHoldOf says whether a distributor's settlement is held and how
// much is held back (operators only).
func (db *DB) SettlementHoldOf(ctx context.Context, actor account.Actor, distributorID int64) (*SettlementHold, error) {
	const op = "store.SettlementHoldOf"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	h := &SettlementHold{}
	err := db.Read(ctx, func(tx *Tx) error {
		err := tx.Each(ctx, `SELECT since FROM settlement_holds WHERE distributor_id = ?`, []any{distributorID}, func(scan func(...any) error) error {
			var since int64
			err := scan(&since)
			t := fromTS(since)
			h.Held, h.Since = true, &t
			return sqldb.MapErr(err)
		})
		if err != nil {
			return err
		}
		return tx.Get(ctx, "shares", `SELECT COALESCE(SUM(amount), 0) FROM commission_shares WHERE beneficiary_id = ? AND settle_held = TRUE`,
			[]any{distributorID}, &h.Pending)
	})
	return h, errs.Wrap(op, err)
}

// ReviewFraudSignal records an operator's decision on an open signal:
// fraud.Dismissed (innocent; a reason is required) or fraud.Confirmed (a
// reason is optional). The decision is audited (fraud_signal.dismiss,
// fraud_signal.confirm) in the same transaction. When it was the
// distributor's last open signal that holds, the hold ends and what it held
// back moves to the wallet (books.ReleaseSettlement). A signal reviewed
// before is a Conflict on "status".
//
// The distributor's wallet is locked first, as the sweep's hold and the
// settle sweep lock it, so two reviews of one distributor's signals run one
// after the other and the second sees the first's decision: the hold ends
// exactly when no open holding signal is left.
func (db *DB) ReviewFraudSignal(ctx context.Context, actor account.Actor, id int64, decision fraud.Status, reason string) (*FraudSignal, error) {
	const op = "store.ReviewFraudSignal"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	reason = strings.TrimSpace(reason)
	switch {
	case decision != fraud.Dismissed && decision != fraud.Confirmed:
		return nil, errs.Wrap(op, errs.Invalidf("decision", "must be dismissed or confirmed"))
	case decision == fraud.Dismissed && reason == "":
		return nil, errs.Wrap(op, errs.Invalidf("reason", "say why the signal is dismissed"))
	case utf8.RuneCountInString(reason) > MaxReviewReason:
		return nil, errs.Wrap(op, errs.Invalidf("reason", "must be at most %d characters", MaxReviewReason))
	}
	var out *FraudSignal
	err := db.Write(ctx, func(tx *Tx) error {
		was, err := tx.fraudSignal(ctx, id)
		if err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if _, err := books.LockWallets(ctx, tx.Tx, s.CurrencyCode, []int64{was.DistributorID}); err != nil {
			return err
		}
		tx.Point(ctx, "fraud.review.locked")
		n, err := tx.ExecN(ctx, `UPDATE fraud_signals SET status = ?, reviewed_at = ?, reviewed_by = ?, review_reason = ? WHERE id = ? AND status = 'open'`,
			string(decision), ts(tx.Now()), actor.AccountID, reason, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.Conflict, "status", "fraud signal %d was already reviewed", id)
		}
		if was.Holds {
			var open int64
			if err := tx.Get(ctx, "signals", `SELECT COUNT(*) FROM fraud_signals WHERE distributor_id = ? AND status = 'open' AND holds = TRUE`,
				[]any{was.DistributorID}, &open); err != nil {
				return err
			}
			if open == 0 {
				if _, err := books.ReleaseSettlement(ctx, tx.Tx, s.CurrencyCode, was.DistributorID); err != nil {
					return err
				}
			}
		}
		if out, err = tx.fraudSignal(ctx, id); err != nil {
			return err
		}
		action := "fraud_signal.dismiss"
		if decision == fraud.Confirmed {
			action = "fraud_signal.confirm"
		}
		return tx.audit(ctx, actor.AccountID, action, "fraud_signal:"+itoaID(id),
			map[string]any{"status": was.Status, "kind": was.Kind, "distributor_id": was.DistributorID},
			map[string]any{"status": decision, "reason": reason})
	})
	return out, errs.Wrap(op, err)
}
