package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/campaign"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// routesCampaigns registers the campaign pages (docs/campaigns.md): the
// operator's and the supplier's console list, create and end campaigns
// (one handler each, for both consoles); the distributor centre lists the
// running and coming ones (centre_campaigns.go).
func (s *Server) routesCampaigns() {
	for _, base := range []string{"/ops", "/sup"} {
		s.handle("GET "+base+"/campaigns", s.consoleCampaigns)
		s.handle("POST "+base+"/campaigns", s.consoleCampaignCreate)
		s.handle("POST "+base+"/campaigns/{id}/end", s.consoleCampaignEnd)
	}
	s.handle("GET /centre/campaigns", s.centreCampaigns)
}

type consoleCampaignsView struct {
	Base      string // /ops or /sup
	Campaigns []*campaign.Campaign
	Products  []catalog.Product
	Now       time.Time
}

// campaignsPage starts the page for the operator (under /ops) or the
// supplier (under /sup), with the actor to call the store as.
func (s *Server) campaignsPage(r *http.Request) (*Page, account.Actor, string, error) {
	if strings.HasPrefix(r.URL.Path, "/sup/") {
		p, sup, err := s.supPage(r, "sup-campaigns")
		if err != nil {
			return nil, sup, "", err
		}
		p.Title = p.T("campaigns.title")
		return p, sup, "/sup", nil
	}
	p, err := s.opsPage(r, "ops-campaigns", "campaigns.title")
	if err != nil {
		return nil, account.Actor{}, "", err
	}
	return p, p.Actor, "/ops", nil
}

func (s *Server) consoleCampaigns(w http.ResponseWriter, r *http.Request) error {
	p, who, base, err := s.campaignsPage(r)
	if err != nil {
		return err
	}
	now := s.db.Now().Truncate(time.Hour).Add(time.Hour)
	p.Form.Set("tier1_kind", string(catalog.RateCommission))
	p.Form.Set("starts_at", p.CampaignInput(now))
	p.Form.Set("ends_at", p.CampaignInput(now.AddDate(0, 0, 7)))
	switch r.URL.Query().Get("saved") {
	case "created":
		p.Notice = p.T("campaigns.created")
	case "ended":
		p.Notice = p.T("campaigns.ended_notice")
	}
	return s.renderConsoleCampaigns(w, r, p, who, base, http.StatusOK)
}

func (s *Server) renderConsoleCampaigns(w http.ResponseWriter, r *http.Request, p *Page, who account.Actor, base string, status int) error {
	list, err := s.db.Campaigns(r.Context(), who, true)
	if err != nil {
		return err
	}
	f := store.ProductFilter{Limit: 200}
	if who.IsOperator() {
		on := true
		f.OnSale = &on
	} else {
		f.SupplierID = who.SupplierID
	}
	products, err := s.db.Products(r.Context(), who, f)
	if err != nil {
		return err
	}
	p.Data = &consoleCampaignsView{Base: base, Campaigns: list, Products: products, Now: s.db.Now()}
	s.render(w, r, status, "console_campaigns", p)
	return nil
}

// consoleCampaignCreate saves the form as a campaign (db.CreateCampaign, as
// POST /api/v1/campaigns). Times are typed in the program's time zone; the
// tier-1 rate as a percent ("15" for 15%).
func (s *Server) consoleCampaignCreate(w http.ResponseWriter, r *http.Request) error {
	p, who, base, err := s.campaignsPage(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	p.Form = r.PostForm
	in, err := campaignForm(p, r)
	if err == nil {
		_, err = s.db.CreateCampaign(r.Context(), who, in)
	}
	if err != nil {
		err = campaignFormField(err)
		if !p.formError(err) {
			return err
		}
		return s.renderConsoleCampaigns(w, r, p, who, base, statusOf(err))
	}
	return seeOther(w, r, base+"/campaigns?saved=created")
}

func (s *Server) consoleCampaignEnd(w http.ResponseWriter, r *http.Request) error {
	p, who, base, err := s.campaignsPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.db.EndCampaign(r.Context(), who, id); err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form.Set("tier1_kind", string(catalog.RateCommission))
		return s.renderConsoleCampaigns(w, r, p, who, base, statusOf(err))
	}
	return seeOther(w, r, base+"/campaigns?saved=ended")
}

