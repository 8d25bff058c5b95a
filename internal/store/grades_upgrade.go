package store

import (
	"context"
	"fmt"
	"hash/fnv"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/sqldb"
)

// gradeFigures is what a grade's conditions are checked against.
type gradeFigures struct {
	own, team money.Amount // own sales; sales of the team at every depth
	direct    int64        // active direct members
}

// upgradeTo returns the highest grade ranked above currentRank (-1 for
// none) whose conditions the figures meet, or nil. A grade without any
// condition is an entry grade the operator gives, never an upgrade target;
// head-count conditions count only when the program allows them.
func upgradeTo(grades []network.Grade, currentRank int64, f gradeFigures, headCount bool) *network.Grade {
	var best *network.Grade
	for i := range grades {
		g := &grades[i]
		direct := g.DirectMembersMin
		if !headCount {
			direct = 0
		}
		switch {
		case g.Rank <= currentRank, best != nil && g.Rank <= best.Rank:
		case g.OwnSalesMin == 0 && g.TeamSalesMin == 0 && direct == 0:
		case f.own >= g.OwnSalesMin && f.team >= g.TeamSalesMin && f.direct >= direct:
			best = g
		}
	}
	return best
}

// UpgradeGrades raises the grade of up to limit distributors whose figures
// changed since it last looked (or all of them after the grades or the
// head-count setting changed) to the highest grade whose conditions they
// meet. It never lowers a grade: a grade, once reached or given by an
// operator, stays until an operator changes it. Each upgrade is audited as
// grade.upgrade by the system. It returns how many distributors it looked at.
func (db *DB) UpgradeGrades(ctx context.Context, limit int) (int, error) {
	const op = "store.UpgradeGrades"
	if limit <= 0 {
		limit = 500
	}
	t := &sweepTally{kind: SweepGrades}
	one := func(ctx context.Context, tx *Tx, id int64) (int, error) {
		return tx.upgradeGrades(ctx, `s.distributor_id = ?`, id)
	}
	if err := db.retryDue(ctx, t, limit, one); err != nil || t.seen() >= limit {
		return t.result(op, err)
	}
	fresh := notFailing(t.kind, "s.distributor_id")
	want := limit - t.seen()
	var n int
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.upgradeGrades(ctx, fresh+` ORDER BY s.distributor_id LIMIT ?`, want)
		return err
	})
	if err == nil || ctx.Err() != nil || errs.Is(err, errs.Unavailable) {
		t.add(n)
		return t.result(op, err)
	}
	// One distributor that cannot be looked at fails the batch: look at
	// them one by one, so only that one is left.
	ids, err := db.dueIDs(ctx, `SELECT s.distributor_id FROM distributor_sales s WHERE s.grade_due = TRUE AND `+fresh+`
		ORDER BY s.distributor_id LIMIT ?`, want)
	for _, id := range ids {
		if err == nil {
			err = db.item(ctx, t, id, false, one)
		}
	}
	return t.result(op, err)
}

// upgradeGrades looks at the distributors due a look that cond (with
// args) picks.
func (tx *Tx) upgradeGrades(ctx context.Context, cond string, args ...any) (int, error) {
	// The fold lock: a fold cannot mark a distributor due between our read
	// and our clearing of the mark.
	if err := tx.lockFigures(ctx); err != nil {
		return 0, err
	}
	s, err := tx.settings(ctx)
	if err != nil {
		return 0, err
	}
	grades, err := tx.allGrades(ctx)
	if err != nil {
		return 0, err
	}
	if err := tx.markGradesDue(ctx, grades, s.HeadCountConditions); err != nil {
		return 0, err
	}
	type candidate struct {
		id, grade int64
		status    string
		f         gradeFigures
	}
	var list []candidate
	err = tx.Each(ctx, `SELECT s.distributor_id, s.own_sales, s.team_sales, d.depth1_count, d.status, COALESCE(d.grade_id, 0)
		FROM distributor_sales s JOIN distributors d ON d.id = s.distributor_id
		WHERE s.grade_due = TRUE AND `+cond, args, func(scan func(...any) error) error {
		var c candidate
		if err := scan(&c.id, &c.f.own, &c.f.team, &c.f.direct, &c.status, &c.grade); err != nil {
			return sqldb.MapErr(err)
		}
		list = append(list, c)
		return nil
	})
	if err != nil || len(list) == 0 {
		return 0, err
	}
	rank := map[int64]int64{}
	for _, g := range grades {
		rank[g.ID] = g.Rank
	}
	ids := make([]any, len(list))
	for i, c := range list {
		ids[i] = c.id
		current, ok := rank[c.grade]
		if !ok {
			current = -1
		}
		g := upgradeTo(grades, current, c.f, s.HeadCountConditions)
		if g == nil || c.status != string(network.Active) {
			continue
		}
		if err := tx.upgradeGrade(ctx, c.id, c.grade, g, c.f); err != nil {
			return 0, err
		}
	}
	_, err = tx.Exec(ctx, `UPDATE distributor_sales SET grade_due = FALSE WHERE distributor_id IN (`+sqldb.Placeholders(len(ids))+`)`, ids...)
	return len(list), err
}

