package books

import (
	"context"
	"errors"
	"fmt"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Adjustment is an operator's manual correction of a distributor's wallet:
// a credit (money the platform gives) or a debit (money it takes back),
// with the reason. ToDebt is how much of it met the wallet's debt: of a
// credit, what paid the debt first; of a debit, what found nothing
// available and was booked as debt.
type Adjustment struct {
	ID            int64
	DistributorID int64
	Key           string // the operator's idempotency key
	Direction     string // AdjustCredit or AdjustDebit
	Currency      string
	Amount        money.Amount
	ToDebt        money.Amount
	Reason        string
	JournalKey    string
	By            int64
	At            int64 // Unix microseconds
}

// Adjustment directions.
const (
	AdjustCredit = "credit"
	AdjustDebit  = "debit"
)

// AdjustmentKey is the journal key of distributor's adjustment under the operator's key.
func AdjustmentKey(distributor int64, key string) string {
	return fmt.Sprintf("adjustment:%d:%s", distributor, key)
}

// ErrAdjustmentKeyTaken is an adjustment whose key a concurrent adjustment
// of the same distributor took first (it may still roll back).
var ErrAdjustmentKeyTaken = errors.New("books: the adjustment's key is taken")

// ErrAdjustmentKeyReused is an adjustment key used before with other terms.
var ErrAdjustmentKeyReused = errs.E(errs.Conflict, "key", "was used for another adjustment of this distributor; use a new key")

// Adjust books a manual adjustment in its own balanced journal
// (adjustment:{distributor}:{key}, the reason as its memo) against the
// platform's adjustments account: a credit pays the wallet's debt first and
// the rest becomes available (Earn); a debit takes what is available and
// books the rest as debt (ClawBack), as refunds after settlement do. The
// wallet is locked first (available, debt, in code order). The same key
// with the same terms returns the first adjustment (posted false); with
// other terms it is ErrAdjustmentKeyReused.
func Adjust(ctx context.Context, tx *sqldb.Tx, a Adjustment) (out *Adjustment, posted bool, err error) {
	if prev, err := readAdjustment(ctx, tx, a.DistributorID, a.Key); err == nil {
		if prev.Direction != a.Direction || prev.Amount != a.Amount || prev.Currency != a.Currency || prev.Reason != a.Reason {
			return nil, false, ErrAdjustmentKeyReused
		}
		return prev, false, nil
	} else if !errs.Is(err, errs.NotFound) {
		return nil, false, err
	}
	w, err := LockWallets(ctx, tx, a.Currency, []int64{a.DistributorID})
	if err != nil {
		return nil, false, err
	}
	tx.Point(ctx, "adjustment.wallet.locked")
	debtCode := ledger.Code(ledger.DistributorDebt, a.DistributorID)
	before := w[debtCode]
	p := Posting{}
	switch a.Direction {
	case AdjustCredit:
		p.Debit(ledger.Code(ledger.Adjustments, 0), a.Amount)
		Earn(p, w, a.DistributorID, a.Amount)
		a.ToDebt = w[debtCode] - before
	case AdjustDebit:
		p.Credit(ledger.Code(ledger.Adjustments, 0), a.Amount)
		ClawBack(p, w, a.DistributorID, a.Amount)
		a.ToDebt = before - w[debtCode]
	default:
		return nil, false, errs.Invalidf("direction", "must be credit or debit")
	}
	a.JournalKey = AdjustmentKey(a.DistributorID, a.Key)
	j, _ := p.Journal(a.JournalKey, "adjustment."+a.Direction, a.Reason, a.Currency)
	a.At = sqldb.TS(tx.Now())
	if a.ID, err = tx.Insert(ctx, `INSERT INTO wallet_adjustments (distributor_id, client_key, direction, currency, amount, to_debt,
		reason, journal_key, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.DistributorID, a.Key, a.Direction, a.Currency, int64(a.Amount), int64(a.ToDebt), a.Reason, a.JournalKey, a.By, a.At); err != nil {
		// A concurrent adjustment with the same key won (PostgreSQL; the
		// unique index decides): the caller reads it in a new transaction.
		if errs.Is(err, errs.Conflict) {
			return nil, false, ErrAdjustmentKeyTaken
		}
		return nil, false, err
	}
	if _, _, err := Post(ctx, tx, j); err != nil {
		return nil, false, err
	}
	return &a, true, nil
}

const adjustmentCols = `id, distributor_id, client_key, direction, currency, amount, to_debt, reason, journal_key, created_by, created_at`

func scanAdjustment(scan func(...any) error) (*Adjustment, error) {
	var a Adjustment
	var amount, toDebt int64
	if err := scan(&a.ID, &a.DistributorID, &a.Key, &a.Direction, &a.Currency, &amount, &toDebt, &a.Reason, &a.JournalKey, &a.By, &a.At); err != nil {
		return nil, sqldb.MapErr(err)
	}
	a.Amount, a.ToDebt = money.Amount(amount), money.Amount(toDebt)
	return &a, nil
}

func readAdjustment(ctx context.Context, tx *sqldb.Tx, distributor int64, key string) (*Adjustment, error) {
	var out *Adjustment
	err := tx.One(ctx, "adjustment", `SELECT `+adjustmentCols+` FROM wallet_adjustments WHERE distributor_id = ? AND client_key = ?`,
		[]any{distributor, key}, func(scan func(...any) error) (err error) {
			out, err = scanAdjustment(scan)
			return err
		})
	return out, err
}

// ReadAdjustment reads a distributor's adjustment by the operator's key (NotFound when none).
func ReadAdjustment(ctx context.Context, tx *sqldb.Tx, distributor int64, key string) (*Adjustment, error) {
	return readAdjustment(ctx, tx, distributor, key)
}

// ReadAdjustments lists a distributor's adjustments after id after, oldest first.
func ReadAdjustments(ctx context.Context, tx *sqldb.Tx, distributor, after int64, limit int) ([]Adjustment, error) {
	var out []Adjustment
	err := tx.Each(ctx, `SELECT `+adjustmentCols+` FROM wallet_adjustments WHERE distributor_id = ? AND id > ? ORDER BY id LIMIT ?`,
		[]any{distributor, after, limit}, func(scan func(...any) error) error {
			a, err := scanAdjustment(scan)
			if err == nil {
				out = append(out, *a)
			}
			return err
		})
	return out, err
}