// campaignForm reads the form into the store's input; what cannot be read
// names the form's field.
func campaignForm(p *Page, r *http.Request) (campaign.Input, error) {
	in := campaign.Input{Name: p.Value("campaign_name"), Tier1: catalog.TierCommission{Kind: catalog.CommissionKind(p.Value("tier1_kind"))}}
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"starts_at", &in.StartsAt}, {"ends_at", &in.EndsAt}} {
		v := strings.TrimSpace(p.Value(f.name))
		if v == "" {
			return in, errs.Invalidf(f.name, "is required")
		}
		t, err := time.ParseInLocation("2006-01-02T15:04", v, p.loc)
		if err != nil {
			return in, errs.Invalidf(f.name, "must be a date and time like 2026-12-31T20:00")
		}
		*f.to = t
	}
	switch in.Tier1.Kind {
	case catalog.RateCommission:
		bp, err := money.Currency{Exponent: 2}.Parse(strings.TrimSuffix(strings.TrimSpace(p.Value("tier1_rate")), "%"))
		if err != nil || bp <= 0 || bp > money.Amount(money.MaxRate) {
			return in, errs.Invalidf("tier1_rate", "must be a percent above 0 and at most 100")
		}
		in.Tier1.Rate = money.Rate(bp)
	case catalog.FixedCommission:
		a, err := p.centreAmount("tier1_per_unit", p.Value("tier1_per_unit"))
		if err != nil {
			return in, err
		}
		in.Tier1.PerUnit = a
	}
	if v := strings.TrimSpace(p.Value("stock_limit")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return in, errs.Invalidf("stock_limit", "must be a whole number from 1, or empty for no limit")
		}
		in.StockLimit = &n
	}
	for _, v := range r.PostForm["product"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return in, errs.Invalidf("items", "choose products from the list")
		}
		it := campaign.Item{ProductID: id}
		if pv := strings.TrimSpace(p.Value(fmt.Sprintf("price_%d", id))); pv != "" {
			a, err := p.centreAmount("items", pv)
			if err != nil {
				return in, err
			}
			it.Price = &a
		}
		in.Items = append(in.Items, it)
	}
	return in, nil
}

// campaignFormField renames the store's field to the form's.
func campaignFormField(err error) error {
	f := errs.FieldOf(err)
	to := f
	switch {
	case f == "name":
		to = "campaign_name"
	case strings.HasPrefix(f, "tier1."):
		to = map[string]string{"tier1.kind": "tier1_kind", "tier1.rate_bp": "tier1_rate", "tier1.per_unit": "tier1_per_unit"}[f]
	case strings.HasPrefix(f, "items"):
		to = "items"
	}
	if to == f {
		return err
	}
	return errs.E(errs.CodeOf(err), to, "%s", errs.MessageOf(err))
}

// CampaignRule writes a campaign's tier-1 rule: "20%" or "¥3.00 / unit".
func (p *Page) CampaignRule(t catalog.TierCommission) string {
	if t.Kind == catalog.FixedCommission {
		return p.T("campaigns.per_unit", p.Money(t.PerUnit))
	}
	return t.Rate.String()
}

// CampaignStatus is a campaign's status now, for its badge.
func (p *Page) CampaignStatus(c *campaign.Campaign, now time.Time) string {
	return string(c.StatusAt(now))
}

// CampaignInput writes a moment for a datetime-local input, in the program's time zone.
func (p *Page) CampaignInput(t time.Time) string { return t.In(p.loc).Format("2006-01-02T15:04") }

// CampaignSold writes the units sold under a campaign, of its limit if it has one.
func (p *Page) CampaignSold(c *campaign.Campaign) string {
	if c.StockLimit == nil {
		return strconv.FormatInt(c.Sold, 10)
	}
	return p.T("campaigns.sold_of", c.Sold, *c.StockLimit)
}

// CampaignChosen reports whether the form chose product id.
func (p *Page) CampaignChosen(id int64) bool {
	for _, v := range p.Form["product"] {
		if v == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}
