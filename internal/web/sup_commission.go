package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/money"
)

// supCommission is the product form's commission override: one rate per
// tier the program pays, in percent; a blank tier comes from the grade and
// the program (shown beside it).
type supCommission struct {
	Tiers []supTierField
	Fixed bool // the product has a fixed amount per unit on a tier: set through the API, not here
}

type supTierField struct {
	Name    string // the form field: commission_1, commission_2, …
	Tier    int
	Program string // the program's rate for the tier: "10%"
}

// supCommissionFields are the tiers the program pays, with its rates.
func (s *Server) supCommissionFields(r *http.Request, c *catalog.Commission) (*supCommission, error) {
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return nil, err
	}
	out := &supCommission{}
	for i := range st.Tiers {
		f := supTierField{Name: fmt.Sprintf("commission_%d", i+1), Tier: i + 1, Program: "0%"}
		if i < len(st.TierRates) {
			f.Program = st.TierRates[i].String()
		}
		out.Tiers = append(out.Tiers, f)
	}
	if c != nil {
		for _, t := range c.Tiers {
			if t != nil && t.Kind == catalog.FixedCommission {
				out.Fixed = true
			}
		}
	}
	return out, nil
}

// commissionValues puts a product's rates in the form (percent).
func commissionValues(form url.Values, c *catalog.Commission) {
	if c == nil {
		return
	}
	for i, t := range c.Tiers {
		if t != nil && t.Kind == catalog.RateCommission {
			form.Set(fmt.Sprintf("commission_%d", i+1), strings.TrimSuffix(t.Rate.String(), "%"))
		}
	}
}

var percent = regexp.MustCompile(`^\d{1,3}(\.\d{1,2})?$`)

// readCommission reads the rate fields: nil when every one is blank (the
// product names no tier), else one rate tier per filled field.
func readCommission(form url.Values, tiers int) (*catalog.Commission, error) {
	c := &catalog.Commission{Tiers: make([]*catalog.TierCommission, tiers)}
	named := false
	for i := range tiers {
		name := fmt.Sprintf("commission_%d", i+1)
		v := strings.TrimSuffix(strings.TrimSpace(form.Get(name)), "%")
		if v == "" {
			continue
		}
		if !percent.MatchString(v) {
			return nil, errs.Invalidf(name, "must be a percentage like 8 or 12.5")
		}
		whole, frac, _ := strings.Cut(v, ".")
		bp, _ := strconv.ParseInt(whole, 10, 64)
		f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
		c.Tiers[i] = catalog.RateTier(money.Rate(bp*100 + f))
		named = true
	}
	if !named {
		return nil, nil
	}
	return c, nil
}

var tierField = regexp.MustCompile(`^commission\.tiers\[(\d+)\]`)

// commissionErr names the rate field a store error about the override is
// about ("commission.tiers[1].rate_bp" is commission_2); an error about
// the whole override (the cap) shows by tier 1.
func commissionErr(err error) error {
	f := errs.FieldOf(err)
	if !strings.HasPrefix(f, "commission") {
		return err
	}
	to := "commission_1"
	if m := tierField.FindStringSubmatch(f); m != nil {
		n, _ := strconv.Atoi(m[1])
		to = fmt.Sprintf("commission_%d", n+1)
	}
	return errs.E(errs.CodeOf(err), to, "%s", errs.MessageOf(err))
}
