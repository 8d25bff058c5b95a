package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
	"sharemall/internal/wallet"
)

// BatchStatus is where a payout batch stands.
type BatchStatus string

const (
	BatchExported BatchStatus = books.BatchExported // created; its bank file may be downloaded and sent
	BatchPaid     BatchStatus = books.BatchPaid     // the bank paid it; every withdrawal in it is paid
)

// PayoutBatch groups approved withdrawals into one bank file.
type PayoutBatch struct {
	ID        int64
	Status    BatchStatus
	CreatedBy int64
	CreatedAt time.Time
	PaidAt    *time.Time
	PaidBy    int64
	PayoutRef string
}

// PayoutCSVHeader is the header row of a payout batch's bank file.
var PayoutCSVHeader = []string{"withdrawal_id", "distributor_id", "account_holder", "amount", "currency", "reference"}

// PayoutReference is what the bank file asks the bank to write on a
// transfer, so a payment can be matched to its withdrawal.
func PayoutReference(withdrawalID int64) string { return fmt.Sprintf("sharemall-w%d", withdrawalID) }

func (tx *Tx) payoutBatch(ctx context.Context, id int64) (*PayoutBatch, error) {
	b := &PayoutBatch{ID: id}
	var status string
	var created int64
	var paid sql.NullInt64
	var paidBy nullableInt
	var ref nullableString
	if err := tx.Get(ctx, "payout batch", `SELECT status, created_by, created_at, paid_at, paid_by, payout_ref FROM withdrawal_batches WHERE id = ?`,
		[]any{id}, &status, &b.CreatedBy, &created, &paid, &paidBy, &ref); err != nil {
		return nil, err
	}
	b.Status, b.CreatedAt, b.PaidAt, b.PaidBy, b.PayoutRef = BatchStatus(status), fromTS(created), fromNullTS(paid), int64(paidBy), string(ref)
	return b, nil
}

func (tx *Tx) batchWithdrawals(ctx context.Context, id int64) ([]wallet.Withdrawal, error) {
	return tx.withdrawals(ctx, `SELECT `+withdrawalCols+` FROM withdrawals WHERE batch_id = ? ORDER BY id`, id)
}

// batchAudit is what the audit log records of a batch.
type batchAudit struct {
	Status      BatchStatus `json:"status"`
	PayoutRef   string      `json:"payout_ref,omitempty"`
	Withdrawals []int64     `json:"withdrawals,omitempty"`
}

func withdrawalIDs(ws []wallet.Withdrawal) []int64 {
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	return ids
}

// CreatePayoutBatch puts every approved withdrawal not yet in a batch into
// a new batch (operator; audited). None waiting is a Conflict.
func (db *DB) CreatePayoutBatch(ctx context.Context, actor account.Actor) (*PayoutBatch, []wallet.Withdrawal, error) {
	const op = "store.CreatePayoutBatch"
	if err := actor.Require(account.Operator); err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	var b *PayoutBatch
	var ws []wallet.Withdrawal
	err := db.Write(ctx, func(tx *Tx) error {
		id, n, err := books.CreatePayoutBatch(ctx, tx.Tx, actor.AccountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.Conflict, "", "no approved withdrawals are waiting for a payout batch")
		}
		if b, err = tx.payoutBatch(ctx, id); err != nil {
			return err
		}
		if ws, err = tx.batchWithdrawals(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "payout_batch.create", fmt.Sprintf("payout_batch:%d", id), nil,
			batchAudit{Status: b.Status, Withdrawals: withdrawalIDs(ws)})
	})
	return b, ws, errs.Wrap(op, err)
}

// PayoutBatch returns a batch with its withdrawals (operator).
func (db *DB) PayoutBatch(ctx context.Context, actor account.Actor, id int64) (*PayoutBatch, []wallet.Withdrawal, error) {
	const op = "store.PayoutBatch"
	if err := actor.Require(account.Operator); err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	var b *PayoutBatch
	var ws []wallet.Withdrawal
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if b, err = tx.payoutBatch(ctx, id); err != nil {
			return err
		}
		ws, err = tx.batchWithdrawals(ctx, id)
		return err
	})
	return b, ws, errs.Wrap(op, err)
}

