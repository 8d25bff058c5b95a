package store

import (
	"context"
	"fmt"
	"sort"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/network"
)

// subtreeCounts is what a distributor's subtree adds to the counters of
// each ancestor: team is every active member in it, byDepth[k] the active
// members k levels below its top (k = 0 is the top itself).
type subtreeCounts struct {
	team    int64
	byDepth [3]int64
}

// oneActive is a distributor becoming active on its own (join, approval).
var oneActive = subtreeCounts{team: 1, byDepth: [3]int64{1, 0, 0}}

func subtreeOf(d *network.Distributor) subtreeCounts {
	self := int64(0)
	if d.Status == network.Active {
		self = 1
	}
	return subtreeCounts{team: self + d.TeamSize, byDepth: [3]int64{self, d.DepthCounts[0], d.DepthCounts[1]}}
}

func placementOf(d *network.Distributor) network.Placement {
	return network.Placement{SponsorID: d.SponsorID, Ancestor2ID: d.Ancestor2ID, Ancestor3ID: d.Ancestor3ID, Depth: d.Depth}
}

// addToUpline adds sign × c to the counters of everyone above a subtree
// placed at p: team_size of every ancestor to the root, and the depth
// counters of the three nearest. One statement, however deep the tree.
func (tx *Tx) addToUpline(ctx context.Context, p network.Placement, c subtreeCounts, sign int64) error {
	if p.SponsorID == 0 {
		return nil
	}
	b := c.byDepth
	_, err := tx.Exec(ctx, `WITH RECURSIVE up(id) AS (
			SELECT CAST(? AS BIGINT)
			UNION ALL
			SELECT d.sponsor_id FROM distributors d JOIN up ON d.id = up.id WHERE d.sponsor_id IS NOT NULL)
		UPDATE distributors SET
			team_size = team_size + CAST(? AS BIGINT),
			depth1_count = depth1_count + CASE WHEN id = ? THEN CAST(? AS BIGINT) ELSE 0 END,
			depth2_count = depth2_count + CASE WHEN id = ? THEN CAST(? AS BIGINT) WHEN id = ? THEN CAST(? AS BIGINT) ELSE 0 END,
			depth3_count = depth3_count + CASE WHEN id = ? THEN CAST(? AS BIGINT) WHEN id = ? THEN CAST(? AS BIGINT)
				WHEN id = ? THEN CAST(? AS BIGINT) ELSE 0 END
		WHERE id IN (SELECT id FROM up)`,
		p.SponsorID, sign*c.team,
		p.SponsorID, sign*b[0],
		p.SponsorID, sign*b[1], p.Ancestor2ID, sign*b[0],
		p.SponsorID, sign*b[2], p.Ancestor2ID, sign*b[1], p.Ancestor3ID, sign*b[0])
	return err
}

// inUpline reports whether ancestor is from or above from, walking sponsors.
func (tx *Tx) inUpline(ctx context.Context, from, ancestor int64) (bool, error) {
	return tx.Exists(ctx, `WITH RECURSIVE up(id) AS (
			SELECT CAST(? AS BIGINT)
			UNION ALL
			SELECT d.sponsor_id FROM distributors d JOIN up ON d.id = up.id WHERE d.sponsor_id IS NOT NULL)
		SELECT 1 FROM up WHERE id = ?`, from, ancestor)
}

// MoveDistributor re-parents a distributor with its whole team under
// newSponsorID (0 makes it a root); operator only, audited. The new sponsor
// must be active, must have joined earlier, and must not be in the team.
func (db *DB) MoveDistributor(ctx context.Context, actor account.Actor, id, newSponsorID int64) (*network.Distributor, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.MoveDistributor", err)
	}
	if newSponsorID < 0 {
		return nil, errs.Wrap("store.MoveDistributor", errs.Invalidf("sponsor_id", "must be a distributor id, or 0 for none"))
	}
	var d *network.Distributor
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		d, err = tx.moveDistributor(ctx, actor, id, newSponsorID)
		return err
	})
	return d, errs.Wrap("store.MoveDistributor", err)
}

