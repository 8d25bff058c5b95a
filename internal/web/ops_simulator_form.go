package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
	"sharemall/internal/simulate"
)

// simForm writes the rules in force as the simulator's fields, with the 30
// days to today (in the program's time zone) as the period. Program rules
// keep the settings form's names; a grade's rate is
// grades[ID].tier1_rate_bp and an override's tier cell
// products[ID].tiers[K] or skus[ID].tiers[K]: basis points, "=" and an
// amount for a fixed amount per unit, or empty for a tier it leaves to the
// next source.
func simForm(cur *simulate.Current, today time.Time) url.Values {
	v := settingsForm(cur.Settings)
	v.Set("to", today.Format(time.DateOnly))
	v.Set("from", today.AddDate(0, 0, -29).Format(time.DateOnly))
	for _, g := range cur.Grades {
		if g.Tier1Rate != nil {
			v.Set(fmt.Sprintf("grades[%d].tier1_rate_bp", g.ID), strconv.FormatInt(int64(*g.Tier1Rate), 10))
		}
	}
	c := cur.Settings.Currency()
	for _, o := range cur.Overrides {
		for k, t := range o.Commission.Tiers {
			if k >= program.MaxTiers || t == nil {
				continue
			}
			val := strconv.FormatInt(int64(t.Rate), 10)
			if t.Kind == catalog.FixedCommission {
				val = "=" + c.Format(t.PerUnit)
			}
			v.Set(fmt.Sprintf("%ss[%d].tiers[%d]", o.Scope, o.ID, k), val)
		}
	}
	return v
}

// parseSimForm reads the proposal, the period and the settings version the
// form was filled from; every refusal names its field.
func parseSimForm(f url.Values, cur *simulate.Current) (*simulate.Proposal, simulate.Period, int64, error) {
	var per simulate.Period
	st, version, err := parseSettingsForm(simSettingsValues(f, cur.Settings))
	if err != nil {
		return nil, per, 0, err
	}
	p := simulate.FromSettings(st)
	loc := cur.Settings.Location()
	if per.From, err = simDate(f, "from", loc); err != nil {
		return nil, per, 0, err
	}
	if per.To, err = simDate(f, "to", loc); err != nil {
		return nil, per, 0, err
	}
	per.To = per.To.AddDate(0, 0, 1) // the last day is included
	p.Grades = map[int64]*money.Rate{}
	for _, g := range cur.Grades {
		name := fmt.Sprintf("grades[%d].tier1_rate_bp", g.ID)
		s := strings.TrimSpace(f.Get(name))
		if s == "" {
			p.Grades[g.ID] = nil
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, per, 0, errs.Invalidf(name, "must be a whole number of basis points, or empty for the program's rate")
		}
		r := money.Rate(n)
		p.Grades[g.ID] = &r
	}
	p.Products, p.SKUs = map[int64]*catalog.Commission{}, map[int64]*catalog.Commission{}
	c := cur.Settings.Currency()
	for _, o := range cur.Overrides {
		if err := simOverride(f, c, o.Scope, o.ID, p); err != nil {
			return nil, per, 0, err
		}
	}
	if id := strings.TrimSpace(f.Get("new.id")); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return nil, per, 0, errs.Invalidf("new.id", "must be a product's or a SKU's number")
		}
		scope := f.Get("new.scope")
		if scope != "product" && scope != "sku" {
			return nil, per, 0, errs.Invalidf("new.scope", "choose product or SKU")
		}
		vals := url.Values{}
		for k := range program.MaxTiers {
			vals.Set(fmt.Sprintf("%ss[%d].tiers[%d]", scope, n, k), f.Get(fmt.Sprintf("new.tiers[%d]", k)))
		}
		if err := simOverride(vals, c, scope, n, p); err != nil {
			return nil, per, 0, errs.Invalidf(simInput(f, errs.FieldOf(err)), "%s", errs.MessageOf(err))
		}
	}
	if p.Campaigns, err = simCampaign(f, c); err != nil {
		return nil, per, 0, err
	}
	return p, per, version, nil
}