// PayoutBatchCSV writes a batch's bank file (operator): UTF-8 CSV, lines
// ending in LF, fields quoted only when needed, the header PayoutCSVHeader, one row per withdrawal in id order, the
// amount being the net to pay in major units. The file is built before a
// byte is written, so a failure never leaves half a file. The amount is
// what the bank pays: the net less any tax withheld.
func (db *DB) PayoutBatchCSV(ctx context.Context, actor account.Actor, id int64, w io.Writer) error {
	const op = "store.PayoutBatchCSV"
	if err := actor.Require(account.Operator); err != nil {
		return errs.Wrap(op, err)
	}
	var buf bytes.Buffer
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.payoutBatch(ctx, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT w.id, w.distributor_id, a.name, d.display_name, w.net - w.withheld, w.currency
			FROM withdrawals w JOIN distributors d ON d.id = w.distributor_id JOIN accounts a ON a.id = d.account_id
			WHERE w.batch_id = ? ORDER BY w.id`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		cw := csv.NewWriter(&buf)
		cw.Write(PayoutCSVHeader)
		for rows.Next() {
			var wid, did int64
			var name, display, cur string
			var net money.Amount
			if err := rows.Scan(&wid, &did, &name, &display, &net, &cur); err != nil {
				return sqldb.MapErr(err)
			}
			c, ok := money.LookupCurrency(cur)
			if !ok {
				return fmt.Errorf("withdrawal %d: unknown currency %q", wid, cur)
			}
			cw.Write([]string{strconv.FormatInt(wid, 10), strconv.FormatInt(did, 10), holderName(name, display, did),
				c.Format(net), cur, PayoutReference(wid)})
		}
		if err := rows.Err(); err != nil {
			return sqldb.MapErr(err)
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return errs.Wrap(op, err)
	}
	_, err = w.Write(buf.Bytes())
	return errs.Wrap(op, err)
}

// holderName is the name the bank pays: the account's name, else the
// distributor's display name. A leading = + - @ would make a spreadsheet
// run the cell as a formula, so such a name is quoted with an apostrophe.
func holderName(name, display string, distributorID int64) string {
	n := strings.TrimSpace(name)
	if n == "" {
		n = strings.TrimSpace(display)
	}
	if n == "" {
		n = fmt.Sprintf("distributor %d", distributorID)
	}
	if strings.ContainsAny(n[:1], "=+-@\t\r") {
		n = "'" + n
	}
	return n
}

// MarkBatchPaid records that the bank paid a batch (operator; audited):
// every withdrawal in it becomes paid with payoutRef, each booked by its
// own journal withdrawal:{id}:paid. Marking a paid batch paid again with
// the same reference changes nothing; with another it is a Conflict naming
// "payout_ref".
func (db *DB) MarkBatchPaid(ctx context.Context, actor account.Actor, id int64, payoutRef string) (*PayoutBatch, []wallet.Withdrawal, error) {
	const op = "store.MarkBatchPaid"
	if err := actor.Require(account.Operator); err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	ref, err := cleanText("payout_ref", payoutRef, MaxPayoutRef)
	if err == nil && ref == "" {
		err = errs.Invalidf("payout_ref", "is required: the bank's reference for the batch payment")
	}
	if err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	var b *PayoutBatch
	var ws []wallet.Withdrawal
	err = db.Write(ctx, func(tx *Tx) error {
		var err error
		// Lock the batch row first: a concurrent mark waits, then sees ours.
		if err := books.LockPayoutBatch(ctx, tx.Tx, id); err != nil {
			return err
		}
		if b, err = tx.payoutBatch(ctx, id); err != nil {
			return err
		}
		if b.Status == BatchPaid {
			if b.PayoutRef != ref {
				return errs.E(errs.Conflict, "payout_ref", "the batch was already paid with reference %q", b.PayoutRef)
			}
			ws, err = tx.batchWithdrawals(ctx, id)
			return err
		}
		if err := books.MarkBatchPaid(ctx, tx.Tx, id, ref, actor.AccountID); err != nil {
			return err
		}
		if ws, err = tx.batchWithdrawals(ctx, id); err != nil {
			return err
		}
		if err := books.PayBatch(ctx, tx.Tx, id, ws, ref, actor.AccountID); err != nil {
			return err
		}
		paid := make([]insightEvent, len(ws))
		for i, w := range ws {
			paid[i] = insightEvent{kind: eventPaidOut, ref: w.ID, amount: int64(w.Amount)}
		}
		if err := tx.recordInsight(ctx, paid...); err != nil {
			return err
		}
		if b, err = tx.payoutBatch(ctx, id); err != nil {
			return err
		}
		if ws, err = tx.batchWithdrawals(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "payout_batch.paid", fmt.Sprintf("payout_batch:%d", id),
			batchAudit{Status: BatchExported}, batchAudit{Status: b.Status, PayoutRef: ref, Withdrawals: withdrawalIDs(ws)})
	})
	return b, ws, errs.Wrap(op, err)
}
