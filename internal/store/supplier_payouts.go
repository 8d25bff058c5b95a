package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/payout"
)

// Supplier payouts (docs/payouts.md, "Supplier settlement"): the operator
// pays a supplier's settled payable as it pays withdrawals: a payout per
// supplier (its idempotency key, the amount held at once), batched and
// exported, marked paid with the bank's reference, or rejected with the
// money back to the payable. Every step is audited.

// SupplierPayout is one payout to a supplier.
type SupplierPayout struct {
	ID         int64
	SupplierID int64
	Currency   string
	Amount     money.Amount
	Status     string // books.SupplierPayout*
	ClientKey  string
	BatchID    int64
	PayoutRef  string
	Reason     string
	CreatedBy  int64
	CreatedAt  time.Time
	DecidedAt  *time.Time
	DecidedBy  int64
	PaidAt     *time.Time
	PayoutTo   *payout.Masked
}

// SupplierPayoutReference is what a transfer carries to name its payout.
func SupplierPayoutReference(id int64) string { return fmt.Sprintf("sharemall-s%d", id) }

const supplierPayoutCols = `id, supplier_id, currency, amount, status, client_key, batch_id, payout_ref, reason, created_by, created_at,
	decided_at, decided_by, paid_at, (SELECT d.masked FROM supplier_payout_details d WHERE d.payout_id = supplier_payouts.id)`

func (tx *Tx) supplierPayouts(ctx context.Context, where string, args ...any) ([]SupplierPayout, error) {
	var out []SupplierPayout
	err := tx.Each(ctx, `SELECT `+supplierPayoutCols+` FROM supplier_payouts WHERE `+where, args, func(scan func(...any) error) error {
		var p SupplierPayout
		var batch, decidedBy nullableInt
		var ref, masked nullableString
		var created int64
		var decided, paid sql.NullInt64
		if err := scan(&p.ID, &p.SupplierID, &p.Currency, &p.Amount, &p.Status, &p.ClientKey, &batch, &ref, &p.Reason, &p.CreatedBy, &created,
			&decided, &decidedBy, &paid, &masked); err != nil {
			return err
		}
		p.BatchID, p.PayoutRef, p.DecidedBy, p.PayoutTo = int64(batch), string(ref), int64(decidedBy), maskedOf(string(masked))
		p.CreatedAt, p.DecidedAt, p.PaidAt = fromTS(created), fromNullTS(decided), fromNullTS(paid)
		out = append(out, p)
		return nil
	})
	return out, err
}

func (tx *Tx) supplierPayout(ctx context.Context, id int64) (*SupplierPayout, error) {
	ps, err := tx.supplierPayouts(ctx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, errs.E(errs.NotFound, "", "supplier payout not found")
	}
	return &ps[0], nil
}

