package store

import (
	"context"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
)

const gradeCols = `id, name, rank, tier1_rate_bp, own_sales_min, team_sales_min, direct_members_min, created_at, updated_at`

type gradeRow struct {
	g                network.Grade
	rateSet          *int64
	created, updated int64
}

func (r *gradeRow) dest() []any {
	return []any{&r.g.ID, &r.g.Name, &r.g.Rank, &r.rateSet, &r.g.OwnSalesMin, &r.g.TeamSalesMin, &r.g.DirectMembersMin, &r.created, &r.updated}
}

func (r *gradeRow) grade() *network.Grade {
	g := r.g
	if r.rateSet != nil {
		rt := money.Rate(*r.rateSet)
		g.Tier1Rate = &rt
	}
	g.CreatedAt, g.UpdatedAt = fromTS(r.created), fromTS(r.updated)
	return &g
}

func (tx *Tx) grade(ctx context.Context, id int64) (*network.Grade, error) {
	var r gradeRow
	if err := tx.Get(ctx, "grade", `SELECT `+gradeCols+` FROM grades WHERE id = ?`, []any{id}, r.dest()...); err != nil {
		return nil, err
	}
	return r.grade(), nil
}

// checkGradeUnique names the field a new or changed grade would duplicate.
func (tx *Tx) checkGradeUnique(ctx context.Context, g *network.Grade) error {
	if taken, err := tx.Exists(ctx, `SELECT 1 FROM grades WHERE name = ? AND id <> ?`, g.Name, g.ID); err != nil {
		return err
	} else if taken {
		return errs.E(errs.Conflict, "name", "another grade has this name")
	}
	if taken, err := tx.Exists(ctx, `SELECT 1 FROM grades WHERE rank = ? AND id <> ?`, g.Rank, g.ID); err != nil {
		return err
	} else if taken {
		return errs.E(errs.Conflict, "rank", "another grade has this rank")
	}
	return nil
}

func rateArg(r *money.Rate) any {
	if r == nil {
		return nil
	}
	return int64(*r)
}

// CreateGrade adds a grade (operator only; audited), checked against the
// current program settings.
func (db *DB) CreateGrade(ctx context.Context, actor account.Actor, g network.Grade) (*network.Grade, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.CreateGrade", err)
	}
	var out *network.Grade
	err := db.Write(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		g.ID = 0
		if err := g.Normalize(rulesOf(s)); err != nil {
			return err
		}
		if err := tx.checkGradeUnique(ctx, &g); err != nil {
			return err
		}
		id, err := tx.Insert(ctx, `INSERT INTO grades (name, rank, tier1_rate_bp, own_sales_min, team_sales_min, direct_members_min,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			g.Name, g.Rank, rateArg(g.Tier1Rate), int64(g.OwnSalesMin), int64(g.TeamSalesMin), g.DirectMembersMin, ts(tx.Now()), ts(tx.Now()))
		if err != nil {
			return sqldb.Relabel(err, errs.Conflict, "name", "another grade has this name or rank")
		}
		if out, err = tx.grade(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "grade.create", fmt.Sprintf("grade:%d", id), nil, out)
	})
	return out, errs.Wrap("store.CreateGrade", err)
}

// UpdateGrade changes some fields of a grade (operator only; audited).
func (db *DB) UpdateGrade(ctx context.Context, actor account.Actor, id int64, u network.GradeUpdate) (*network.Grade, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.UpdateGrade", err)
	}
	var out *network.Grade
	err := db.Write(ctx, func(tx *Tx) error {
		old, err := tx.grade(ctx, id)
		if err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		g := u.Apply(*old)
		if err := g.Normalize(rulesOf(s)); err != nil {
			return err
		}
		if err := tx.checkGradeUnique(ctx, &g); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE grades SET name = ?, rank = ?, tier1_rate_bp = ?, own_sales_min = ?, team_sales_min = ?,
			direct_members_min = ?, updated_at = ? WHERE id = ?`,
			g.Name, g.Rank, rateArg(g.Tier1Rate), int64(g.OwnSalesMin), int64(g.TeamSalesMin), g.DirectMembersMin, ts(tx.Now()), id); err != nil {
			return sqldb.Relabel(err, errs.Conflict, "name", "another grade has this name or rank")
		}
		if out, err = tx.grade(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "grade.update", fmt.Sprintf("grade:%d", id), old, out)
	})
	return out, errs.Wrap("store.UpdateGrade", err)
}

// Grades lists every grade by rank (anyone signed in).
func (db *DB) Grades(ctx context.Context, actor account.Actor) ([]network.Grade, error) {
	if actor.Anonymous() {
		return nil, errs.Wrap("store.Grades", errs.E(errs.Unauthorized, "", "sign in first"))
	}
	var out []network.Grade
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+gradeCols+` FROM grades ORDER BY rank, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r gradeRow
			if err := rows.Scan(r.dest()...); err != nil {
				return sqldb.MapErr(err)
			}
			out = append(out, *r.grade())
		}
		return sqldb.MapErr(rows.Err())
	})
	return out, errs.Wrap("store.Grades", err)
}