func (tx *Tx) moveDistributor(ctx context.Context, actor account.Actor, id, newSponsorID int64) (*network.Distributor, error) {
	if err := tx.lockNetwork(ctx); err != nil {
		return nil, err
	}
	d, err := tx.distributor(ctx, id)
	if err != nil {
		return nil, err
	}
	if newSponsorID == id {
		return nil, errs.Invalidf("sponsor_id", "a distributor cannot sponsor itself")
	}
	if newSponsorID == d.SponsorID {
		return d, nil
	}
	var sponsor *network.Distributor
	if newSponsorID != 0 {
		sponsor, err = tx.distributor(ctx, newSponsorID)
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Invalidf("sponsor_id", "no distributor has this id")
		}
		if err != nil {
			return nil, err
		}
		if cycle, err := tx.inUpline(ctx, sponsor.ID, id); err != nil {
			return nil, err
		} else if cycle {
			return nil, errs.Invalidf("sponsor_id", "is in the distributor's own team; the move would make a cycle")
		}
		if sponsor.JoinedAt.After(d.JoinedAt) || (sponsor.JoinedAt.Equal(d.JoinedAt) && sponsor.ID > d.ID) {
			return nil, errs.Invalidf("sponsor_id", "joined later than the distributor; a sponsor always joined earlier")
		}
		if sponsor.Status != network.Active {
			return nil, errs.Invalidf("sponsor_id", "is %s, not active", sponsor.Status)
		}
	}
	c := subtreeOf(d)
	if err := tx.addToUpline(ctx, placementOf(d), c, -1); err != nil {
		return nil, err
	}
	p := network.PlaceUnder(sponsor)
	if err := tx.recordMove(ctx, d, p.Depth-d.Depth); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE distributors SET sponsor_id = ?, ancestor2_id = ?, ancestor3_id = ?, depth = ? WHERE id = ?`,
		nullInt(p.SponsorID), nullInt(p.Ancestor2ID), nullInt(p.Ancestor3ID), p.Depth, id); err != nil {
		return nil, err
	}
	// Only the two generations below see the new upline in their ancestor
	// columns; everyone below shifts depth.
	if _, err := tx.Exec(ctx, `UPDATE distributors SET ancestor2_id = ?, ancestor3_id = ? WHERE sponsor_id = ?`,
		nullInt(p.SponsorID), nullInt(p.Ancestor2ID), id); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE distributors SET ancestor3_id = ? WHERE ancestor2_id = ?`, nullInt(p.SponsorID), id); err != nil {
		return nil, err
	}
	if shift := p.Depth - d.Depth; shift != 0 {
		if _, err := tx.Exec(ctx, `WITH RECURSIVE sub(id) AS (
				SELECT id FROM distributors WHERE sponsor_id = ?
				UNION ALL
				SELECT d.id FROM distributors d JOIN sub ON d.sponsor_id = sub.id)
			UPDATE distributors SET depth = depth + CAST(? AS BIGINT) WHERE id IN (SELECT id FROM sub)`, id, shift); err != nil {
			return nil, err
		}
	}
	if err := tx.addToUpline(ctx, p, c, 1); err != nil {
		return nil, err
	}
	type sponsorOf struct {
		SponsorID int64 `json:"sponsor_id"`
	}
	if err := tx.audit(ctx, actor.AccountID, "distributor.move", fmt.Sprintf("distributor:%d", id),
		sponsorOf{d.SponsorID}, sponsorOf{newSponsorID}); err != nil {
		return nil, err
	}
	return tx.distributor(ctx, id)
}

// CheckNetwork recomputes every ancestor column, depth and counter from
// sponsor_id alone and reports each row that disagrees (empty when the tree
// is consistent). It reads the whole table: an ops and test tool.
func (db *DB) CheckNetwork(ctx context.Context) ([]string, error) {
	var rows []network.Distributor
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		rows, err = tx.distributors(ctx, `SELECT `+distributorCols+` FROM distributors ORDER BY id`)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.CheckNetwork", err)
	}
	return checkTree(rows), nil
}

// checkTree is CheckNetwork's arithmetic, linear in the number of rows.
func checkTree(rows []network.Distributor) []string {
	byID := make(map[int64]int, len(rows))
	for i, d := range rows {
		byID[d.ID] = i
	}
	sponsor := func(id int64) int64 {
		if i, ok := byID[id]; ok {
			return rows[i].SponsorID
		}
		return 0
	}
	var problems []string
	// Depth by walking up, memoised; a walk longer than the table is a cycle.
	depth := make([]int64, len(rows))
	known := make([]bool, len(rows))
	for i := range rows {
		var path []int
		j, ok := i, true
		for !known[j] {
			path = append(path, j)
			s := rows[j].SponsorID
			if s == 0 {
				break
			}
			if j, ok = byID[s]; !ok || len(path) > len(rows) {
				problems = append(problems, fmt.Sprintf("distributor %d: sponsor chain broken or cyclic", rows[i].ID))
				return problems
			}
		}
		base := int64(-1)
		if known[j] {
			base = depth[j]
		}
		for k := len(path) - 1; k >= 0; k-- {
			base++
			depth[path[k]], known[path[k]] = base, true
		}
	}
	// Counters: deepest first, each row hands its totals to its sponsor.
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return depth[order[a]] > depth[order[b]] })
	team := make([]int64, len(rows))
	byDepth := make([][3]int64, len(rows))
	for _, i := range order {
		d := rows[i]
		if d.Status != network.Active {
			continue
		}
		up := d.SponsorID
		for k := 0; up != 0; k++ {
			j := byID[up]
			if k < 3 {
				byDepth[j][k]++
			} else {
				break
			}
			up = rows[j].SponsorID
		}
	}
	for _, i := range order {
		if s := rows[i].SponsorID; s != 0 {
			active := int64(0)
			if rows[i].Status == network.Active {
				active = 1
			}
			team[byID[s]] += team[i] + active
		}
	}
	for i, d := range rows {
		a2 := sponsor(d.SponsorID)
		a3 := sponsor(a2)
		if d.Ancestor2ID != a2 || d.Ancestor3ID != a3 {
			problems = append(problems, fmt.Sprintf("distributor %d: ancestors %d,%d, want %d,%d", d.ID, d.Ancestor2ID, d.Ancestor3ID, a2, a3))
		}
		if d.Depth != depth[i] {
			problems = append(problems, fmt.Sprintf("distributor %d: depth %d, want %d", d.ID, d.Depth, depth[i]))
		}
		if d.TeamSize != team[i] || d.DepthCounts != byDepth[i] {
			problems = append(problems, fmt.Sprintf("distributor %d: team %d by depth %v, want %d %v", d.ID, d.TeamSize, d.DepthCounts, team[i], byDepth[i]))
		}
	}
	return problems
}
