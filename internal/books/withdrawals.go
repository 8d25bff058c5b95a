package books

import (
	"context"
	"errors"
	"fmt"

	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
	"sharemall/internal/wallet"
)

// Withdrawals: the rows of withdrawals and payout batches, the three
// journals that move a withdrawal's money (WithdrawalKey), and the
// wallet's withdrawn figure. The store checks who may do what and the
// program's rules (minimum, fee, daily limit) and audits; these functions
// change the rows and the money in the caller's transaction.

// ErrChanged is a withdrawal or payout batch that changed between its read
// and its conditional update.
var ErrChanged = errs.E(errs.Conflict, "status", "was changed by someone else at the same time; read it again")

// ErrKeyTaken is a withdrawal request whose client key another request of
// the same distributor took first (it may still roll back).
var ErrKeyTaken = errors.New("books: the withdrawal's client key is taken")

// Payout batch statuses.
const (
	BatchExported = "exported" // created; its bank file may be downloaded and sent
	BatchPaid     = "paid"     // the bank paid it; every withdrawal in it is paid
)

// HoldWithdrawal records a requested withdrawal of amount (fee included)
// and holds it: journal withdrawal:{id}:request moves it from the wallet's
// available balance to withdrawing, a covered debit (IsNotCovered when the
// wallet has less). The covered debit locks the wallet's available row
// until commit, so concurrent requests on one wallet queue here. A client
// key taken by another request is ErrKeyTaken.
func HoldWithdrawal(ctx context.Context, tx *sqldb.Tx, distributorID int64, currency string, amount, fee, withheld money.Amount, clientKey string) (int64, error) {
	id, err := tx.Insert(ctx, `INSERT INTO withdrawals (distributor_id, currency, amount, fee, net, withheld, status, client_key, requested_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, distributorID, currency, int64(amount), int64(fee), int64(amount-fee), int64(withheld), string(wallet.Requested),
		sqldb.NullString(clientKey), sqldb.TS(tx.Now()))
	if err != nil {
		if clientKey != "" && errs.Is(err, errs.Conflict) {
			return 0, ErrKeyTaken
		}
		return 0, err
	}
	hold := ledger.Journal{Key: WithdrawalKey(id, "request"), Kind: "withdrawal.request", Currency: currency,
		Memo: fmt.Sprintf("withdrawal %d requested by distributor %d", id, distributorID),
		Entries: []ledger.Entry{
			{Account: ledger.Code(ledger.DistributorAvailable, distributorID), Direction: ledger.Debit, Amount: amount, Covered: true},
			{Account: ledger.Code(ledger.DistributorWithdrawing, distributorID), Direction: ledger.Credit, Amount: amount},
		}}
	_, _, err = Post(ctx, tx, hold)
	return id, err
}

// LockWithdrawal takes a withdrawal's row lock by a no-op write (SELECT …
// FOR UPDATE is not portable): a concurrent decision on the same
// withdrawal waits, then reads the outcome of this one.
func LockWithdrawal(ctx context.Context, tx *sqldb.Tx, id int64) error {
	n, err := tx.ExecN(ctx, `UPDATE withdrawals SET status = status WHERE id = ?`, id)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "withdrawal not found")
	}
	return err
}

// ApproveWithdrawal approves a requested withdrawal, decided by account
// by; the money stays held. ErrChanged when it is no longer requested.
func ApproveWithdrawal(ctx context.Context, tx *sqldb.Tx, id, by int64) error {
	n, err := tx.ExecN(ctx, `UPDATE withdrawals SET status = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = ?`,
		string(wallet.Approved), sqldb.TS(tx.Now()), by, id, string(wallet.Requested))
	if err == nil && n != 1 {
		err = ErrChanged
	}
	return err
}

// PayWithdrawal marks a requested or approved withdrawal paid with ref
// (decided by by, unless decided before) and books the payout: the hold
// leaves the wallet, the net to withdrawals_paid and the fee to platform
// revenue (withdrawal:{id}:paid), and the wallet's withdrawn figure grows.
// ErrChanged when w's status changed since it was read.
func PayWithdrawal(ctx context.Context, tx *sqldb.Tx, w *wallet.Withdrawal, ref string, by int64) error {
	n, err := tx.ExecN(ctx, `UPDATE withdrawals SET status = ?, payout_ref = ?, paid_at = ?,
		decided_at = COALESCE(decided_at, ?), decided_by = COALESCE(decided_by, ?) WHERE id = ? AND status = ?`,
		string(wallet.Paid), ref, sqldb.TS(tx.Now()), sqldb.TS(tx.Now()), by, w.ID, string(w.Status))
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrChanged
	}
	j := ledger.Journal{Key: WithdrawalKey(w.ID, "paid"), Kind: "withdrawal.paid", Currency: w.Currency,
		Memo: fmt.Sprintf("withdrawal %d paid, reference %s", w.ID, ref),
		Entries: []ledger.Entry{
			// Covered: the hold must still be there; a ledger that says
			// otherwise is refused rather than driven below zero.
			{Account: ledger.Code(ledger.DistributorWithdrawing, w.DistributorID), Direction: ledger.Debit, Amount: w.Amount, Covered: true},
			{Account: ledger.Code(ledger.WithdrawalsPaid, 0), Direction: ledger.Credit, Amount: w.Net},
		}}
	if w.Fee > 0 {
		j.Entries = append(j.Entries, ledger.Entry{Account: ledger.Code(ledger.PlatformRevenue, 0), Direction: ledger.Credit, Amount: w.Fee})
	}
	if _, posted, err := Post(ctx, tx, j); err != nil || !posted {
		return err
	}
	// The tax withheld, its own journal: of the net, this much is not paid
	// to the distributor but owed to the tax office. Booked only when paid,
	// so a rejected withdrawal returns its whole amount and a clawback never
	// meets tax (docs/payouts.md, "Withholding").
	if w.Withheld > 0 {
		t := ledger.Journal{Key: WithdrawalKey(w.ID, "withholding"), Kind: "withdrawal.withholding", Currency: w.Currency,
			Memo: fmt.Sprintf("tax withheld from withdrawal %d of distributor %d", w.ID, w.DistributorID)}
		t.Move(ledger.Code(ledger.WithdrawalsPaid, 0), ledger.Code(ledger.TaxWithheld, 0), w.Withheld)
		if _, _, err := Post(ctx, tx, t); err != nil {
			return err
		}
	}
	tx.Point(ctx, "withdrawal.pay.posted") // the payout booked; the withdrawn figure not yet
	// The wallet's withdrawn figure, beside the journal. Its row is locked
	// only while the distributor's withdrawing account is (the covered
	// debit above), so it adds no lock of its own to the order.
	_, err = tx.Exec(ctx, `INSERT INTO wallet_withdrawn (distributor_id, amount) VALUES (?, ?)
		ON CONFLICT (distributor_id) DO UPDATE SET amount = wallet_withdrawn.amount + excluded.amount`, w.DistributorID, int64(w.Amount))
	return err
}

// RejectWithdrawal rejects a requested or approved withdrawal not in a
// batch with reason (decided by by) and releases the hold
// (withdrawal:{id}:reject): to the wallet's debt first when a clawback
// left one meanwhile, the rest back to available. ErrChanged when w's
// status changed since it was read.
func RejectWithdrawal(ctx context.Context, tx *sqldb.Tx, w *wallet.Withdrawal, reason string, by int64) error {
	n, err := tx.ExecN(ctx, `UPDATE withdrawals SET status = ?, reason = ?, decided_at = ?, decided_by = ?
		WHERE id = ? AND status = ? AND batch_id IS NULL`,
		string(wallet.Rejected), reason, sqldb.TS(tx.Now()), by, w.ID, string(w.Status))
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrChanged
	}
	// Lock the wallet before reading its debt, in account-code order
	// (available, debt, withdrawing) as settlements, refunds and requests
	// lock it: a settlement paying the debt or a clawback adding to it then
	// runs wholly before this reject or wholly after, never between the
	// read and the posting (which would pay a debt twice, or return money to
	// available while the wallet owes).
	available := ledger.Code(ledger.DistributorAvailable, w.DistributorID)
	debtCode := ledger.Code(ledger.DistributorDebt, w.DistributorID)
	withdrawing := ledger.Code(ledger.DistributorWithdrawing, w.DistributorID)
	locked, err := LockWalletAccounts(ctx, tx, w.Currency, []string{available, debtCode, withdrawing})
	if err != nil {
		return err
	}
	tx.Point(ctx, "withdrawal.reject.debt_read")
	toDebt, rest := DebtFirst(w.Amount, locked[debtCode])
	// Entries in the same code order.
	j := ledger.Journal{Key: WithdrawalKey(w.ID, "reject"), Kind: "withdrawal.reject", Currency: w.Currency,
		Memo: fmt.Sprintf("withdrawal %d rejected", w.ID)}
	if rest > 0 {
		j.Entries = append(j.Entries, ledger.Entry{Account: available, Direction: ledger.Credit, Amount: rest})
	}
	if toDebt > 0 {
		j.Entries = append(j.Entries, ledger.Entry{Account: debtCode, Direction: ledger.Credit, Amount: toDebt})
	}
	j.Entries = append(j.Entries, ledger.Entry{Account: withdrawing, Direction: ledger.Debit, Amount: w.Amount, Covered: true})
	_, _, err = Post(ctx, tx, j)
	return err
}

// CreatePayoutBatch puts every approved withdrawal not yet in a batch into
// a new batch, created by by, in one statement: a withdrawal approved or
// batched concurrently is either in this batch or not, never in two. It
// returns the batch's id and how many withdrawals it holds.
func CreatePayoutBatch(ctx context.Context, tx *sqldb.Tx, by int64) (id, n int64, err error) {
	id, err = tx.Insert(ctx, `INSERT INTO withdrawal_batches (status, created_by, created_at) VALUES (?, ?, ?)`,
		BatchExported, by, sqldb.TS(tx.Now()))
	if err != nil {
		return 0, 0, err
	}
	n, err = tx.ExecN(ctx, `UPDATE withdrawals SET batch_id = ? WHERE status = ? AND batch_id IS NULL`, id, string(wallet.Approved))
	return id, n, err
}

// LockPayoutBatch takes a batch's row lock (a no-op write): a concurrent
// mark waits, then sees this one's.
func LockPayoutBatch(ctx context.Context, tx *sqldb.Tx, id int64) error {
	n, err := tx.ExecN(ctx, `UPDATE withdrawal_batches SET status = status WHERE id = ?`, id)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "payout batch not found")
	}
	return err
}

// MarkBatchPaid marks an exported batch paid with ref, by by; PayBatch then
// pays its withdrawals in the same transaction. ErrChanged when the batch
// is no longer exported.
func MarkBatchPaid(ctx context.Context, tx *sqldb.Tx, id int64, ref string, by int64) error {
	n, err := tx.ExecN(ctx, `UPDATE withdrawal_batches SET status = ?, paid_at = ?, paid_by = ?, payout_ref = ? WHERE id = ? AND status = ?`,
		BatchPaid, sqldb.TS(tx.Now()), by, ref, id, BatchExported)
	if err == nil && n != 1 {
		err = ErrChanged
	}
	return err
}

// PayBatch pays the withdrawals ws of batch id, which must all be
// approved: their holds are locked first, in account-code order, then each
// is paid with ref (PayWithdrawal).
func PayBatch(ctx context.Context, tx *sqldb.Tx, id int64, ws []wallet.Withdrawal, ref string, by int64) error {
	holds := make([]string, len(ws))
	for i, w := range ws {
		holds[i] = ledger.Code(ledger.DistributorWithdrawing, w.DistributorID)
	}
	if err := LockAccounts(ctx, tx, holds...); err != nil {
		return err
	}
	for i := range ws {
		if ws[i].Status != wallet.Approved {
			return fmt.Errorf("batch %d holds withdrawal %d in status %s", id, ws[i].ID, ws[i].Status)
		}
		if err := PayWithdrawal(ctx, tx, &ws[i], ref, by); err != nil {
			return err
		}
	}
	return nil
}
