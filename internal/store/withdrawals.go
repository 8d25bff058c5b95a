package store

import (
	"context"
	"database/sql"
	"errors"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
	"sharemall/internal/wallet"
)

// A withdrawal moves money in three journals, each keyed by the withdrawal
// (books.WithdrawalKey).

const withdrawalCols = `id, distributor_id, currency, amount, fee, net, status, client_key, payout_ref, batch_id,
	reason, requested_at, decided_at, decided_by, paid_at, withheld,
	(SELECT p.masked FROM withdrawal_payout_details p WHERE p.withdrawal_id = withdrawals.id)`

type withdrawalRow struct {
	w                wallet.Withdrawal
	status           string
	key, ref         nullableString
	batch, decidedBy nullableInt
	requested        int64
	decided, paid    sql.NullInt64
	payoutTo         nullableString // the masked payout details it is paid to (JSON)
}

func (r *withdrawalRow) dest() []any {
	return []any{&r.w.ID, &r.w.DistributorID, &r.w.Currency, &r.w.Amount, &r.w.Fee, &r.w.Net, &r.status, &r.key, &r.ref,
		&r.batch, &r.w.Reason, &r.requested, &r.decided, &r.decidedBy, &r.paid, &r.w.Withheld, &r.payoutTo}
}

func (r *withdrawalRow) withdrawal() *wallet.Withdrawal {
	w := r.w
	w.Status, w.ClientKey, w.PayoutRef = wallet.Status(r.status), string(r.key), string(r.ref)
	w.BatchID, w.DecidedBy = int64(r.batch), int64(r.decidedBy)
	w.RequestedAt, w.DecidedAt, w.PaidAt = fromTS(r.requested), fromNullTS(r.decided), fromNullTS(r.paid)
	w.PayoutTo = maskedOf(string(r.payoutTo))
	return &w
}

func (tx *Tx) withdrawalWhere(ctx context.Context, cond string, args ...any) (*wallet.Withdrawal, error) {
	var r withdrawalRow
	if err := tx.Get(ctx, "withdrawal", `SELECT `+withdrawalCols+` FROM withdrawals WHERE `+cond, args, r.dest()...); err != nil {
		return nil, err
	}
	return r.withdrawal(), nil
}

func (tx *Tx) withdrawal(ctx context.Context, id int64) (*wallet.Withdrawal, error) {
	return tx.withdrawalWhere(ctx, `id = ?`, id)
}

func (tx *Tx) withdrawals(ctx context.Context, q string, args ...any) ([]wallet.Withdrawal, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wallet.Withdrawal
	for rows.Next() {
		var r withdrawalRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, sqldb.MapErr(err)
		}
		out = append(out, *r.withdrawal())
	}
	return out, sqldb.MapErr(rows.Err())
}

// ownsWallet reports whether actor may see and act on distributor id's
// wallet: the distributor itself (never through a supplier API key) or an operator.
func ownsWallet(actor account.Actor, id int64) bool {
	return actor.IsOperator() || (actor.APIKeyID == 0 && actor.DistributorID != 0 && actor.DistributorID == id)
}

// mayRequest checks who may ask to withdraw from distributor id's wallet.
// Another distributor's wallet is NotFound, so existence does not leak.
func mayRequest(actor account.Actor, id int64) error {
	switch {
	case actor.Anonymous():
		return errs.E(errs.Unauthorized, "", "sign in first")
	case actor.IsOperator():
		if id <= 0 {
			return errs.Invalidf("distributor_id", "is required when an operator requests a withdrawal")
		}
		return nil
	case actor.APIKeyID != 0 || actor.DistributorID == 0:
		return errs.E(errs.Forbidden, "", "only a distributor may withdraw from its wallet")
	case actor.DistributorID != id:
		return errs.E(errs.NotFound, "", "distributor not found")
	}
	return nil
}

// MaxClientKey is the longest Idempotency-Key accepted.
const MaxClientKey = 200

func checkClientKey(k string) error {
	if len(k) > MaxClientKey {
		return errs.Invalidf("Idempotency-Key", "must be at most %d characters", MaxClientKey)
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return errs.Invalidf("Idempotency-Key", "must be printable ASCII without spaces (a UUID is ideal)")
		}
	}
	return nil
}

// errKeyRace: a concurrent request with the same Idempotency-Key committed
// between our look-up and our insert (PostgreSQL); the caller re-reads it.
var errKeyRace = errs.E(errs.Conflict, "Idempotency-Key", "a request with this key is being processed; retry")

