package store

import (
	"context"
	"fmt"
	"slices"

	"sharemall/internal/account"
	"sharemall/internal/campaign"
	"sharemall/internal/catalog"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/sqldb"
)

// CreateCampaign saves a new campaign (docs/campaigns.md). An operator's
// campaign may run on any product; a supplier's only on its own. The
// compliance guard refuses one whose tier-1 rule would take a line's
// commission above the program's cap (campaign.CheckCap, per SKU).
func (db *DB) CreateCampaign(ctx context.Context, actor account.Actor, in campaign.Input) (*campaign.Campaign, error) {
	if err := actor.Require(account.Operator, account.Supplier); err != nil {
		return nil, errs.Wrap("store.CreateCampaign", err)
	}
	var c *campaign.Campaign
	err := db.Write(ctx, func(tx *Tx) error {
		if err := in.Validate(tx.Now()); err != nil {
			return err
		}
		items, err := tx.campaignItems(ctx, actor, 0, in)
		if err != nil {
			return err
		}
		var sup any
		if !actor.IsOperator() {
			sup = actor.SupplierID
		}
		id, err := tx.Insert(ctx, `INSERT INTO campaigns (supplier_id, created_by, name, starts_at, ends_at, tier1_kind, tier1_rate,
			tier1_per_unit, stock_limit, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sup, actor.AccountID, in.Name, ts(in.StartsAt), ts(in.EndsAt), string(in.Tier1.Kind), int64(in.Tier1.Rate),
			int64(in.Tier1.PerUnit), in.StockLimit, ts(tx.Now()), ts(tx.Now()))
		if err != nil {
			return err
		}
		if err := tx.insertCampaignItems(ctx, id, items); err != nil {
			return err
		}
		if c, err = tx.campaign(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "campaign.create", fmt.Sprintf("campaign:%d", id), nil, c)
	})
	return c, errs.Wrap("store.CreateCampaign", err)
}

// UpdateCampaign replaces a campaign that has not ended with in, as a new
// version. Orders placed under the old version keep it in their snapshots;
// units already sold stay counted against the (new) stock limit.
func (db *DB) UpdateCampaign(ctx context.Context, actor account.Actor, id int64, in campaign.Input) (*campaign.Campaign, error) {
	var c *campaign.Campaign
	err := db.Write(ctx, func(tx *Tx) error {
		old, err := tx.ownCampaign(ctx, actor, id)
		if err != nil {
			return err
		}
		if old.StatusAt(tx.Now()) == campaign.Ended {
			return errs.E(errs.Conflict, "", "the campaign has ended; create a new one")
		}
		if old.StatusAt(tx.Now()) == campaign.Running && !in.StartsAt.Equal(old.StartsAt) {
			return errs.Invalidf("starts_at", "cannot change once the campaign is running")
		}
		if err := in.Validate(tx.Now()); err != nil {
			return err
		}
		if in.StockLimit != nil && *in.StockLimit < old.Sold {
			return errs.Invalidf("stock_limit", "%d units are already sold under the campaign", old.Sold)
		}
		items, err := tx.campaignItems(ctx, actor, id, in)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE campaigns SET name = ?, starts_at = ?, ends_at = ?, tier1_kind = ?, tier1_rate = ?, tier1_per_unit = ?,
			stock_limit = ?, version = version + 1, updated_at = ? WHERE id = ?`, in.Name, ts(in.StartsAt), ts(in.EndsAt), string(in.Tier1.Kind),
			int64(in.Tier1.Rate), int64(in.Tier1.PerUnit), in.StockLimit, ts(tx.Now()), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM campaign_items WHERE campaign_id = ?`, id); err != nil {
			return err
		}
		if err := tx.insertCampaignItems(ctx, id, items); err != nil {
			return err
		}
		if c, err = tx.campaign(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "campaign.update", fmt.Sprintf("campaign:%d", id), old, c)
	})
	return c, errs.Wrap("store.UpdateCampaign", err)
}

// EndCampaign ends a campaign now: a running one stops applying at once, a
// coming one never starts. Placed orders keep what they were placed under.
func (db *DB) EndCampaign(ctx context.Context, actor account.Actor, id int64) (*campaign.Campaign, error) {
	var c *campaign.Campaign
	err := db.Write(ctx, func(tx *Tx) error {
		old, err := tx.ownCampaign(ctx, actor, id)
		if err != nil {
			return err
		}
		now := ts(tx.Now())
		switch old.StatusAt(tx.Now()) {
		case campaign.Ended:
			return errs.E(errs.Conflict, "", "the campaign has already ended")
		case campaign.Coming:
			_, err = tx.Exec(ctx, `UPDATE campaigns SET starts_at = ?, ends_at = ?, version = version + 1, updated_at = ? WHERE id = ?`, now, now, now, id)
		default:
			_, err = tx.Exec(ctx, `UPDATE campaigns SET ends_at = ?, version = version + 1, updated_at = ? WHERE id = ?`, now, now, id)
		}
		if err != nil {
			return err
		}
		if c, err = tx.campaign(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "campaign.end", fmt.Sprintf("campaign:%d", id), old, c)
	})
	return c, errs.Wrap("store.EndCampaign", err)
}

// Campaign returns one campaign to its owner (an operator sees every one).
func (db *DB) Campaign(ctx context.Context, actor account.Actor, id int64) (*campaign.Campaign, error) {
	var c *campaign.Campaign
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.ownCampaign(ctx, actor, id)
		return err
	})
	return c, errs.Wrap("store.Campaign", err)
}

// Campaigns lists the campaigns an operator (all) or a supplier (its own)
// runs, newest first; ended ones only when withEnded.
func (db *DB) Campaigns(ctx context.Context, actor account.Actor, withEnded bool) ([]*campaign.Campaign, error) {
	if err := actor.Require(account.Operator, account.Supplier); err != nil {
		return nil, errs.Wrap("store.Campaigns", err)
	}
	var out []*campaign.Campaign
	err := db.Read(ctx, func(tx *Tx) error {
		q, args := `SELECT id FROM campaigns WHERE 1 = 1`, []any{}
		if !actor.IsOperator() {
			q, args = q+` AND supplier_id = ?`, append(args, actor.SupplierID)
		}
		if !withEnded {
			q, args = q+` AND ends_at > ?`, append(args, ts(tx.Now()))
		}
		ids, err := sqldb.Column[int64](ctx, tx.Tx, q+` ORDER BY id DESC LIMIT 200`, args)
		if err != nil {
			return err
		}
		out, err = tx.campaignsByID(ctx, ids)
		return err
	})
	return out, errs.Wrap("store.Campaigns", err)
}

func (tx *Tx) campaignsByID(ctx context.Context, ids []int64) ([]*campaign.Campaign, error) {
	out := make([]*campaign.Campaign, 0, len(ids))
	for _, id := range ids {
		c, err := tx.campaign(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ownCampaign reads campaign id for actor: an operator reads any, a
// supplier only its own (another's is not found, so ids reveal nothing).
func (tx *Tx) ownCampaign(ctx context.Context, actor account.Actor, id int64) (*campaign.Campaign, error) {
	if err := actor.Require(account.Operator, account.Supplier); err != nil {
		return nil, err
	}
	c, err := tx.campaign(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.IsOperator() && (c.SupplierID == 0 || c.SupplierID != actor.SupplierID) {
		return nil, errs.E(errs.NotFound, "id", "no such campaign")
	}
	return c, nil
}

func (tx *Tx) campaign(ctx context.Context, id int64) (*campaign.Campaign, error) {
	c := &campaign.Campaign{ID: id}
	var sup, limit nullableInt
	var starts, ends, created int64
	var kind string
	var rate, perUnit int64
	err := tx.Get(ctx, "campaign", `SELECT supplier_id, name, starts_at, ends_at, tier1_kind, tier1_rate, tier1_per_unit, stock_limit, sold,
		version, created_at FROM campaigns WHERE id = ?`, []any{id}, &sup, &c.Name, &starts, &ends, &kind, &rate, &perUnit, &limit, &c.Sold,
		&c.Version, &created)
	if err != nil {
		return nil, err
	}
	c.SupplierID, c.StartsAt, c.EndsAt, c.CreatedAt = int64(sup), fromTS(starts), fromTS(ends), fromTS(created)
	c.Tier1 = catalog.TierCommission{Kind: catalog.CommissionKind(kind), Rate: money.Rate(rate), PerUnit: money.Amount(perUnit)}
	if limit != 0 {
		l := int64(limit)
		c.StockLimit = &l
	}
	err = tx.Each(ctx, `SELECT ci.product_id, ci.sku_id, p.title, k.code, k.retail_price, ci.price FROM campaign_items ci
		JOIN skus k ON k.id = ci.sku_id JOIN products p ON p.id = ci.product_id WHERE ci.campaign_id = ? ORDER BY ci.product_id, ci.sku_id`,
		[]any{id}, func(scan func(...any) error) error {
			var it campaign.SKUItem
			var price nullableInt
			if err := scan(&it.ProductID, &it.SKUID, &it.ProductTitle, &it.SKUCode, &it.Retail, &price); err != nil {
				return err
			}
			if price != 0 {
				p := money.Amount(price)
				it.Price = &p
			}
			c.Items = append(c.Items, it)
			return nil
		})
	return c, err
}

// campaignSKU is one SKU a campaign being saved covers.
type campaignSKU struct {
	item      campaign.SKUItem
	field     string // the input item that chose it
	supplier  int64
	product   *catalog.Commission
	skuRule   *catalog.Commission
	unitPrice money.Amount
}

// campaignItems expands in's items to SKUs and checks them: each exists and
// may be chosen by actor (a supplier: its own products), no SKU twice, a
// price below retail, the cap (campaign.CheckCap at the program's current
// rules) and no other campaign (but self, when editing) on the same SKU in
// an overlapping period. The SKU rows are locked first (PostgreSQL), in id
// order, so two saves cannot both pass the overlap check.
func (tx *Tx) campaignItems(ctx context.Context, actor account.Actor, self int64, in campaign.Input) ([]campaignSKU, error) {
	st, err := tx.settings(ctx)
	if err != nil {
		return nil, err
	}
	var out []campaignSKU
	seen := map[int64]string{}
	for i, it := range in.Items {
		field, where, arg := fmt.Sprintf("items[%d].product_id", i), `p.id = ?`, it.ProductID
		if it.SKUID != 0 {
			field, where, arg = fmt.Sprintf("items[%d].sku_id", i), `k.id = ?`, it.SKUID
		}
		n := len(out)
		err := tx.Each(ctx, `SELECT p.id, k.id, p.title, k.code, k.retail_price, p.supplier_id, p.commission, k.commission FROM skus k
			JOIN products p ON p.id = k.product_id WHERE `+where+` ORDER BY k.id`, []any{arg}, func(scan func(...any) error) error {
			c := campaignSKU{field: field}
			var pc, kc nullableString
			if err := scan(&c.item.ProductID, &c.item.SKUID, &c.item.ProductTitle, &c.item.SKUCode, &c.item.Retail, &c.supplier, &pc, &kc); err != nil {
				return err
			}
			var err error
			if c.product, err = catalog.UnmarshalCommission(string(pc)); err != nil {
				return err
			}
			if c.skuRule, err = catalog.UnmarshalCommission(string(kc)); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == n {
			return nil, errs.Invalidf(field, "no such product or SKU")
		}
		for j := n; j < len(out); j++ {
			c := &out[j]
			if !actor.IsOperator() && c.supplier != actor.SupplierID {
				return nil, errs.Invalidf(field, "is not one of your products")
			}
			if was, dup := seen[c.item.SKUID]; dup {
				return nil, errs.Invalidf(field, "SKU %d is already chosen by %s", c.item.SKUID, was)
			}
			seen[c.item.SKUID] = field
			c.unitPrice = c.item.Retail
			if it.Price != nil {
				if *it.Price >= c.item.Retail {
					return nil, errs.Invalidf(fmt.Sprintf("items[%d].price", i), "must be below the retail price %d of SKU %s", int64(c.item.Retail), c.item.SKUCode)
				}
				p := *it.Price
				c.item.Price, c.unitPrice = &p, p
			}
			rules := commission.Resolve(commission.Sources{Tiers: st.Tiers, Program: st.TierRates, Product: c.product, SKU: c.skuRule,
				Campaign: campaign.TierRule(in.Tier1)})
			if err := campaign.CheckCap(rules, st.AreaRate, st.CommissionCap, c.unitPrice); err != nil {
				return nil, errs.Invalidf(errs.FieldOf(err), "SKU %s: %s", c.item.SKUCode, errs.MessageOf(err))
			}
		}
	}
	skus := make([]int64, len(out))
	for i, c := range out {
		skus[i] = c.item.SKUID
	}
	slices.Sort(skus)
	if tx.Engine() == Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM skus WHERE id IN (`+sqldb.Placeholders(len(skus))+`) ORDER BY id FOR NO KEY UPDATE`, sqldb.Args(skus)...); err != nil {
			return nil, err
		}
	}
	var clash, other int64
	err = tx.Get(ctx, "campaign", `SELECT ci.sku_id, c.id FROM campaign_items ci JOIN campaigns c ON c.id = ci.campaign_id
		WHERE ci.sku_id IN (`+sqldb.Placeholders(len(skus))+`) AND c.id <> ? AND c.starts_at < ? AND c.ends_at > ? AND c.ends_at > ?
		ORDER BY ci.sku_id LIMIT 1`, append(sqldb.Args(skus), self, ts(in.EndsAt), ts(in.StartsAt), ts(tx.Now())), &clash, &other)
	switch {
	case errs.Is(err, errs.NotFound):
		return out, nil
	case err != nil:
		return nil, err
	}
	return nil, errs.E(errs.Conflict, seen[clash], "SKU %d is in campaign %d during an overlapping period; a SKU runs one campaign at a time", clash, other)
}

func (tx *Tx) insertCampaignItems(ctx context.Context, id int64, items []campaignSKU) error {
	for _, c := range items {
		var price any
		if c.item.Price != nil {
			price = int64(*c.item.Price)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO campaign_items (campaign_id, sku_id, product_id, price) VALUES (?, ?, ?, ?)`,
			id, c.item.SKUID, c.item.ProductID, price); err != nil {
			return err
		}
	}
	return nil
}

// lineCampaign is the campaign a cart line is priced under.
type lineCampaign struct {
	ref   commission.CampaignRef
	rule  *commission.TierRule
	price *money.Amount
}

// applyCampaigns puts each line under the campaign running on its SKU at
// tx.Now(), if any, and if its stock limit has room for the line's units
// (with the earlier lines of the same cart under the same campaign). A
// campaign price replaces the unit price: the customer pays it and no shop
// markup (docs/campaigns.md). Checkout claims the units in claimCampaigns.
func (tx *Tx) applyCampaigns(ctx context.Context, lines []*cartLine) error {
	taken := map[int64]int64{}
	now := ts(tx.Now())
	for _, c := range lines {
		c.campaign = nil
		var id, version, rate, perUnit, sold int64
		var kind string
		var limit, price nullableInt
		err := tx.Get(ctx, "campaign", `SELECT c.id, c.version, c.tier1_kind, c.tier1_rate, c.tier1_per_unit, c.stock_limit, c.sold, ci.price
			FROM campaign_items ci JOIN campaigns c ON c.id = ci.campaign_id
			WHERE ci.sku_id = ? AND c.starts_at <= ? AND c.ends_at > ? ORDER BY c.id LIMIT 1`, []any{c.sku.ID, now, now},
			&id, &version, &kind, &rate, &perUnit, &limit, &sold, &price)
		if errs.Is(err, errs.NotFound) {
			continue
		} else if err != nil {
			return err
		}
		q := c.item.Quantity
		if limit != 0 && sold+taken[id]+q > int64(limit) {
			continue // sold out for this line: the usual price and rules
		}
		taken[id] += q
		lc := &lineCampaign{ref: commission.CampaignRef{ID: id, Version: version},
			rule: campaign.TierRule(catalog.TierCommission{Kind: catalog.CommissionKind(kind), Rate: money.Rate(rate), PerUnit: money.Amount(perUnit)})}
		if price != 0 && money.Amount(price) < c.line.UnitRetail {
			p := money.Amount(price)
			lc.price = &p
			c.line.UnitRetail, c.line.UnitPrice = p, p
			c.line.Base, c.line.Markup = p*money.Amount(q), 0
		}
		c.campaign = lc
	}
	return nil
}

// claimCampaigns adds the lines' units to their campaigns' sold counts,
// campaign by campaign in id order. Checkout calls it after reserving stock
// and before redeeming the coupon: the lock order is stock rows, then
// campaign rows, then the coupon (releaseOrder takes them back in the same
// order). The UPDATE is conditional on the version and period the plan saw
// and on the stock limit, so on PostgreSQL a checkout that waited for
// another's row lock re-reads the count it committed: a campaign sold out,
// ended or edited meanwhile is a Conflict on the line, and the retry is
// priced without it. No unit is ever sold past the limit.
func (tx *Tx) claimCampaigns(ctx context.Context, lines []*cartLine) error {
	type claim struct {
		version, qty int64
		field        string
	}
	claims := map[int64]*claim{}
	var ids []int64
	for i, c := range lines {
		if c.campaign == nil {
			continue
		}
		id := c.campaign.ref.ID
		if claims[id] == nil {
			claims[id] = &claim{version: c.campaign.ref.Version, field: fmt.Sprintf("items[%d].sku_id", i)}
			ids = append(ids, id)
		}
		claims[id].qty += c.item.Quantity
	}
	slices.Sort(ids)
	now := ts(tx.Now())
	for _, id := range ids {
		cl := claims[id]
		n, err := tx.ExecN(ctx, `UPDATE campaigns SET sold = sold + ? WHERE id = ? AND version = ? AND starts_at <= ? AND ends_at > ?
			AND (stock_limit IS NULL OR sold + ? <= stock_limit)`, cl.qty, id, cl.version, now, now, cl.qty)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.E(errs.Conflict, cl.field, "campaign %d has just sold out, ended or changed; check out again for the current price", id)
		}
	}
	return nil
}

// releaseCampaigns gives an unpaid order's campaign units back, in
// campaign id order (after the stock rows, before the coupon).
func (tx *Tx) releaseCampaigns(ctx context.Context, orderID int64) error {
	type held struct{ id, qty int64 }
	var hs []held
	err := tx.Each(ctx, `SELECT campaign_id, SUM(quantity) FROM order_lines WHERE order_id = ? AND campaign_id IS NOT NULL
		GROUP BY campaign_id ORDER BY campaign_id`, []any{orderID}, func(scan func(...any) error) error {
		var h held
		err := scan(&h.id, &h.qty)
		hs = append(hs, h)
		return err
	})
	if err != nil {
		return err
	}
	for _, h := range hs {
		if _, err := tx.Exec(ctx, `UPDATE campaigns SET sold = sold - ? WHERE id = ? AND sold >= ?`, h.qty, h.id, h.qty); err != nil {
			return err
		}
	}
	return nil
}
