package store

import (
	"context"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/campaign"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/sqldb"
)

// CentreCampaign is a running or coming campaign as a distributor sees it
// in its centre: the SKUs it can sell under it and what it would earn.
type CentreCampaign struct {
	ID       int64
	Name     string
	StartsAt time.Time
	EndsAt   time.Time
	Status   campaign.Status
	Left     *int64 // units left under the stock limit, nil for no limit
	Items    []CentreCampaignItem
}

// CentreCampaignItem is one SKU of a campaign, for one distributor: Price
// is what the customer pays (the campaign price, else retail), Earn what
// the distributor would earn per unit as tier 1 under the campaign, Usual
// what it earns per unit without it (its grade, the overrides, the
// program), both split by commission.Split under the cap, with no coupon
// and no markup.
type CentreCampaignItem struct {
	ProductID    int64
	SKUID        int64
	ProductTitle string
	SKUCode      string
	Retail       money.Amount
	Price        money.Amount
	Earn         money.Amount
	Usual        money.Amount
}

// CentreCampaigns lists the running and coming campaigns on products the
// actor's distributor can sell now (on sale, supplier approved), soonest
// ending first.
func (db *DB) CentreCampaigns(ctx context.Context, actor account.Actor) ([]CentreCampaign, error) {
	if err := actor.Require(account.Distributor); err != nil {
		return nil, errs.Wrap("store.CentreCampaigns", err)
	}
	var out []CentreCampaign
	err := db.Read(ctx, func(tx *Tx) error {
		d, err := tx.distributor(ctx, actor.DistributorID)
		if err != nil {
			return err
		}
		st, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		var grade *money.Rate
		if d.GradeID != 0 {
			g, err := tx.grade(ctx, d.GradeID)
			if err != nil {
				return err
			}
			grade = g.Tier1Rate
		}
		ids, err := sqldb.Column[int64](ctx, tx.Tx, `SELECT id FROM campaigns WHERE ends_at > ? AND ends_at > starts_at ORDER BY starts_at, ends_at, id LIMIT 100`,
			[]any{ts(tx.Now())})
		if err != nil {
			return err
		}
		cs, err := tx.campaignsByID(ctx, ids)
		if err != nil {
			return err
		}
		for _, c := range cs {
			cc := CentreCampaign{ID: c.ID, Name: c.Name, StartsAt: c.StartsAt, EndsAt: c.EndsAt, Status: c.StatusAt(tx.Now())}
			if c.StockLimit != nil {
				left := max(*c.StockLimit-c.Sold, 0)
				cc.Left = &left
			}
			for _, it := range c.Items {
				item, ok, err := tx.centreItem(ctx, st.CurrencyCode, st.Tiers, st.TierRates, st.CommissionCap, d, grade, c, it)
				if err != nil {
					return err
				}
				if ok {
					cc.Items = append(cc.Items, item)
				}
			}
			if len(cc.Items) > 0 {
				out = append(out, cc)
			}
		}
		return nil
	})
	return out, errs.Wrap("store.CentreCampaigns", err)
}

// centreItem prices one campaign SKU for d, or says it is not for sale.
func (tx *Tx) centreItem(ctx context.Context, currency string, tiers int, rates []money.Rate, cap money.Rate, d *network.Distributor,
	grade *money.Rate, c *campaign.Campaign, it campaign.SKUItem) (CentreCampaignItem, bool, error) {
	cl, err := tx.cartLinesForSale(ctx, it.SKUID)
	if err != nil || cl == nil {
		return CentreCampaignItem{}, false, err
	}
	item := CentreCampaignItem{ProductID: it.ProductID, SKUID: it.SKUID, ProductTitle: it.ProductTitle, SKUCode: it.SKUCode,
		Retail: cl.sku.RetailPrice, Price: cl.sku.RetailPrice}
	if it.Price != nil && *it.Price < item.Price {
		item.Price = *it.Price
	}
	tier1 := commission.Party{Kind: commission.KindTier, Tier: 1, ID: d.ID}
	for _, run := range []struct {
		camp *lineCampaign
		base money.Amount
		dest *money.Amount
	}{
		{&lineCampaign{ref: commission.CampaignRef{ID: c.ID, Version: c.Version}, rule: c.Rule()}, item.Price, &item.Earn},
		{nil, item.Retail, &item.Usual},
	} {
		snap := snapshot(currency, cl.supplierID, d, nil, grade, tiers, rates, 0, cap, nil, cl.productRule, cl.sku.Commission, run.camp)
		shares, err := commission.Split(snap, commission.Line{Base: run.base, Quantity: 1})
		if err != nil {
			return item, false, err
		}
		*run.dest = shares.Of(tier1)
	}
	return item, true, nil
}

// cartLinesForSale reads one SKU as checkout would, nil when it is not for sale.
func (tx *Tx) cartLinesForSale(ctx context.Context, skuID int64) (*cartLine, error) {
	lines, err := tx.cartLines(ctx, []order.Item{{SKUID: skuID, Quantity: 1}})
	if errs.Is(err, errs.Invalid) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return lines[0], nil
}

// campaignPrices lowers each SKU's price to the campaign price where a
// running campaign sets one and has room for a unit, as checkout would
// charge it (applyCampaigns): the product page and the share landing show
// the price the customer will pay. One statement for the item's SKUs.
func (tx *Tx) campaignPrices(ctx context.Context, it *ShopItem) error {
	if it == nil {
		return nil
	}
	return tx.campaignPricesOf(ctx, []ShopItem{*it}, func(i, k int, p money.Amount) { it.SKUs[k].Price = p })
}

// CampaignPrices is campaignPrices for a page of a storefront's items (the
// shop's home, a category), in place: one statement for all their SKUs.
func (db *DB) CampaignPrices(ctx context.Context, items []ShopItem) error {
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.campaignPricesOf(ctx, items, func(i, k int, p money.Amount) { items[i].SKUs[k].Price = p })
	})
	return errs.Wrap("store.CampaignPrices", err)
}

// campaignPricesOf calls set for each SKU of items that a running campaign
// with a unit left prices below retail.
func (tx *Tx) campaignPricesOf(ctx context.Context, items []ShopItem, set func(item, sku int, price money.Amount)) error {
	var ids []int64
	for _, it := range items {
		for _, k := range it.SKUs {
			ids = append(ids, k.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	now := ts(tx.Now())
	prices := map[int64]money.Amount{}
	err := tx.Each(ctx, `SELECT ci.sku_id, ci.price FROM campaign_items ci JOIN campaigns c ON c.id = ci.campaign_id
		WHERE ci.sku_id IN (`+sqldb.Placeholders(len(ids))+`) AND ci.price IS NOT NULL AND c.starts_at <= ? AND c.ends_at > ?
		AND (c.stock_limit IS NULL OR c.sold < c.stock_limit)`, append(sqldb.Args(ids), now, now), func(scan func(...any) error) error {
		var sku, price int64
		err := scan(&sku, &price)
		prices[sku] = money.Amount(price)
		return err
	})
	if err != nil {
		return err
	}
	for i, it := range items {
		for k, sku := range it.SKUs {
			if p, ok := prices[sku.ID]; ok && p < sku.RetailPrice {
				set(i, k, p)
			}
		}
	}
	return nil
}