// RequestWithdrawal asks to take amount out of distributor distributorID's
// available balance; the amount is held at once (the caller's own wallet,
// or any for an operator). Refused: amount below the program's minimum or
// leaving nothing after the fee (Invalid "amount"), a wallet in debt
// (Conflict "debt", with the amount owed, whatever is available), more than
// available (Conflict "amount"), an inactive distributor (Conflict
// "distributor_id"), more than the daily limit of requests (TooMany
// "daily_limit"). A clientKey (the Idempotency-Key) seen before for this
// distributor returns the first withdrawal when the amount is the same, and
// is a Conflict naming "Idempotency-Key" when it is not.
func (db *DB) RequestWithdrawal(ctx context.Context, actor account.Actor, distributorID int64, amount money.Amount, clientKey string) (*wallet.Withdrawal, error) {
	const op = "store.RequestWithdrawal"
	if err := mayRequest(actor, distributorID); err != nil {
		return nil, errs.Wrap(op, err)
	}
	if err := checkClientKey(clientKey); err != nil {
		return nil, errs.Wrap(op, err)
	}
	var w *wallet.Withdrawal
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		w, err = tx.requestWithdrawal(ctx, distributorID, amount, clientKey)
		return err
	})
	if errors.Is(err, errKeyRace) {
		err = db.Read(ctx, func(tx *Tx) error {
			var found bool
			w, found, err = tx.replayWithdrawal(ctx, distributorID, amount, clientKey)
			if err == nil && !found {
				return errKeyRace // the other request rolled back: a retry will run afresh
			}
			return err
		})
	}
	return w, errs.Wrap(op, err)
}

func (tx *Tx) requestWithdrawal(ctx context.Context, distributorID int64, amount money.Amount, clientKey string) (*wallet.Withdrawal, error) {
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	rule, cur := s.Withdrawal, s.Currency()
	if amount <= 0 {
		return nil, errs.Invalidf("amount", "must be positive")
	}
	if amount < rule.Minimum {
		return nil, errs.Invalidf("amount", "must be at least %s %s", cur.Format(rule.Minimum), cur.Code)
	}
	d, err := tx.distributor(ctx, distributorID)
	if err != nil {
		return nil, err
	}
	if d.Status != network.Active {
		return nil, errs.E(errs.Conflict, "distributor_id", "the distributor is %s; only an active distributor may withdraw", d.Status)
	}
	if w, found, err := tx.replayWithdrawal(ctx, d.ID, amount, clientKey); err != nil || found {
		return w, err
	}
	fee, err := rule.FeeRate.MulFloor(amount)
	if err != nil {
		return nil, errs.Invalidf("amount", "is too large")
	}
	if amount-fee <= 0 {
		return nil, errs.Invalidf("amount", "leaves nothing to pay after the fee of %v", rule.FeeRate)
	}
	// Tax withheld at the rate of the day the withdrawal is requested, like
	// the fee (docs/payouts.md, "Withholding").
	withheld, err := rule.WithholdingRate.MulFloor(amount)
	if err != nil {
		return nil, errs.Invalidf("amount", "is too large")
	}
	if amount-fee-withheld <= 0 {
		return nil, errs.Invalidf("amount", "leaves nothing to pay after the fee and the tax withheld")
	}
	available := ledger.Code(ledger.DistributorAvailable, d.ID)
	if err := tx.sameCurrency(ctx, available, cur.Code); err != nil {
		return nil, err
	}
	// The covered debit of the hold locks the wallet's available row until
	// commit, so concurrent requests on one wallet queue here: none can
	// overdraw, and the debt and the count below see every change committed
	// before this one.
	id, err := books.HoldWithdrawal(ctx, tx.Tx, d.ID, cur.Code, amount, fee, withheld, clientKey)
	if err != nil {
		if errors.Is(err, books.ErrKeyTaken) {
			return nil, errKeyRace
		}
		if IsNotCovered(err) {
			// A wallet in debt usually has nothing available either: name the
			// debt, the reason that outlasts the balance, before the balance.
			if derr := tx.refuseDebt(ctx, d.ID, cur); derr != nil {
				return nil, derr
			}
		}
		return nil, err
	}
	tx.Point(ctx, "withdrawal.request.held") // the wallet's available row is locked
	// The details it will be paid to, as they are now (docs/payouts.md).
	if err := tx.snapshotPayout(ctx, id, d.ID); err != nil {
		return nil, err
	}
	// Read the debt only now, behind the wallet's lock: a clawback that
	// committed first is seen, one that comes later queues behind us.
	if err := tx.refuseDebt(ctx, d.ID, cur); err != nil {
		return nil, err
	}
	// Days are the program's, midnight to midnight in its time zone.
	day, next := s.Day(tx.Now())
	var n int64
	if err := tx.Get(ctx, "count", `SELECT COUNT(*) FROM withdrawals WHERE distributor_id = ? AND requested_at >= ? AND requested_at < ?`,
		[]any{d.ID, ts(day), ts(next)}, &n); err != nil {
		return nil, err
	}
	if n > int64(rule.DailyLimit) {
		return nil, errs.TooManyFor(next.Sub(tx.Now()), "daily_limit", "at most %d withdrawal requests a day; try again after midnight %s (%s)",
			rule.DailyLimit, s.Location(), next.Format("2006-01-02 15:04 MST"))
	}
	return tx.withdrawal(ctx, id)
}

