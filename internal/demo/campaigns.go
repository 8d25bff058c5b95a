package demo

import (
	"context"
	"fmt"
	"time"

	"sharemall/internal/campaign"
	"sharemall/internal/catalog"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// seedCampaigns adds two campaigns (docs/campaigns.md), made after the
// orders so that no demo order is priced under them: a running one by the
// tea supplier (Longjing at a campaign price with tier 1 at 20%, 200 units)
// and a coming one by the operator (the egg rolls tin at 49.00 with tier 1 a
// fixed 11.00 per unit, starting in three days).
func (s *seeder) seedCampaigns(ctx context.Context) error {
	cred, err := s.db.CredentialsFor(ctx, demoSuppliers[0].login, "")
	if err != nil {
		return err
	}
	tea, err := s.db.ActorFor(ctx, cred.AccountID)
	if err != nil {
		return err
	}
	sku := func(supplier int, title string) (*catalog.Product, error) {
		ps, err := s.db.Products(ctx, s.op, store.ProductFilter{SupplierID: s.suppliers[supplier], Limit: 100})
		if err != nil {
			return nil, err
		}
		for i := range ps {
			if ps[i].Title == title {
				return &ps[i], nil
			}
		}
		return nil, fmt.Errorf("no product %q", title)
	}
	lj, err := sku(0, "Longjing green tea, spring pick")
	if err != nil {
		return err
	}
	now := s.db.Now().Truncate(time.Hour)
	limit := int64(200)
	price := money.Amount(10800)
	if _, err := s.db.CreateCampaign(ctx, tea, campaign.Input{Name: "Spring Longjing week 春茶周", StartsAt: now.AddDate(0, 0, -1),
		EndsAt: now.AddDate(0, 0, 14), Tier1: catalog.TierCommission{Kind: catalog.RateCommission, Rate: 2000}, StockLimit: &limit,
		Items: []campaign.Item{{SKUID: lj.SKUs[0].ID, Price: &price}, {SKUID: lj.SKUs[1].ID}}}); err != nil {
		return fmt.Errorf("running campaign: %w", err)
	}
	rolls, err := sku(1, "Egg rolls tin")
	if err != nil {
		return err
	}
	start := now.AddDate(0, 0, 3)
	rollsPrice := money.Amount(4900)
	if _, err := s.db.CreateCampaign(ctx, s.op, campaign.Input{Name: "Double 12 snacks 双十二零食", StartsAt: start, EndsAt: start.AddDate(0, 0, 7),
		Tier1: catalog.TierCommission{Kind: catalog.FixedCommission, PerUnit: 1100},
		Items: []campaign.Item{{ProductID: rolls.ID, Price: &rollsPrice}}}); err != nil {
		return fmt.Errorf("coming campaign: %w", err)
	}
	return nil
}
