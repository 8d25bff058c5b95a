package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// GrantArea makes distributorID the regional agent of regionCode (operator,
// audited). An area has one agent: granting a held area replaces its agent,
// and the audit line keeps the old one. The distributor must be active.
func (db *DB) GrantArea(ctx context.Context, actor account.Actor, regionCode string, distributorID int64) (*order.AgentArea, error) {
	var a *order.AgentArea
	err := db.Write(ctx, func(tx *Tx) error {
		if err := actor.Require(account.Operator); err != nil {
			return err
		}
		code, err := catalog.ParseRegionCode("region_code", regionCode)
		if err != nil {
			return err
		}
		if _, err := tx.region(ctx, code); err != nil {
			return err
		}
		if distributorID <= 0 {
			return errs.Invalidf("distributor_id", "must be a positive id")
		}
		d, err := tx.distributor(ctx, distributorID)
		if errs.Is(err, errs.NotFound) {
			return errs.Invalidf("distributor_id", "no such distributor")
		} else if err != nil {
			return err
		}
		if d.Status != network.Active {
			return errs.Invalidf("distributor_id", "distributor %d is %s, not active", d.ID, d.Status)
		}
		old, err := tx.agentArea(ctx, code)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO regional_agents (region_code, distributor_id, granted_by, granted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (region_code) DO UPDATE SET distributor_id = excluded.distributor_id, granted_by = excluded.granted_by,
			granted_at = excluded.granted_at`, code, distributorID, nullInt(actor.AccountID), ts(tx.Now())); err != nil {
			return err
		}
		if a, err = tx.agentArea(ctx, code); err != nil {
			return err
		}
		var was any
		if old != nil {
			was = old
		}
		return tx.audit(ctx, actor.AccountID, "region.agent.grant", "region:"+code, was, a)
	})
	return a, errs.Wrap("store.GrantArea", err)
}

// RevokeArea takes an area back from its agent (operator, audited). Orders
// already placed keep the agent in their snapshot.
func (db *DB) RevokeArea(ctx context.Context, actor account.Actor, regionCode string) error {
	err := db.Write(ctx, func(tx *Tx) error {
		if err := actor.Require(account.Operator); err != nil {
			return err
		}
		old, err := tx.agentArea(ctx, regionCode)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM regional_agents WHERE region_code = ?`, regionCode); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "region.agent.revoke", "region:"+regionCode, old, nil)
	})
	return errs.Wrap("store.RevokeArea", err)
}

// Agents lists the areas held: every one for an operator, its own for a distributor.
func (db *DB) Agents(ctx context.Context, actor account.Actor) ([]order.AgentArea, error) {
	var out []order.AgentArea
	err := db.Read(ctx, func(tx *Tx) error {
		if err := actor.Require(account.Operator, account.Distributor); err != nil {
			return err
		}
		q, args := `SELECT `+agentCols+` FROM regional_agents`, []any{}
		if !actor.IsOperator() {
			q, args = q+` WHERE distributor_id = ?`, append(args, actor.DistributorID)
		}
		var err error
		out, err = tx.agentAreas(ctx, q+` ORDER BY region_code`, args...)
		return err
	})
	return out, errs.Wrap("store.Agents", err)
}

const agentCols = `region_code, distributor_id, granted_by, granted_at`

func (tx *Tx) agentAreas(ctx context.Context, q string, args ...any) ([]order.AgentArea, error) {
	out := []order.AgentArea{}
	err := tx.Each(ctx, q, args, agentRow(&out))
	return out, err
}

// agentRow appends each row of agentCols to out.
func agentRow(out *[]order.AgentArea) func(scan func(...any) error) error {
	return func(scan func(...any) error) error {
		var a order.AgentArea
		var by nullableInt
		if err := scan(&a.RegionCode, &a.DistributorID, &by, &a.GrantedAtUnix); err != nil {
			return err
		}
		a.GrantedBy = int64(by)
		*out = append(*out, a)
		return nil
	}
}

func (tx *Tx) agentArea(ctx context.Context, code string) (*order.AgentArea, error) {
	as, err := tx.agentAreas(ctx, `SELECT `+agentCols+` FROM regional_agents WHERE region_code = ?`, code)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, errs.E(errs.NotFound, "", "no agent holds region %s", code)
	}
	return &as[0], nil
}

// agentsQuery reads the active agents of region and the regions above it
// into out: only the region's own code and its ancestors can cover it, and
// order.AgentFor picks the one holding the most specific area.
func agentsQuery(region string, out *[]order.AgentArea) sqldb.Query {
	var codes []any
	for c := region; c != ""; c = catalog.ParentCode(c) {
		codes = append(codes, c)
	}
	return sqldb.Query{SQL: `SELECT ra.region_code, ra.distributor_id, ra.granted_by, ra.granted_at
		FROM regional_agents ra JOIN distributors d ON d.id = ra.distributor_id
		WHERE d.status = 'active' AND ra.region_code IN (` + sqldb.Placeholders(len(codes)) + `)`, Args: codes, Row: agentRow(out)}
}
