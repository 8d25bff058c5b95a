package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/campaign"
	"sharemall/internal/catalog"
	"sharemall/internal/money"
)

// Campaigns (docs/campaigns.md): the operator's and suppliers' campaigns,
// and the distributor's view of the ones it can sell under.
func (s *Server) routesCampaigns() {
	s.handle("POST /api/v1/campaigns", s.createCampaign)
	s.handle("GET /api/v1/campaigns", s.listCampaigns, "ended")
	s.handle("GET /api/v1/campaigns/{id}", s.getCampaign)
	s.handle("PUT /api/v1/campaigns/{id}", s.updateCampaign)
	s.handle("POST /api/v1/campaigns/{id}/end", s.endCampaign)
	s.handle("GET /api/v1/distributors/me/campaigns", s.centreCampaigns)
}

type campaignTier1JSON struct {
	Kind    catalog.CommissionKind `json:"kind"`
	RateBP  *money.Rate            `json:"rate_bp,omitempty"`
	PerUnit *string                `json:"per_unit,omitempty"`
}

type campaignItemJSON struct {
	ProductID    int64   `json:"product_id"`
	SKUID        int64   `json:"sku_id"`
	ProductTitle string  `json:"product_title"`
	SKUCode      string  `json:"sku_code"`
	RetailPrice  string  `json:"retail_price"`
	Price        *string `json:"price"`
}

type campaignJSON struct {
	ID         int64              `json:"id"`
	SupplierID *int64             `json:"supplier_id"`
	Name       string             `json:"name"`
	Status     campaign.Status    `json:"status"`
	StartsAt   time.Time          `json:"starts_at"`
	EndsAt     time.Time          `json:"ends_at"`
	Tier1      campaignTier1JSON  `json:"tier1"`
	StockLimit *int64             `json:"stock_limit"`
	Sold       int64              `json:"sold"`
	Version    int64              `json:"version"`
	Currency   string             `json:"currency"`
	Items      []campaignItemJSON `json:"items"`
	CreatedAt  time.Time          `json:"created_at"`
}

func campaignOut(cur money.Currency, now time.Time, c *campaign.Campaign) campaignJSON {
	out := campaignJSON{ID: c.ID, Name: c.Name, Status: c.StatusAt(now), StartsAt: c.StartsAt, EndsAt: c.EndsAt, StockLimit: c.StockLimit,
		Sold: c.Sold, Version: c.Version, Currency: cur.Code, CreatedAt: c.CreatedAt, Items: []campaignItemJSON{}}
	if c.SupplierID != 0 {
		id := c.SupplierID
		out.SupplierID = &id
	}
	out.Tier1.Kind = c.Tier1.Kind
	if c.Tier1.Kind == catalog.FixedCommission {
		p := cur.Format(c.Tier1.PerUnit)
		out.Tier1.PerUnit = &p
	} else {
		r := c.Tier1.Rate
		out.Tier1.RateBP = &r
	}
	for _, it := range c.Items {
		j := campaignItemJSON{ProductID: it.ProductID, SKUID: it.SKUID, ProductTitle: it.ProductTitle, SKUCode: it.SKUCode,
			RetailPrice: cur.Format(it.Retail)}
		if it.Price != nil {
			p := cur.Format(*it.Price)
			j.Price = &p
		}
		out.Items = append(out.Items, j)
	}
	return out
}