// upgradeGrade moves a distributor from grade from to g, only if it still
// has from: of two concurrent sweeps one upgrades and audits.
func (tx *Tx) upgradeGrade(ctx context.Context, id, from int64, g *network.Grade, f gradeFigures) error {
	n, err := tx.ExecN(ctx, `UPDATE distributors SET grade_id = ? WHERE id = ? AND COALESCE(grade_id, 0) = ?`, g.ID, id, from)
	if err != nil || n == 0 {
		return err
	}
	type before struct {
		GradeID int64 `json:"grade_id"`
	}
	type after struct {
		GradeID       int64        `json:"grade_id"`
		Rank          int64        `json:"rank"`
		OwnSales      money.Amount `json:"own_sales"`
		TeamSales     money.Amount `json:"team_sales"`
		DirectMembers int64        `json:"direct_members"`
	}
	return tx.audit(ctx, 0, "grade.upgrade", fmt.Sprintf("distributor:%d", id), before{from},
		after{g.ID, g.Rank, f.own, f.team, f.direct})
}

func (tx *Tx) allGrades(ctx context.Context) ([]network.Grade, error) {
	var out []network.Grade
	err := tx.Each(ctx, `SELECT `+gradeCols+` FROM grades ORDER BY rank`, nil, func(scan func(...any) error) error {
		var r gradeRow
		if err := scan(r.dest()...); err != nil {
			return sqldb.MapErr(err)
		}
		out = append(out, *r.grade())
		return nil
	})
	return out, err
}

// markGradesDue marks for a look the distributors whose standing may have
// changed other than by a sale: everyone with figures when the grades or
// the head-count setting changed; with head-count conditions on, the
// sponsors of distributors who joined since the last run (and, on a change,
// everyone with a direct member). Approvals and moves are seen at the
// member's next sale or the next change of the grades.
func (tx *Tx) markGradesDue(ctx context.Context, grades []network.Grade, headCount bool) error {
	h := fnv.New64a()
	fmt.Fprint(h, headCount)
	for _, g := range grades {
		fmt.Fprint(h, g.ID, g.Rank, g.OwnSalesMin, g.TeamSalesMin, g.DirectMembersMin, g.UpdatedAt.UnixMicro())
	}
	sig := int64(h.Sum64() >> 1)
	var seenSig, seenMember, maxMember int64
	if err := tx.Get(ctx, "figures state", `SELECT
			(SELECT value FROM figures_state WHERE name = 'grades_signature'),
			(SELECT value FROM figures_state WHERE name = 'members_seen'),
			(SELECT COALESCE(MAX(id), 0) FROM distributors)`, nil, &seenSig, &seenMember, &maxMember); err != nil {
		return err
	}
	const upsertDue = `ON CONFLICT (distributor_id) DO UPDATE SET grade_due = TRUE`
	if sig != seenSig {
		if _, err := tx.Exec(ctx, `UPDATE distributor_sales SET grade_due = TRUE WHERE grade_due = FALSE`); err != nil {
			return err
		}
		if headCount {
			if _, err := tx.Exec(ctx, `INSERT INTO distributor_sales (distributor_id, grade_due, updated_at)
				SELECT id, TRUE, CAST(? AS BIGINT) FROM distributors WHERE depth1_count > 0 `+upsertDue, ts(tx.Now())); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE figures_state SET value = ? WHERE name = 'grades_signature'`, sig); err != nil {
			return err
		}
	}
	if maxMember > seenMember {
		if headCount {
			if _, err := tx.Exec(ctx, `INSERT INTO distributor_sales (distributor_id, grade_due, updated_at)
				SELECT DISTINCT sponsor_id, TRUE, CAST(? AS BIGINT) FROM distributors WHERE id > ? AND sponsor_id IS NOT NULL `+upsertDue,
				ts(tx.Now()), seenMember); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE figures_state SET value = ? WHERE name = 'members_seen'`, maxMember); err != nil {
			return err
		}
	}
	return nil
}
