package books

import (
	"context"
	"fmt"
	"slices"

	"sharemall/internal/ledger"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// Settlement holds (docs/fraud.md, "Hold and settle"). A distributor whose
// settlement is held (a settlement_holds row) still has its lines settle
// for everyone else on them: SettleLines leaves the held distributor's
// shares in its pending account and marks them settle_held. Releasing the
// hold moves those shares to the wallet (debt first, as Earn does), one
// journal per share (release:share:{id}).
//
// The lock that orders hold, release and settle is the distributor's
// wallet accounts (LockWallets, account-code order): HoldSettlement and
// ReleaseSettlement take it before they touch the hold, and SettleLines
// reads the holds only after it has taken the wallets of every distributor
// its lines pay. So a settlement sees a hold either committed before it
// locked (the share stays pending) or not at all, in which case the hold
// waits for the settlement's commit and covers only what settles later;
// and a release never misses a share a concurrent settlement held back.

// heldOf returns which of the distributors have their settlement held.
// The caller holds their wallets' locks.
func heldOf(ctx context.Context, tx *sqldb.Tx, distributors []int64) (map[int64]bool, error) {
	held := map[int64]bool{}
	if len(distributors) == 0 {
		return held, nil
	}
	ids, err := sqldb.Column[int64](ctx, tx, `SELECT distributor_id FROM settlement_holds WHERE distributor_id IN (`+
		sqldb.Placeholders(len(distributors))+`)`, sqldb.Args(distributors))
	for _, id := range ids {
		held[id] = true
	}
	return held, err
}

// HoldSettlement holds the settlement of the distributors from now on,
// under their wallets' locks; holding one already held changes nothing.
func HoldSettlement(ctx context.Context, tx *sqldb.Tx, currency string, distributors []int64) error {
	if _, err := LockWallets(ctx, tx, currency, distributors); err != nil {
		return err
	}
	tx.Point(ctx, "hold.wallets.locked")
	for _, d := range distributors {
		if _, err := tx.Exec(ctx, `INSERT INTO settlement_holds (distributor_id, since) VALUES (?, ?) ON CONFLICT (distributor_id) DO NOTHING`,
			d, sqldb.TS(tx.Now())); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseSettlement ends a distributor's hold and moves every share held
// back while it lasted from its pending account to its wallet (debt
// first), one journal per share (release:share:{id}). It returns what it
// moved. A distributor not held is released of nothing.
func ReleaseSettlement(ctx context.Context, tx *sqldb.Tx, currency string, distributor int64) (money.Amount, error) {
	w, err := LockWallets(ctx, tx, currency, []int64{distributor})
	if err != nil {
		return 0, err
	}
	tx.Point(ctx, "release.wallets.locked")
	if _, err := tx.Exec(ctx, `DELETE FROM settlement_holds WHERE distributor_id = ?`, distributor); err != nil {
		return 0, err
	}
	shares, err := ReadShares(ctx, tx, `WHERE s.beneficiary_id = ? AND s.settle_held = TRUE AND l.currency = ? ORDER BY s.id`, distributor, currency)
	if err != nil || len(shares) == 0 {
		return 0, err
	}
	var journals []ledger.Journal
	var total money.Amount
	ids := make([]any, 0, len(shares))
	for _, sh := range shares {
		ids = append(ids, sh.ID)
		if !IsDistributor(sh.Party) || sh.Amount == 0 {
			continue
		}
		p := Posting{}
		p.Debit(PendingAccount(sh.Party), sh.Amount)
		Earn(p, w, distributor, sh.Amount)
		total += sh.Amount
		if j, ok := p.Journal(fmt.Sprintf("release:share:%d", sh.ID), "settle",
			fmt.Sprintf("order %d line %d: held settlement released", sh.OrderID, sh.LineID), currency); ok {
			journals = append(journals, j)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE commission_shares SET settle_held = FALSE WHERE id IN (`+sqldb.Placeholders(len(ids))+`)`, ids...); err != nil {
		return 0, err
	}
	_, err = PostMany(ctx, tx, currency, journals)
	return total, err
}

// relockHeld: a refund of a settled line with shares held back takes the
// wallets of every distributor on the line (in one code-ordered lock, a
// superset of those it may claw back from) and reads the line again, so a
// release committed meanwhile is seen and the reversal comes out of the
// account the share is in now. A pending line, or one with nothing held,
// is returned as it is.
func relockHeld(ctx context.Context, tx *sqldb.Tx, line *CommissionLine) (*CommissionLine, error) {
	if line.Status != LineSettled || !slices.ContainsFunc(line.Shares, func(s ShareRecord) bool { return s.SettleHeld }) {
		return line, nil
	}
	var ds []int64
	for _, sh := range line.Shares {
		if IsDistributor(sh.Party) {
			ds = append(ds, sh.Party.ID)
		}
	}
	if _, err := LockWallets(ctx, tx, line.Currency, ds); err != nil {
		return nil, err
	}
	return ReadLine(ctx, tx, line.LineID)
}