// campaignInput decodes a campaign's body (create and replace).
func (s *Server) campaignInput(w http.ResponseWriter, r *http.Request) (campaign.Input, money.Currency, error) {
	var req struct {
		Name       string            `json:"name"`
		StartsAt   time.Time         `json:"starts_at"`
		EndsAt     time.Time         `json:"ends_at"`
		Tier1      campaignTier1JSON `json:"tier1"`
		StockLimit *int64            `json:"stock_limit"`
		Items      []struct {
			ProductID bodyID  `json:"product_id"`
			SKUID     bodyID  `json:"sku_id"`
			Price     *string `json:"price"`
		} `json:"items"`
	}
	var in campaign.Input
	if err := decode(w, r, &req); err != nil {
		return in, money.Currency{}, err
	}
	cur, err := s.currency(r)
	if err != nil {
		return in, cur, err
	}
	in = campaign.Input{Name: req.Name, StartsAt: req.StartsAt, EndsAt: req.EndsAt, StockLimit: req.StockLimit,
		Tier1: catalog.TierCommission{Kind: req.Tier1.Kind}}
	if req.Tier1.RateBP != nil {
		in.Tier1.Rate = *req.Tier1.RateBP
	}
	if in.Tier1.PerUnit, err = parseOptional(cur, "tier1.per_unit", req.Tier1.PerUnit); err != nil {
		return in, cur, err
	}
	for i, it := range req.Items {
		item := campaign.Item{ProductID: int64(it.ProductID), SKUID: int64(it.SKUID)}
		if it.Price != nil {
			p, err := cur.ParseField(fmt.Sprintf("items[%d].price", i), *it.Price)
			if err != nil {
				return in, cur, err
			}
			item.Price = &p
		}
		in.Items = append(in.Items, item)
	}
	return in, cur, nil
}

func parseOptional(cur money.Currency, field string, v *string) (money.Amount, error) {
	if v == nil {
		return 0, nil
	}
	return cur.ParseField(field, *v)
}

func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) error {
	in, cur, err := s.campaignInput(w, r)
	if err != nil {
		return err
	}
	c, err := s.db.CreateCampaign(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, campaignOut(cur, s.db.Now(), c))
	return nil
}

func (s *Server) updateCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, cur, err := s.campaignInput(w, r)
	if err != nil {
		return err
	}
	c, err := s.db.UpdateCampaign(r.Context(), actorOf(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, campaignOut(cur, s.db.Now(), c))
	return nil
}

func (s *Server) endCampaign(w http.ResponseWriter, r *http.Request) error {
	return s.oneCampaign(w, r, s.db.EndCampaign)
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) error {
	return s.oneCampaign(w, r, s.db.Campaign)
}

func (s *Server) oneCampaign(w http.ResponseWriter, r *http.Request,
	do func(context.Context, account.Actor, int64) (*campaign.Campaign, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := do(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, campaignOut(cur, s.db.Now(), c))
	return nil
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	ended, err := queryBool(r, "ended")
	if err != nil {
		return err
	}
	cs, err := s.db.Campaigns(r.Context(), actorOf(r), ended != nil && *ended)
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	out := make([]campaignJSON, len(cs))
	for i, c := range cs {
		out[i] = campaignOut(cur, s.db.Now(), c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}

type centreCampaignItemJSON struct {
	ProductID    int64  `json:"product_id"`
	SKUID        int64  `json:"sku_id"`
	ProductTitle string `json:"product_title"`
	SKUCode      string `json:"sku_code"`
	RetailPrice  string `json:"retail_price"`
	Price        string `json:"price"`
	Earn         string `json:"earn_per_unit"`
	Usual        string `json:"usual_per_unit"`
}

type centreCampaignJSON struct {
	ID       int64                    `json:"id"`
	Name     string                   `json:"name"`
	Status   campaign.Status          `json:"status"`
	StartsAt time.Time                `json:"starts_at"`
	EndsAt   time.Time                `json:"ends_at"`
	Left     *int64                   `json:"units_left"`
	Currency string                   `json:"currency"`
	Items    []centreCampaignItemJSON `json:"items"`
}

// centreCampaigns: the running and coming campaigns the caller (a
// distributor) can sell under, with what it would earn per unit.
func (s *Server) centreCampaigns(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.db.CentreCampaigns(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	out := make([]centreCampaignJSON, len(cs))
	for i, c := range cs {
		j := centreCampaignJSON{ID: c.ID, Name: c.Name, Status: c.Status, StartsAt: c.StartsAt, EndsAt: c.EndsAt, Left: c.Left,
			Currency: cur.Code, Items: make([]centreCampaignItemJSON, len(c.Items))}
		for k, it := range c.Items {
			j.Items[k] = centreCampaignItemJSON{ProductID: it.ProductID, SKUID: it.SKUID, ProductTitle: it.ProductTitle, SKUCode: it.SKUCode,
				RetailPrice: cur.Format(it.Retail), Price: cur.Format(it.Price), Earn: cur.Format(it.Earn), Usual: cur.Format(it.Usual)}
		}
		out[i] = j
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
	return nil
}
