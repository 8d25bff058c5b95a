package store

import (
	"context"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/commission"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/order"
)

// PriceQuote asks what one unit of a SKU earns its seller at a shop price;
// Price 0 asks at the retail price.
type PriceQuote struct {
	SKUID int64
	Price money.Amount
}

// UnitEarning is what the actor's shop would earn on one unit of a SKU sold
// at Price: its tier-1 commission on the retail base, and the markup above
// retail, which is the seller's whole.
type UnitEarning struct {
	SKUID      int64
	Retail     money.Amount
	MaxPrice   money.Amount // the highest price the shop may set: the ceiling where the supplier allows markup, else retail
	Price      money.Amount
	Commission money.Amount // tier 1
	Markup     money.Amount
}

// Total is what the seller earns on the unit.
func (e UnitEarning) Total() money.Amount { return e.Commission + e.Markup }

// MaxQuotes bounds one UnitEarnings call.
const MaxQuotes = 500

// UnitEarnings answers each quote for the actor's own distributor as
// checkout would book it: the SKU read as checkout reads a cart line, the
// snapshot checkout takes with the actor as seller (its grade, the
// program's tiers, rates and cap, the product's and SKU's overrides), split
// by commission.Split on one unit. No coupon and no shipping address: a
// regional agent of the address, paid before tier 1 when the cap binds,
// is not in the preview. A price the shop could not set is Invalid on price,
// as SetShopPrice refuses it; a SKU not for sale is Invalid on sku_id.
func (db *DB) UnitEarnings(ctx context.Context, actor account.Actor, quotes []PriceQuote) ([]UnitEarning, error) {
	if len(quotes) > MaxQuotes {
		return nil, errs.Wrap("store.UnitEarnings", errs.Invalidf("sku_id", "ask for at most %d SKUs at once", MaxQuotes))
	}
	out := make([]UnitEarning, len(quotes))
	err := db.Read(ctx, func(tx *Tx) error {
		seller, err := tx.shopOwner(ctx, actor)
		if err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		var gradeTier1 *money.Rate
		if seller.GradeID != 0 {
			g, err := tx.grade(ctx, seller.GradeID)
			if err != nil {
				return err
			}
			gradeTier1 = g.Tier1Rate
		}
		for i, q := range quotes {
			lines, err := tx.cartLines(ctx, []order.Item{{SKUID: q.SKUID, Quantity: 1}})
			if strings.HasPrefix(errs.FieldOf(err), "items[") {
				return errs.Invalidf("sku_id", "no SKU on sale has the id %d", q.SKUID)
			} else if err != nil {
				return err
			}
			c := lines[0]
			e := UnitEarning{SKUID: q.SKUID, Retail: c.sku.RetailPrice, MaxPrice: c.sku.RetailPrice, Price: q.Price}
			if c.allowMarkup && c.sku.PriceCeiling != nil {
				e.MaxPrice = *c.sku.PriceCeiling
			}
			if e.Price == 0 {
				e.Price = e.Retail
			}
			if err := tx.checkShopPrice(ctx, c.sku, c.allowMarkup, e.Price); err != nil {
				return err
			}
			snap := snapshot(s.CurrencyCode, c.supplierID, seller, nil, gradeTier1, s.Tiers, s.TierRates, s.PlatformRate,
				s.CommissionCap, nil, c.productRule, c.sku.Commission, nil)
			shares, err := commission.Split(snap, commission.Line{Base: e.Retail, Markup: e.Price - e.Retail, Quantity: 1})
			if err != nil {
				return err
			}
			e.Commission = shares.Of(commission.Party{Kind: commission.KindTier, Tier: 1, ID: seller.ID})
			e.Markup = shares.Of(commission.Party{Kind: commission.KindMarkup, ID: seller.ID})
			out[i] = e
		}
		return nil
	})
	if err != nil {
		return nil, errs.Wrap("store.UnitEarnings", err)
	}
	return out, nil
}