// supplierPayoutAudit is what the audit log records of a payout.
type supplierPayoutAudit struct {
	SupplierID int64  `json:"supplier_id"`
	Amount     int64  `json:"amount"`
	Status     string `json:"status"`
	PayoutTo   string `json:"payout_to,omitempty"` // masked
	PayoutRef  string `json:"payout_ref,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

func auditOfPayout(p *SupplierPayout) supplierPayoutAudit {
	a := supplierPayoutAudit{SupplierID: p.SupplierID, Amount: int64(p.Amount), Status: p.Status, PayoutRef: p.PayoutRef, Reason: p.Reason}
	if p.PayoutTo != nil {
		a.PayoutTo = p.PayoutTo.String()
	}
	return a
}

// CreateSupplierPayout makes an approved payout of amount to supplier
// supplierID and holds it (operator; audited). clientKey (the
// Idempotency-Key) is required: the same key for the same supplier returns
// the first payout when the amount is the same, and is a Conflict naming
// "Idempotency-Key" when not. Refused: no payout details recorded (Conflict
// "payout_details"), more than the supplier's available payable (Conflict
// "amount").
func (db *DB) CreateSupplierPayout(ctx context.Context, actor account.Actor, supplierID int64, amount money.Amount, clientKey string) (*SupplierPayout, error) {
	const op = "store.CreateSupplierPayout"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if clientKey == "" {
		return nil, errs.Wrap(op, errs.Invalidf("Idempotency-Key", "is required: every supplier payout carries its own key"))
	}
	if err := checkClientKey(clientKey); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if amount <= 0 {
		return nil, errs.Wrap(op, errs.Invalidf("amount", "must be positive"))
	}
	var p *SupplierPayout
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		p, err = tx.createSupplierPayout(ctx, actor, supplierID, amount, clientKey)
		return err
	})
	if errors.Is(err, books.ErrSupplierKeyTaken) {
		// A concurrent request with the same key committed first: answer as a replay.
		err = db.Read(ctx, func(tx *Tx) error {
			var found bool
			p, found, err = tx.replaySupplierPayout(ctx, supplierID, amount, clientKey)
			if err == nil && !found {
				return errKeyRace
			}
			return err
		})
	}
	return p, errs.Wrap(op, err)
}

func (tx *Tx) replaySupplierPayout(ctx context.Context, supplierID int64, amount money.Amount, key string) (*SupplierPayout, bool, error) {
	ps, err := tx.supplierPayouts(ctx, `supplier_id = ? AND client_key = ?`, supplierID, key)
	switch {
	case err != nil:
		return nil, false, err
	case len(ps) == 0:
		return nil, false, nil
	case ps[0].Amount != amount:
		return nil, false, errs.E(errs.Conflict, "Idempotency-Key", "was already used for supplier payout %d of a different amount", ps[0].ID)
	}
	return &ps[0], true, nil
}

func (tx *Tx) createSupplierPayout(ctx context.Context, actor account.Actor, supplierID int64, amount money.Amount, key string) (*SupplierPayout, error) {
	if _, err := tx.supplier(ctx, supplierID); err != nil {
		return nil, err
	}
	if p, found, err := tx.replaySupplierPayout(ctx, supplierID, amount, key); err != nil || found {
		return p, err
	}
	if _, err := tx.payoutDetails(ctx, PayoutOwner{Kind: PayoutSupplier, ID: supplierID}); errs.Is(err, errs.NotFound) {
		return nil, errs.E(errs.Conflict, "payout_details", "supplier %d has not recorded where it is paid", supplierID)
	} else if err != nil {
		return nil, err
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	cur := s.Currency()
	payable := ledger.Code(ledger.SupplierPayable, supplierID)
	if err := tx.sameCurrency(ctx, payable, cur.Code); err != nil {
		return nil, err
	}
	// The covered debit of the hold locks the payable's row until commit
	// (READ COMMITTED on PostgreSQL, the one writer on SQLite): a refund
	// clawing back from it waits, and a payout never takes more than the
	// latest committed balance.
	id, err := books.HoldSupplierPayout(ctx, tx.Tx, supplierID, cur.Code, amount, key, actor.AccountID)
	if err != nil {
		if IsNotCovered(err) {
			available, berr := books.Balance(ctx, tx.Tx, payable)
			if berr != nil {
				return nil, berr
			}
			return nil, errs.E(errs.Conflict, "amount", "is more than the supplier's available payable of %s %s", cur.Format(max(available, 0)), cur.Code)
		}
		return nil, err
	}
	tx.Point(ctx, "supplier_payout.held") // the payable's row is locked; not committed
	if _, err := tx.Exec(ctx, `INSERT INTO supplier_payout_details (payout_id, owner_id, method, masked, key_id, box)
		SELECT ?, owner_id, method, masked, key_id, box FROM payout_details WHERE owner_kind = ? AND owner_id = ?`,
		id, PayoutSupplier, supplierID); err != nil {
		return nil, err
	}
	p, err := tx.supplierPayout(ctx, id)
	if err != nil {
		return nil, err
	}
	return p, tx.audit(ctx, actor.AccountID, "supplier_payout.create", fmt.Sprintf("supplier_payout:%d", id), nil, auditOfPayout(p))
}

// RejectSupplierPayout rejects an approved payout not yet in a batch
// (operator; audited): the hold goes back to the payable. Rejecting a
// rejected payout again changes nothing; any other status is a Conflict
// naming "status".
func (db *DB) RejectSupplierPayout(ctx context.Context, actor account.Actor, id int64, reason string) (*SupplierPayout, error) {
	const op = "store.RejectSupplierPayout"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	reason, err := cleanText("reason", reason, 500)
	if err == nil && reason == "" {
		err = errs.Invalidf("reason", "is required: say why the payout is rejected")
	}
	if err != nil {
		return nil, errs.Wrap(op, err)
	}
	var p *SupplierPayout
	err = db.Write(ctx, func(tx *Tx) error {
		if err := books.LockSupplierPayout(ctx, tx.Tx, id); err != nil {
			return err
		}
		old, err := tx.supplierPayout(ctx, id)
		if err != nil {
			return err
		}
		if old.Status == books.SupplierPayoutRejected {
			p = old
			return nil
		}
		if old.Status != books.SupplierPayoutApproved {
			return errs.E(errs.Conflict, "status", "the payout is %s; only an approved payout not yet in a batch can be rejected", old.Status)
		}
		if err := books.RejectSupplierPayout(ctx, tx.Tx, id, old.SupplierID, old.Currency, old.Amount, reason, actor.AccountID); err != nil {
			return err
		}
		if p, err = tx.supplierPayout(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "supplier_payout.reject", fmt.Sprintf("supplier_payout:%d", id), auditOfPayout(old), auditOfPayout(p))
	})
	return p, errs.Wrap(op, err)
}

// SupplierPayoutBatch groups exported supplier payouts into one bank file.
type SupplierPayoutBatch struct {
	ID        int64
	Status    string
	CreatedAt time.Time
	PaidAt    *time.Time
	PayoutRef string
}

func (tx *Tx) supplierPayoutBatch(ctx context.Context, id int64) (*SupplierPayoutBatch, []SupplierPayout, error) {
	b := &SupplierPayoutBatch{ID: id}
	var created int64
	var paid sql.NullInt64
	var ref nullableString
	if err := tx.Get(ctx, "supplier payout batch", `SELECT status, created_at, paid_at, payout_ref FROM supplier_payout_batches WHERE id = ?`,
		[]any{id}, &b.Status, &created, &paid, &ref); err != nil {
		return nil, nil, err
	}
	b.CreatedAt, b.PaidAt, b.PayoutRef = fromTS(created), fromNullTS(paid), string(ref)
	ps, err := tx.supplierPayouts(ctx, `batch_id = ? ORDER BY id`, id)
	return b, ps, err
}

func payoutIDs(ps []SupplierPayout) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// CreateSupplierPayoutBatch puts every approved supplier payout not yet in
// a batch into a new one, exported (operator; audited). None waiting is a
// Conflict.
func (db *DB) CreateSupplierPayoutBatch(ctx context.Context, actor account.Actor) (*SupplierPayoutBatch, []SupplierPayout, error) {
	const op = "store.CreateSupplierPayoutBatch"
	if err := actor.Require(account.Operator); err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	var b *SupplierPayoutBatch
	var ps []SupplierPayout
	err := db.Write(ctx, func(tx *Tx) error {
		id, n, err := books.CreateSupplierPayoutBatch(ctx, tx.Tx, actor.AccountID)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.Conflict, "", "no approved supplier payouts are waiting for a batch")
		}
		if b, ps, err = tx.supplierPayoutBatch(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "supplier_payout_batch.create", fmt.Sprintf("supplier_payout_batch:%d", id), nil,
			batchAudit{Status: BatchStatus(b.Status), Withdrawals: payoutIDs(ps)})
	})
	return b, ps, errs.Wrap(op, err)
}

// SupplierPayoutBatch returns a batch and its payouts (operator).
func (db *DB) SupplierPayoutBatch(ctx context.Context, actor account.Actor, id int64) (*SupplierPayoutBatch, []SupplierPayout, error) {
	const op = "store.SupplierPayoutBatch"
	if err := actor.Require(account.Operator); err != nil {
		return nil, nil, errs.Wrap(op, err)
	}
	var b *SupplierPayoutBatch
	var ps []SupplierPayout
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		b, ps, err = tx.supplierPayoutBatch(ctx, id)
		return err
	})
	return b, ps, errs.Wrap(op, err)
}

// MarkSupplierPayoutBatchPaid records that the bank paid a batch (operator;
// audited): each payout is paid with ref, booked by its own journal. The
// same reference again changes nothing; another is a Conflict naming
// "payout_ref".
func (db *DB) MarkSupplierPayoutBatchPaid(ctx context.Context, actor account.Actor, id int64, payoutRef string) (*SupplierPayoutBatch, []SupplierPayout, error) {
	const op = "store.MarkSupplierPayoutBatchPaid"
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
	var b *SupplierPayoutBatch
	var ps []SupplierPayout
	err = db.Write(ctx, func(tx *Tx) error {
		if err := books.LockSupplierPayoutBatch(ctx, tx.Tx, id); err != nil {
			return err
		}
		var err error
		if b, ps, err = tx.supplierPayoutBatch(ctx, id); err != nil {
			return err
		}
		if b.Status == books.BatchPaid {
			if b.PayoutRef != ref {
				return errs.E(errs.Conflict, "payout_ref", "the batch was already paid with reference %q", b.PayoutRef)
			}
			return nil
		}
		pay := make([]books.SupplierPayoutToPay, len(ps))
		for i, p := range ps {
			pay[i] = books.SupplierPayoutToPay{ID: p.ID, SupplierID: p.SupplierID, Currency: p.Currency, Amount: p.Amount}
		}
		if err := books.PaySupplierBatch(ctx, tx.Tx, id, pay, ref, actor.AccountID); err != nil {
			return err
		}
		if b, ps, err = tx.supplierPayoutBatch(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "supplier_payout_batch.paid", fmt.Sprintf("supplier_payout_batch:%d", id),
			batchAudit{Status: BatchExported}, batchAudit{Status: BatchStatus(b.Status), PayoutRef: ref, Withdrawals: payoutIDs(ps)})
	})
	return b, ps, errs.Wrap(op, err)
}

// SupplierPayoutBatchExport writes a supplier batch's transfer file, as
// PayoutBatchExport does for withdrawals (operator; audited).
func (db *DB) SupplierPayoutBatchExport(ctx context.Context, actor account.Actor, id int64, o PayoutExportOptions, w io.Writer) error {
	const op = "store.SupplierPayoutBatchExport"
	if err := actor.Require(account.Operator); err != nil {
		return errs.Wrap(op, err)
	}
	method, payer, payerName, err := o.check()
	if err != nil {
		return errs.Wrap(op, err)
	}
	k, err := db.keys()
	if err != nil {
		return errs.Wrap(op, err)
	}
	var buf bytes.Buffer
	err = db.Write(ctx, func(tx *Tx) error {
		buf.Reset()
		if _, _, err := tx.supplierPayoutBatch(ctx, id); err != nil {
			return err
		}
		settings, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		var rows []exportRow
		var ids []int64
		err = tx.Each(ctx, `SELECT p.id, p.amount, p.currency, d.owner_id, d.key_id, d.box
			FROM supplier_payouts p JOIN supplier_payout_details d ON d.payout_id = p.id
			WHERE p.batch_id = ? AND d.method = ? ORDER BY p.id`, []any{id, string(method)}, func(scan func(...any) error) error {
			var r exportRow
			var owner int64
			var s payout.Sealed
			if err := scan(&r.withdrawalID, &r.net, &r.currency, &owner, &s.KeyID, &s.Box); err != nil {
				return err
			}
			var err error
			if r.details, err = k.Open(payout.Owner(PayoutSupplier, owner), s); err != nil {
				return fmt.Errorf("supplier payout %d: %w", r.withdrawalID, err)
			}
			r.ref, r.reason = SupplierPayoutReference(r.withdrawalID), fmt.Sprintf("Sharemall supplier payout %d", r.withdrawalID)
			rows, ids = append(rows, r), append(ids, r.withdrawalID)
			return nil
		})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errs.E(errs.Conflict, "format", "no payout in supplier payout batch %d is paid by %s", id, method)
		}
		if err := writeTransferFile(&buf, method, rows, "SS", id, tx.Now().In(settings.Location()).Format("20060102"), payer, payerName); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "supplier_payout_batch.export", fmt.Sprintf("supplier_payout_batch:%d", id), nil,
			struct {
				Format  string  `json:"format"`
				Payouts []int64 `json:"payouts"`
			}{o.Format, ids})
	})
	if err != nil {
		return errs.Wrap(op, err)
	}
	_, err = w.Write(buf.Bytes())
	return errs.Wrap(op, err)
}
