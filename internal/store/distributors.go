package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/books"
	"sharemall/internal/errs"
	"sharemall/internal/ledger"
	"sharemall/internal/network"
	"sharemall/internal/program"
	"sharemall/internal/sqldb"
)

const distributorCols = `id, account_id, referral_code, display_name, status, sponsor_id, ancestor2_id, ancestor3_id,
	depth, grade_id, team_size, depth1_count, depth2_count, depth3_count, joined_at, reviewed_at`

// distributorRow scans one distributors row.
type distributorRow struct {
	d                      network.Distributor
	status                 string
	sponsor, a2, a3, grade nullableInt
	joined                 int64
	reviewed               sql.NullInt64
}

func (r *distributorRow) dest() []any {
	return []any{&r.d.ID, &r.d.AccountID, &r.d.ReferralCode, &r.d.DisplayName, &r.status, &r.sponsor, &r.a2, &r.a3,
		&r.d.Depth, &r.grade, &r.d.TeamSize, &r.d.DepthCounts[0], &r.d.DepthCounts[1], &r.d.DepthCounts[2], &r.joined, &r.reviewed}
}

func (r *distributorRow) distributor() *network.Distributor {
	d := r.d
	d.Status = network.Status(r.status)
	d.SponsorID, d.Ancestor2ID, d.Ancestor3ID, d.GradeID = int64(r.sponsor), int64(r.a2), int64(r.a3), int64(r.grade)
	d.JoinedAt, d.ReviewedAt = fromTS(r.joined), fromNullTS(r.reviewed)
	return &d
}

// distributorWhere reads the one distributor matching cond.
func (tx *Tx) distributorWhere(ctx context.Context, cond string, args ...any) (*network.Distributor, error) {
	var r distributorRow
	if err := tx.Get(ctx, "distributor", `SELECT `+distributorCols+` FROM distributors WHERE `+cond, args, r.dest()...); err != nil {
		return nil, err
	}
	return r.distributor(), nil
}

func (tx *Tx) distributor(ctx context.Context, id int64) (*network.Distributor, error) {
	return tx.distributorWhere(ctx, `id = ?`, id)
}

// distributors reads every row a query returns.
func (tx *Tx) distributors(ctx context.Context, q string, args ...any) ([]network.Distributor, error) {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []network.Distributor
	for rows.Next() {
		var r distributorRow
		if err := rows.Scan(r.dest()...); err != nil {
			return nil, sqldb.MapErr(err)
		}
		out = append(out, *r.distributor())
	}
	return out, sqldb.MapErr(rows.Err())
}

// lockNetwork serialises changes to the tree (see the migration's header).
func (tx *Tx) lockNetwork(ctx context.Context) error {
	_, err := tx.Exec(ctx, `UPDATE network_lock SET version = version + 1 WHERE id = 1`)
	return err
}

// JoinNetwork makes the calling account a distributor, under the sponsor
// whose referral code it brings (or as a root without one). Joining is free
// and needs no purchase. The distributor is active at once, or pending when
// the program reviews joins.
func (db *DB) JoinNetwork(ctx context.Context, actor account.Actor, j network.Join) (*network.Distributor, error) {
	if actor.Anonymous() {
		return nil, errs.Wrap("store.JoinNetwork", errs.E(errs.Unauthorized, "", "sign in first"))
	}
	if actor.APIKeyID != 0 {
		return nil, errs.Wrap("store.JoinNetwork", errs.E(errs.Forbidden, "", "an API key acts only as its supplier; sign in to join"))
	}
	if err := j.Normalize(); err != nil {
		return nil, errs.Wrap("store.JoinNetwork", err)
	}
	var d *network.Distributor
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		d, err = tx.joinNetwork(ctx, actor.AccountID, j)
		return err
	})
	return d, errs.Wrap("store.JoinNetwork", err)
}