// simCampaign reads the proposed campaign: a product's number and its
// tier-1 rule (basis points, or = and an amount per unit); both empty is
// none.
func simCampaign(f url.Values, c money.Currency) (map[int64]*catalog.TierCommission, error) {
	id, rule := strings.TrimSpace(f.Get("campaign.product_id")), strings.TrimSpace(f.Get("campaign.tier1"))
	if id == "" && rule == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, errs.Invalidf("campaign.product_id", "must be a product's number")
	}
	var t *catalog.TierCommission
	switch {
	case rule == "":
		return nil, errs.Invalidf("campaign.tier1", "is required with a product: basis points, or = and an amount per unit")
	case strings.HasPrefix(rule, "="):
		a, err := c.ParseField("campaign.tier1", strings.TrimSpace(rule[1:]))
		if err != nil {
			return nil, err
		}
		t = catalog.FixedTier(a)
	default:
		r, err := strconv.ParseInt(rule, 10, 64)
		if err != nil {
			return nil, errs.Invalidf("campaign.tier1", "must be basis points, or = and an amount per unit")
		}
		t = catalog.RateTier(money.Rate(r))
	}
	return map[int64]*catalog.TierCommission{n: t}, nil
}

// simSettingsValues is the settings form the program rules of f make with
// the rest of st: parseSettingsForm reads them as the settings page does.
func simSettingsValues(f url.Values, st *program.Settings) url.Values {
	v := settingsForm(st)
	for _, k := range []string{"version", "tiers", "tier_rates_bp[0]", "tier_rates_bp[1]", "tier_rates_bp[2]", "platform_rate_bp",
		"area_rate_bp", "commission_cap_bp"} {
		v.Set(k, f.Get(k))
	}
	return v
}

// simOverride reads the tier cells of one override into p; all empty is
// no override.
func simOverride(f url.Values, c money.Currency, scope string, id int64, p *simulate.Proposal) error {
	var tiers []*catalog.TierCommission
	named := false
	for k := range program.MaxTiers {
		name := fmt.Sprintf("%ss[%d].tiers[%d]", scope, id, k)
		s := strings.TrimSpace(f.Get(name))
		var t *catalog.TierCommission
		switch {
		case s == "":
		case strings.HasPrefix(s, "="):
			a, err := c.ParseField(name, strings.TrimSpace(s[1:]))
			if err != nil {
				return err
			}
			t = catalog.FixedTier(a)
		default:
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return errs.Invalidf(name, "must be basis points, = and an amount per unit, or empty")
			}
			t = catalog.RateTier(money.Rate(n))
		}
		named = named || t != nil
		tiers = append(tiers, t)
	}
	for len(tiers) > 0 && tiers[len(tiers)-1] == nil {
		tiers = tiers[:len(tiers)-1]
	}
	var o *catalog.Commission
	if named {
		o = &catalog.Commission{Tiers: tiers}
	}
	if scope == "product" {
		p.Products[id] = o
	} else {
		p.SKUs[id] = o
	}
	return nil
}

func simDate(f url.Values, name string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(f.Get(name)), loc)
	if err != nil {
		return time.Time{}, errs.Invalidf(name, "must be a date like 2026-11-30")
	}
	return t, nil
}

// simProof signs the rules of a posted form (every field but the period
// and the buttons) with the version they were read at: "save" must post
// the proof the simulation of the same rules showed.
func simProof(f url.Values) string {
	keys := make([]string, 0, len(f))
	for k := range f {
		switch k {
		case "action", "proof", "from", "to":
		default:
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%q=%q\n", k, strings.TrimSpace(f.Get(k)))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// simCellRe matches an error's field inside an override cell.
var simCellRe = regexp.MustCompile(`^((?:products|skus)\[\d+\])(\.tiers\[\d+\])?`)

// simCellOf is the input an error's field belongs to: an override's cell
// for a part of it ("products[3].tiers[0].rate_bp" → "products[3].tiers[0]"),
// its first cell for the whole override, else the field itself.
func simCellOf(field string) string {
	m := simCellRe.FindStringSubmatch(field)
	switch {
	case m == nil:
		return field
	case m[2] != "":
		return m[1] + m[2]
	}
	return m[1] + ".tiers[0]"
}

// simInput is the form input an error's field belongs to: the new
// override's row for its own fields, else simCellOf.
func simInput(f url.Values, field string) string {
	if strings.HasPrefix(field, "campaigns[") { // the proposed campaign's row
		if strings.HasSuffix(field, ".product_id") {
			return "campaign.product_id"
		}
		return "campaign.tier1"
	}
	in := simCellOf(field)
	prefix := fmt.Sprintf("%ss[%s]", f.Get("new.scope"), strings.TrimSpace(f.Get("new.id")))
	if rest, ok := strings.CutPrefix(in, prefix); ok && f.Get("new.id") != "" {
		if rest == "" {
			return "new.id"
		}
		return "new" + rest
	}
	return in
}