// refuseDebt is a Conflict naming "debt", with the amount owed, when the
// distributor's wallet is in debt: later earnings pay the debt first.
func (tx *Tx) refuseDebt(ctx context.Context, distributorID int64, cur money.Currency) error {
	debt, err := books.Balance(ctx, tx.Tx, ledger.Code(ledger.DistributorDebt, distributorID))
	if err != nil {
		return err
	}
	if debt < 0 {
		return errs.E(errs.Conflict, "debt", "the wallet owes %s %s in clawbacks; later earnings pay the debt first, and a wallet in debt cannot withdraw",
			cur.Format(-debt), cur.Code)
	}
	return nil
}

// replayWithdrawal finds the withdrawal an Idempotency-Key already made.
func (tx *Tx) replayWithdrawal(ctx context.Context, distributorID int64, amount money.Amount, clientKey string) (*wallet.Withdrawal, bool, error) {
	if clientKey == "" {
		return nil, false, nil
	}
	w, err := tx.withdrawalWhere(ctx, `distributor_id = ? AND client_key = ?`, distributorID, clientKey)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	case w.Amount != amount:
		return nil, false, errs.E(errs.Conflict, "Idempotency-Key", "was already used for withdrawal %d of a different amount", w.ID)
	}
	return w, true, nil
}

// sameCurrency refuses to move money in one currency on an account kept in
// another (the program's currency changed after the wallet was funded).
func (tx *Tx) sameCurrency(ctx context.Context, code, currency string) error {
	var have string
	err := tx.Get(ctx, "ledger account", `SELECT currency FROM ledger_accounts WHERE code = ?`, []any{code}, &have)
	if errs.Is(err, errs.NotFound) {
		return nil
	}
	if err == nil && have != currency {
		return errs.E(errs.Conflict, "amount", "the wallet holds %s but the program now pays in %s", have, currency)
	}
	return err
}

// WithdrawalFilter selects withdrawals in id order.
type WithdrawalFilter struct {
	DistributorID int64         // 0: all the caller may see
	Status        wallet.Status // "" for all; the operator's review queue is "requested"
	BatchID       int64         // 0 for all
	After         int64
	// Before, when set, lists newest first: ids below it (math.MaxInt64
	// for the newest); After is then not used.
	Before int64
	Limit  int // 1..1000, default 100
}

// Withdrawals lists withdrawals: a distributor's own, or any for an
// operator. A distributor naming another's id gets NotFound.
func (db *DB) Withdrawals(ctx context.Context, actor account.Actor, f WithdrawalFilter) ([]wallet.Withdrawal, error) {
	const op = "store.Withdrawals"
	if !actor.IsOperator() {
		if f.DistributorID == 0 {
			f.DistributorID = actor.DistributorID
		}
		if err := mayRequest(actor, f.DistributorID); err != nil {
			return nil, errs.Wrap(op, err)
		}
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var out []wallet.Withdrawal
	err := db.Read(ctx, func(tx *Tx) error {
		q, args, order := `SELECT `+withdrawalCols+` FROM withdrawals WHERE id > ?`, []any{f.After}, ` ORDER BY id LIMIT ?`
		if f.Before > 0 {
			q, args, order = `SELECT `+withdrawalCols+` FROM withdrawals WHERE id < ?`, []any{f.Before}, ` ORDER BY id DESC LIMIT ?`
		}
		if f.DistributorID != 0 {
			q += ` AND distributor_id = ?`
			args = append(args, f.DistributorID)
		}
		if f.Status != "" {
			q += ` AND status = ?`
			args = append(args, string(f.Status))
		}
		if f.BatchID != 0 {
			q += ` AND batch_id = ?`
			args = append(args, f.BatchID)
		}
		var err error
		out, err = tx.withdrawals(ctx, q+order, append(args, f.Limit)...)
		return err
	})
	return out, errs.Wrap(op, err)
}

// Withdrawal returns one withdrawal to its distributor or an operator;
// anyone else gets NotFound.
func (db *DB) Withdrawal(ctx context.Context, actor account.Actor, id int64) (*wallet.Withdrawal, error) {
	var w *wallet.Withdrawal
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		w, err = tx.visibleWithdrawal(ctx, actor, id)
		return err
	})
	return w, errs.Wrap("store.Withdrawal", err)
}

func (tx *Tx) visibleWithdrawal(ctx context.Context, actor account.Actor, id int64) (*wallet.Withdrawal, error) {
	if actor.Anonymous() {
		return nil, errs.E(errs.Unauthorized, "", "sign in first")
	}
	w, err := tx.withdrawal(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ownsWallet(actor, w.DistributorID) {
		return nil, errs.E(errs.NotFound, "", "withdrawal not found")
	}
	return w, nil
}
