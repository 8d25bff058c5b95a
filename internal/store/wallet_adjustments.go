package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// WalletAdjustment is an operator's manual correction of a distributor's
// wallet: a credit or a debit with the reason, booked as its own journal
// (JournalKey, the reason as its memo). ToDebt is how much of it met the
// wallet's debt: of a credit, what paid the debt first; of a debit, what
// found nothing available and became debt.
type WalletAdjustment struct {
	ID            int64
	DistributorID int64
	Key           string
	Direction     string // "credit" or "debit"
	Currency      string
	Amount        money.Amount
	ToDebt        money.Amount
	Reason        string
	JournalKey    string
	By            int64 // the operator's account
	At            time.Time
}

// AdjustmentInput is what an operator asks for.
type AdjustmentInput struct {
	Amount    money.Amount
	Direction string // "credit" or "debit"
	Reason    string
	Key       string // idempotency key, chosen by the client
}

func (in *AdjustmentInput) normalize() error {
	in.Key = strings.TrimSpace(in.Key)
	switch {
	case in.Amount <= 0:
		return errs.Invalidf("amount", "must be positive")
	case in.Direction != books.AdjustCredit && in.Direction != books.AdjustDebit:
		return errs.Invalidf("direction", "must be credit or debit")
	case in.Key == "":
		return errs.Invalidf("key", "is required: a key of your choosing, so that a retry books once")
	case len(in.Key) > 100 || strings.ContainsFunc(in.Key, func(r rune) bool { return r < 0x21 || r > 0x7e }):
		return errs.Invalidf("key", "must be at most 100 printable ASCII characters without spaces")
	}
	r, err := operatorReason(in.Reason, "the wallet is adjusted")
	in.Reason = r
	return err
}

func fromBooksAdjustment(a *books.Adjustment) *WalletAdjustment {
	return &WalletAdjustment{ID: a.ID, DistributorID: a.DistributorID, Key: a.Key, Direction: a.Direction, Currency: a.Currency,
		Amount: a.Amount, ToDebt: a.ToDebt, Reason: a.Reason, JournalKey: a.JournalKey, By: a.By, At: fromTS(a.At)}
}

// AdjustWallet credits or debits a distributor's wallet by hand (operator
// only, audited with the reason). A credit pays the wallet's debt first and
// the rest becomes available; a debit takes what is available and books the
// rest as debt, as a refund after settlement does, so a wallet can go into
// debt (it then cannot withdraw, and later earnings pay the debt first).
// The money moves in one balanced journal against the platform's
// adjustments account (internal/books). The same key for the same
// distributor with the same terms returns the first adjustment (created
// false); with other terms it is a Conflict on key. A suspended
// distributor can be adjusted too: corrections outlast suspension.
func (db *DB) AdjustWallet(ctx context.Context, actor account.Actor, distributorID int64, in AdjustmentInput) (*WalletAdjustment, bool, error) {
	const op = "store.AdjustWallet"
	if err := actor.Require(account.Operator); err != nil {
		return nil, false, errs.Wrap(op, err)
	}
	if err := in.normalize(); err != nil {
		return nil, false, errs.Wrap(op, err)
	}
	var out *WalletAdjustment
	var created bool
	var currency string
	err := db.Write(ctx, func(tx *Tx) error {
		d, err := tx.distributor(ctx, distributorID)
		if err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		currency = s.CurrencyCode
		a, posted, err := books.Adjust(ctx, tx.Tx, books.Adjustment{DistributorID: d.ID, Key: in.Key, Direction: in.Direction,
			Currency: currency, Amount: in.Amount, Reason: in.Reason, By: actor.AccountID})
		if err != nil || !posted {
			if a != nil {
				out = fromBooksAdjustment(a)
			}
			return err
		}
		out, created = fromBooksAdjustment(a), true
		type adj struct {
			Direction  string       `json:"direction"`
			Amount     money.Amount `json:"amount"`
			Currency   string       `json:"currency"`
			ToDebt     money.Amount `json:"to_debt"`
			Reason     string       `json:"reason"`
			Key        string       `json:"key"`
			JournalKey string       `json:"journal_key"`
		}
		return tx.audit(ctx, actor.AccountID, "wallet.adjust", "distributor:"+itoaID(d.ID), nil,
			adj{a.Direction, a.Amount, a.Currency, a.ToDebt, a.Reason, a.Key, a.JournalKey})
	})
	if errors.Is(err, books.ErrAdjustmentKeyTaken) {
		// A concurrent adjustment with this key committed first: answer as it did.
		err = db.Read(ctx, func(tx *Tx) error {
			a, err := books.ReadAdjustment(ctx, tx.Tx, distributorID, in.Key)
			if err != nil {
				return err
			}
			if a.Direction != in.Direction || a.Amount != in.Amount || a.Currency != currency || a.Reason != in.Reason {
				return books.ErrAdjustmentKeyReused
			}
			out, created = fromBooksAdjustment(a), false
			return nil
		})
	}
	return out, created, errs.Wrap(op, err)
}

// WalletAdjustments lists a distributor's manual adjustments, oldest
// first, after id after; the distributor itself and operators may read them.
func (db *DB) WalletAdjustments(ctx context.Context, actor account.Actor, distributorID, after int64, limit int) ([]WalletAdjustment, error) {
	const op = "store.WalletAdjustments"
	if err := actor.Require(account.Distributor, account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	var out []WalletAdjustment
	err := db.Read(ctx, func(tx *Tx) error {
		self := actor.DistributorID == distributorID && actor.APIKeyID == 0
		if !actor.IsOperator() && !self {
			return errs.E(errs.NotFound, "", "distributor not found")
		}
		if _, err := tx.distributor(ctx, distributorID); err != nil {
			return err
		}
		as, err := books.ReadAdjustments(ctx, tx.Tx, distributorID, after, limit)
		for i := range as {
			out = append(out, *fromBooksAdjustment(&as[i]))
		}
		return err
	})
	return out, errs.Wrap(op, err)
}
