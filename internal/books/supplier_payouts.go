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

// Supplier payouts: the operator pays a supplier's settled payable
// (supplier_payable) in batches. Three journals, each keyed by the payout:
//
//	supplier_payout:{id}:hold    supplier_payable → supplier_paying (a covered debit: never above what is available)
//	supplier_payout:{id}:paid    supplier_paying → supplier_payouts_paid
//	supplier_payout:{id}:reject  supplier_paying → supplier_payable (the money back)
//
// The store checks who may do what and audits; these functions change the
// rows and the money in the caller's transaction.

// SupplierPayoutKey is the idempotency key of a supplier payout's journal.
func SupplierPayoutKey(id int64, event string) string {
	return fmt.Sprintf("supplier_payout:%d:%s", id, event)
}

// Supplier payout statuses.
const (
	SupplierPayoutApproved = "approved" // made by the operator; the amount held
	SupplierPayoutExported = "exported" // in a batch sent to the bank
	SupplierPayoutPaid     = "paid"
	SupplierPayoutRejected = "rejected" // the hold went back to the payable
)

// ErrSupplierKeyTaken is a payout whose client key another payout of the
// same supplier took first.
var ErrSupplierKeyTaken = errors.New("books: the supplier payout's client key is taken")

// HoldSupplierPayout records an approved payout of amount to supplier
// supplierID (made by by) and holds it: journal supplier_payout:{id}:hold
// debits the supplier's payable, covered, so a payout above what is
// available fails with IsNotCovered. The covered debit locks the payable's
// row until commit: a refund that claws back from the same payable (its
// deferred balance change) waits for this one, then drives the payable
// below zero if it must (the supplier then owes; later settlements pay it
// back), and a payout after a refund sees what the refund left.
func HoldSupplierPayout(ctx context.Context, tx *sqldb.Tx, supplierID int64, currency string, amount money.Amount, clientKey string, by int64) (int64, error) {
	id, err := tx.Insert(ctx, `INSERT INTO supplier_payouts (supplier_id, currency, amount, status, client_key, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, supplierID, currency, int64(amount), SupplierPayoutApproved, clientKey, by, sqldb.TS(tx.Now()))
	if err != nil {
		if errs.Is(err, errs.Conflict) {
			return 0, ErrSupplierKeyTaken
		}
		return 0, err
	}
	j := ledger.Journal{Key: SupplierPayoutKey(id, "hold"), Kind: "supplier_payout.hold", Currency: currency,
		Memo: fmt.Sprintf("payout %d to supplier %d approved", id, supplierID),
		Entries: []ledger.Entry{
			{Account: ledger.Code(ledger.SupplierPayable, supplierID), Direction: ledger.Debit, Amount: amount, Covered: true},
			{Account: ledger.Code(ledger.SupplierPaying, supplierID), Direction: ledger.Credit, Amount: amount},
		}}
	_, _, err = Post(ctx, tx, j)
	return id, err
}

// LockSupplierPayout takes a payout's row lock by a no-op write.
func LockSupplierPayout(ctx context.Context, tx *sqldb.Tx, id int64) error {
	n, err := tx.ExecN(ctx, `UPDATE supplier_payouts SET status = status WHERE id = ?`, id)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "supplier payout not found")
	}
	return err
}

// RejectSupplierPayout rejects an approved payout not yet in a batch with
// reason (by by) and gives the hold back to the payable
// (supplier_payout:{id}:reject). ErrChanged when it is no longer approved.
func RejectSupplierPayout(ctx context.Context, tx *sqldb.Tx, id, supplierID int64, currency string, amount money.Amount, reason string, by int64) error {
	n, err := tx.ExecN(ctx, `UPDATE supplier_payouts SET status = ?, reason = ?, decided_at = ?, decided_by = ?
		WHERE id = ? AND status = ? AND batch_id IS NULL`, SupplierPayoutRejected, reason, sqldb.TS(tx.Now()), by, id, SupplierPayoutApproved)
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrChanged
	}
	j := ledger.Journal{Key: SupplierPayoutKey(id, "reject"), Kind: "supplier_payout.reject", Currency: currency,
		Memo: fmt.Sprintf("payout %d to supplier %d rejected", id, supplierID),
		Entries: []ledger.Entry{
			{Account: ledger.Code(ledger.SupplierPayable, supplierID), Direction: ledger.Credit, Amount: amount},
			{Account: ledger.Code(ledger.SupplierPaying, supplierID), Direction: ledger.Debit, Amount: amount, Covered: true},
		}}
	_, _, err = Post(ctx, tx, j)
	return err
}

// CreateSupplierPayoutBatch puts every approved payout not yet in a batch
// into a new batch (by by), in one statement, and marks them exported.
func CreateSupplierPayoutBatch(ctx context.Context, tx *sqldb.Tx, by int64) (id, n int64, err error) {
	id, err = tx.Insert(ctx, `INSERT INTO supplier_payout_batches (status, created_by, created_at) VALUES (?, ?, ?)`,
		BatchExported, by, sqldb.TS(tx.Now()))
	if err != nil {
		return 0, 0, err
	}
	n, err = tx.ExecN(ctx, `UPDATE supplier_payouts SET batch_id = ?, status = ?, decided_at = ?, decided_by = ?
		WHERE status = ? AND batch_id IS NULL`, id, SupplierPayoutExported, sqldb.TS(tx.Now()), by, SupplierPayoutApproved)
	return id, n, err
}

// LockSupplierPayoutBatch takes a batch's row lock (a no-op write).
func LockSupplierPayoutBatch(ctx context.Context, tx *sqldb.Tx, id int64) error {
	n, err := tx.ExecN(ctx, `UPDATE supplier_payout_batches SET status = status WHERE id = ?`, id)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "supplier payout batch not found")
	}
	return err
}

// SupplierPayoutToPay is what paying one payout of a batch needs.
type SupplierPayoutToPay struct {
	ID, SupplierID int64
	Currency       string
	Amount         money.Amount
}

// PaySupplierBatch marks exported batch id paid with ref (by by) and pays
// its payouts ps: their holds are locked first, in account-code order,
// then each is booked (supplier_payout:{id}:paid). ErrChanged when the
// batch is no longer exported.
func PaySupplierBatch(ctx context.Context, tx *sqldb.Tx, id int64, ps []SupplierPayoutToPay, ref string, by int64) error {
	n, err := tx.ExecN(ctx, `UPDATE supplier_payout_batches SET status = ?, paid_at = ?, paid_by = ?, payout_ref = ? WHERE id = ? AND status = ?`,
		BatchPaid, sqldb.TS(tx.Now()), by, ref, id, BatchExported)
	if err == nil && n != 1 {
		err = ErrChanged
	}
	if err != nil {
		return err
	}
	holds := make([]string, len(ps))
	for i, p := range ps {
		holds[i] = ledger.Code(ledger.SupplierPaying, p.SupplierID)
	}
	if err := LockAccounts(ctx, tx, holds...); err != nil {
		return err
	}
	for _, p := range ps {
		n, err := tx.ExecN(ctx, `UPDATE supplier_payouts SET status = ?, payout_ref = ?, paid_at = ? WHERE id = ? AND status = ? AND batch_id = ?`,
			SupplierPayoutPaid, ref, sqldb.TS(tx.Now()), p.ID, SupplierPayoutExported, id)
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("supplier payout batch %d: payout %d is not exported in it", id, p.ID)
		}
		j := ledger.Journal{Key: SupplierPayoutKey(p.ID, "paid"), Kind: "supplier_payout.paid", Currency: p.Currency,
			Memo: fmt.Sprintf("payout %d to supplier %d paid, reference %s", p.ID, p.SupplierID, ref),
			Entries: []ledger.Entry{
				{Account: ledger.Code(ledger.SupplierPaying, p.SupplierID), Direction: ledger.Debit, Amount: p.Amount, Covered: true},
				{Account: ledger.Code(ledger.SupplierPayoutsPaid, 0), Direction: ledger.Credit, Amount: p.Amount},
			}}
		if _, _, err := Post(ctx, tx, j); err != nil {
			return err
		}
	}
	return nil
}