func (tx *Tx) joinNetwork(ctx context.Context, accountID int64, j network.Join) (*network.Distributor, error) {
	if err := tx.lockNetwork(ctx); err != nil {
		return nil, err
	}
	if joined, err := tx.Exists(ctx, `SELECT 1 FROM distributors WHERE account_id = ?`, accountID); err != nil {
		return nil, err
	} else if joined {
		return nil, errs.E(errs.Conflict, "", "this account has already joined the network")
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	var sponsor *network.Distributor
	if j.InviteCode != "" {
		sponsor, err = tx.distributorWhere(ctx, `referral_code = ?`, j.InviteCode)
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Invalidf("invite_code", "no distributor has this referral code")
		}
		if err != nil {
			return nil, err
		}
		if sponsor.Status != network.Active {
			return nil, errs.Invalidf("invite_code", "the distributor with this referral code is %s, not active", sponsor.Status)
		}
	}
	code, err := tx.freeReferralCode(ctx)
	if err != nil {
		return nil, err
	}
	status := network.Active
	if s.DistributorReview {
		status = network.Pending
	}
	p := network.PlaceUnder(sponsor)
	id, err := tx.Insert(ctx, `INSERT INTO distributors (account_id, referral_code, display_name, status, sponsor_id, ancestor2_id,
		ancestor3_id, depth, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		accountID, code, j.DisplayName, string(status), nullInt(p.SponsorID), nullInt(p.Ancestor2ID), nullInt(p.Ancestor3ID), p.Depth, ts(tx.Now()))
	if err != nil {
		// Lost a race with the same account joining twice.
		return nil, sqldb.Relabel(err, errs.Conflict, "", "this account has already joined the network")
	}
	if err := tx.grantRole(ctx, accountID, account.Distributor); err != nil {
		return nil, err
	}
	// The account a distributor's commissions are booked to exists from
	// the day it joins: its first sale's payment need not create it.
	if err := books.OpenNewOwnerAccounts(ctx, tx.Tx, []string{ledger.Code(ledger.DistributorPending, id)}, s.CurrencyCode); err != nil {
		return nil, err
	}
	if err := tx.recordInsight(ctx, insightEvent{kind: eventJoined, ref: id}); err != nil {
		return nil, err
	}
	if err := tx.recordNetwork(ctx, networkEvent{kind: netJoin, distributor: id, depth: p.Depth, members: map[bool]int64{true: 1}[status == network.Active]}); err != nil {
		return nil, err
	}
	if err := tx.recordFunnel(ctx, funnelEvent{step: stepJoined, distributor: id, sponsor: p.SponsorID}); err != nil {
		return nil, err
	}
	if status == network.Active {
		if err := tx.addToUpline(ctx, p, oneActive, 1); err != nil {
			return nil, err
		}
	}
	return tx.distributor(ctx, id)
}

// freeReferralCode draws codes until one is unused. With 31^8 codes a
// collision is rare; ten in a row means something else is wrong.
func (tx *Tx) freeReferralCode(ctx context.Context) (string, error) {
	for range 10 {
		c := network.NewCode()
		taken, err := tx.Exists(ctx, `SELECT 1 FROM distributors WHERE referral_code = ?`, c)
		if err != nil {
			return "", err
		}
		if !taken {
			return c, nil
		}
	}
	return "", fmt.Errorf("no free referral code after 10 draws")
}

// ReviewDistributor approves or rejects a pending distributor (operator
// only; audited). Approval counts it in its upline; rejection takes the
// distributor role away and needs a reason.
func (db *DB) ReviewDistributor(ctx context.Context, actor account.Actor, id int64, approve bool, reason string) (*network.Distributor, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.ReviewDistributor", err)
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 {
		return nil, errs.Wrap("store.ReviewDistributor", errs.Invalidf("reason", "must be at most 500 characters"))
	}
	if !approve && reason == "" {
		return nil, errs.Wrap("store.ReviewDistributor", errs.Invalidf("reason", "say why the distributor is rejected"))
	}
	var d *network.Distributor
	err := db.Write(ctx, func(tx *Tx) error {
		if err := tx.lockNetwork(ctx); err != nil {
			return err
		}
		old, err := tx.distributor(ctx, id)
		if err != nil {
			return err
		}
		if old.Status != network.Pending {
			return errs.E(errs.Conflict, "status", "is %s; only a pending distributor can be reviewed", old.Status)
		}
		status := network.Rejected
		if approve {
			status = network.Active
		}
		if _, err := tx.Exec(ctx, `UPDATE distributors SET status = ?, reviewed_at = ? WHERE id = ?`, string(status), ts(tx.Now()), id); err != nil {
			return err
		}
		if approve {
			err = tx.addToUpline(ctx, placementOf(old), oneActive, 1)
			if err == nil {
				err = tx.recordStatusChange(ctx, netApprove, old)
			}
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM account_roles WHERE account_id = ? AND role = ?`, old.AccountID, string(account.Distributor))
		}
		if err != nil {
			return err
		}
		type review struct {
			Status network.Status `json:"status"`
			Reason string         `json:"reason,omitempty"`
		}
		if err := tx.audit(ctx, actor.AccountID, "distributor.review", fmt.Sprintf("distributor:%d", id),
			review{Status: old.Status}, review{Status: status, Reason: reason}); err != nil {
			return err
		}
		d, err = tx.distributor(ctx, id)
		return err
	})
	return d, errs.Wrap("store.ReviewDistributor", err)
}

// SetGrade sets a distributor's grade; gradeID 0 clears it (operator only; audited).
func (db *DB) SetGrade(ctx context.Context, actor account.Actor, distributorID, gradeID int64) (*network.Distributor, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.SetGrade", err)
	}
	if gradeID < 0 {
		return nil, errs.Wrap("store.SetGrade", errs.Invalidf("grade_id", "must be a grade id, or 0 for none"))
	}
	var d *network.Distributor
	err := db.Write(ctx, func(tx *Tx) error {
		old, err := tx.distributor(ctx, distributorID)
		if err != nil {
			return err
		}
		if gradeID != 0 {
			if ok, err := tx.Exists(ctx, `SELECT 1 FROM grades WHERE id = ?`, gradeID); err != nil {
				return err
			} else if !ok {
				return errs.Invalidf("grade_id", "no grade has this id")
			}
		}
		if old.GradeID == gradeID {
			d = old
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE distributors SET grade_id = ? WHERE id = ?`, nullInt(gradeID), distributorID); err != nil {
			return err
		}
		type grade struct {
			GradeID int64 `json:"grade_id"`
		}
		if err := tx.audit(ctx, actor.AccountID, "distributor.grade", fmt.Sprintf("distributor:%d", distributorID),
			grade{old.GradeID}, grade{gradeID}); err != nil {
			return err
		}
		d, err = tx.distributor(ctx, distributorID)
		return err
	})
	return d, errs.Wrap("store.SetGrade", err)
}

// rulesOf is what a grade is checked against.
func rulesOf(s *program.Settings) network.Rules {
	return network.Rules{Tiers: s.Tiers, TierRates: s.TierRates, AreaRate: s.AreaRate,
		CommissionCap: s.CommissionCap, HeadCountConditions: s.HeadCountConditions}
}
