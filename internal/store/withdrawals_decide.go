package store

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/wallet"
)

// Longest payout reference and rejection reason, in characters.
const (
	MaxPayoutRef = 200
	MaxReason    = 500
)

// cleanText trims s and checks its length and that it holds no control characters.
func cleanText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return "", errs.Invalidf(field, "must be at most %d characters of text", max)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", errs.Invalidf(field, "must not hold control characters")
		}
	}
	return s, nil
}

// errChanged: a concurrent decision won the row between our read and our update.
var errChanged = books.ErrChanged

// withdrawalAudit is what the audit log records of a decision.
type withdrawalAudit struct {
	Status    wallet.Status `json:"status"`
	PayoutRef string        `json:"payout_ref,omitempty"`
	Reason    string        `json:"reason,omitempty"`
	BatchID   int64         `json:"batch_id,omitempty"`
}

// ApproveWithdrawal decides a requested withdrawal (operator; audited).
// With a payout reference it is paid at once (the money went out by other
// means); without one it is approved and waits for a payout batch, the
// amount still held. An approved withdrawal outside any batch may be paid
// later the same way. Repeating a decision with the same outcome changes
// nothing; any other change of mind is a Conflict naming "status" or
// "payout_ref".
func (db *DB) ApproveWithdrawal(ctx context.Context, actor account.Actor, id int64, payoutRef string) (*wallet.Withdrawal, error) {
	const op = "store.ApproveWithdrawal"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	ref, err := cleanText("payout_ref", payoutRef, MaxPayoutRef)
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var w *wallet.Withdrawal
	err = db.Write(ctx, func(tx *Tx) error {
		var err error
		w, err = tx.approveWithdrawal(ctx, actor, id, ref)
		return err
	})
	return w, errs.Wrap(op, err)
}

// lockWithdrawal reads a withdrawal under its row lock, taken by a no-op
// write (SELECT … FOR UPDATE is not portable): a concurrent decision on the
// same withdrawal waits, then reads the outcome of ours and repeats it as a
// no-op or refuses it.
func (tx *Tx) lockWithdrawal(ctx context.Context, id int64) (*wallet.Withdrawal, error) {
	if err := books.LockWithdrawal(ctx, tx.Tx, id); err != nil {
		return nil, err
	}
	return tx.withdrawal(ctx, id)
}

func (tx *Tx) approveWithdrawal(ctx context.Context, actor account.Actor, id int64, ref string) (*wallet.Withdrawal, error) {
	w, err := tx.lockWithdrawal(ctx, id)
	if err != nil {
		return nil, err
	}
	tx.Point(ctx, "withdrawal.approve.locked")
	switch {
	case w.Status == wallet.Rejected:
		return nil, errs.E(errs.Conflict, "status", "the withdrawal was rejected; the distributor may request again")
	case w.Status == wallet.Paid && ref == w.PayoutRef, w.Status == wallet.Approved && ref == "":
		return w, nil // the same decision again
	case w.Status == wallet.Paid:
		return nil, errs.E(errs.Conflict, "payout_ref", "the withdrawal was already paid with reference %q", w.PayoutRef)
	case w.Status == wallet.Approved && w.BatchID != 0:
		return nil, errs.E(errs.Conflict, "status", "the withdrawal is in payout batch %d; mark the batch paid", w.BatchID)
	}
	old := withdrawalAudit{Status: w.Status}
	if ref == "" {
		if err := books.ApproveWithdrawal(ctx, tx.Tx, id, actor.AccountID); err != nil {
			return nil, err
		}
	} else if err := books.PayWithdrawal(ctx, tx.Tx, w, ref, actor.AccountID); err != nil {
		return nil, err
	} else if err := tx.recordInsight(ctx, insightEvent{kind: eventPaidOut, ref: w.ID, amount: int64(w.Amount)}); err != nil {
		return nil, err
	}
	if w, err = tx.withdrawal(ctx, id); err != nil {
		return nil, err
	}
	action := "withdrawal.approve"
	if w.Status == wallet.Paid {
		action = "withdrawal.pay"
	}
	return w, tx.audit(ctx, actor.AccountID, action, fmt.Sprintf("withdrawal:%d", id), old, withdrawalAudit{Status: w.Status, PayoutRef: w.PayoutRef})
}

// RejectWithdrawal refuses a requested or approved withdrawal (operator;
// audited) and releases the hold: to the wallet's debt first when a
// clawback left one meanwhile, the rest back to available. The reason is
// required; the distributor sees it. Rejecting a rejected withdrawal again
// changes nothing; a paid one, or one in a payout batch, is a Conflict.
func (db *DB) RejectWithdrawal(ctx context.Context, actor account.Actor, id int64, reason string) (*wallet.Withdrawal, error) {
	const op = "store.RejectWithdrawal"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	reason, err := cleanText("reason", reason, MaxReason)
	if err == nil && reason == "" {
		err = errs.Invalidf("reason", "is required: say why, the distributor sees it")
	}
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var w *wallet.Withdrawal
	err = db.Write(ctx, func(tx *Tx) error {
		var err error
		w, err = tx.rejectWithdrawal(ctx, actor, id, reason)
		return err
	})
	return w, errs.Wrap(op, err)
}

func (tx *Tx) rejectWithdrawal(ctx context.Context, actor account.Actor, id int64, reason string) (*wallet.Withdrawal, error) {
	w, err := tx.lockWithdrawal(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case w.Status == wallet.Rejected:
		return w, nil
	case w.Status == wallet.Paid:
		return nil, errs.E(errs.Conflict, "status", "the withdrawal was already paid")
	case w.BatchID != 0:
		return nil, errs.E(errs.Conflict, "status", "the withdrawal is in payout batch %d, already exported to the bank", w.BatchID)
	}
	if err := books.RejectWithdrawal(ctx, tx.Tx, w, reason, actor.AccountID); err != nil {
		return nil, err
	}
	old := withdrawalAudit{Status: w.Status}
	if w, err = tx.withdrawal(ctx, id); err != nil {
		return nil, err
	}
	return w, tx.audit(ctx, actor.AccountID, "withdrawal.reject", fmt.Sprintf("withdrawal:%d", id), old, withdrawalAudit{Status: w.Status, Reason: reason})
}
