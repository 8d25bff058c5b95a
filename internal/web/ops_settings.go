package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/program"
)

// opsSettingsData is the settings form: the rules as saved (or as typed),
// the compliance guard's warnings by field, and a preview of one order.
type opsSettingsData struct {
	Version     int64
	Modes       []program.BindingMode
	MaxTiers    int
	TierChoices []string          // "1" … MaxTiers
	Warnings    map[string]string // by field
	Other       []string          // warnings and notices that name no field
	Preview     *opsPreview
}

func (s *Server) opsSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "settings", "ops.settings.title")
	if err != nil {
		return err
	}
	st, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	if r.URL.Query().Has("saved") {
		p.Notice = p.T("ops.settings.saved")
	}
	p.Form = settingsForm(st)
	p.Form.Set("example_price", st.Currency().Format(10000))
	d := s.settingsData(p, st)
	if prev, err := previewSplit(st, 10000); err == nil {
		d.Preview = prev
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "ops_settings", p)
	return nil
}

// opsSettingsSave previews the typed rules (action "preview") or saves
// them. Either way the rules are checked first, and a refusal shows by
// its field with everything typed kept.
func (s *Server) opsSettingsSave(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "settings", "ops.settings.title")
	if err != nil {
		return err
	}
	r.ParseForm()
	p.Form = r.PostForm
	cur, err := s.db.Settings(r.Context())
	if err != nil {
		return err
	}
	st, version, err := parseSettingsForm(r.PostForm)
	if err == nil && !r.PostForm.Has("fraud.cluster_size") {
		st.Fraud = cur.Fraud // a form without the fraud fields keeps them
	}
	var prev *opsPreview
	if err == nil {
		err = st.Validate()
	}
	if err == nil {
		var price money.Amount
		if price, err = st.Currency().ParseField("example_price", r.PostForm.Get("example_price")); err == nil {
			prev, err = previewSplit(st, price)
		}
	}
	if err == nil && r.PostForm.Get("action") != "preview" {
		var saved *program.Settings
		if saved, err = s.db.UpdateSettings(r.Context(), p.Actor, st, version); err == nil {
			if len(saved.Notices) == 0 {
				return seeOther(w, r, "/ops/settings?saved=1")
			}
			// What the store found about the change is shown once, here.
			p.Notice = p.T("ops.settings.saved")
			p.Form = settingsForm(saved)
			p.Form.Set("example_price", r.PostForm.Get("example_price"))
			d := s.settingsData(p, saved)
			d.Preview = prev
			p.Data = d
			s.render(w, r, http.StatusOK, "ops_settings", p)
			return nil
		}
	}
	status := http.StatusOK
	if err != nil {
		if !p.formError(err) {
			return err
		}
		status = statusOf(err)
		st = cur // warnings of what is saved; the typed values stay in the form
	}
	d := s.settingsData(p, st)
	d.Preview = prev
	p.Data = d
	s.render(w, r, status, "ops_settings", p)
	return nil
}

func (s *Server) settingsData(p *Page, st *program.Settings) *opsSettingsData {
	d := &opsSettingsData{Version: st.Version, Modes: []program.BindingMode{program.FirstTouch, program.FirstTouchLock, program.LastTouch},
		MaxTiers: program.MaxTiers, Warnings: map[string]string{}}
	for i := 1; i <= program.MaxTiers; i++ {
		d.TierChoices = append(d.TierChoices, strconv.Itoa(i))
	}
	for _, w := range st.Warnings() {
		if f, key := warningField(w); f != "" {
			d.Warnings[f] = w
			if p.Lang != "en" {
				d.Warnings[f] = p.T(key)
			}
			continue
		}
		d.Other = append(d.Other, w)
	}
	d.Other = append(d.Other, st.Notices...)
	return d
}

// warningField is the field a compliance warning is about, and its
// catalogue key (the guard writes them in English).
func warningField(w string) (field, key string) {
	switch {
	case strings.HasPrefix(w, "3 tiers"):
		return "tiers", "ops.warn.tiers"
	case strings.HasPrefix(w, "grade conditions on head count"):
		return "head_count_conditions", "ops.warn.head_count"
	case strings.HasPrefix(w, "the commission cap"):
		return "commission_cap_bp", "ops.warn.cap"
	case strings.HasPrefix(w, "commission on own purchases"):
		return "own_purchase_commission", "campaigns.warn.own_purchase"
	}
	return "", ""
}

// settingsForm writes settings as the form's fields (the API's names).
func settingsForm(st *program.Settings) url.Values {
	v := url.Values{}
	v.Set("version", strconv.FormatInt(st.Version, 10))
	v.Set("currency", st.CurrencyCode)
	v.Set("time_zone", st.TimeZone)
	v.Set("default_phone_region", st.DefaultPhoneRegion)
	v.Set("tiers", strconv.Itoa(st.Tiers))
	for i, r := range st.TierRates {
		v.Set(fmt.Sprintf("tier_rates_bp[%d]", i), strconv.FormatInt(int64(r), 10))
	}
	for i := len(st.TierRates); i < program.MaxTiers; i++ {
		v.Set(fmt.Sprintf("tier_rates_bp[%d]", i), "0")
	}
	v.Set("platform_rate_bp", strconv.FormatInt(int64(st.PlatformRate), 10))
	v.Set("area_rate_bp", strconv.FormatInt(int64(st.AreaRate), 10))
	v.Set("commission_cap_bp", strconv.FormatInt(int64(st.CommissionCap), 10))
	v.Set("binding.mode", string(st.Binding.Mode))
	v.Set("binding.lock_days", strconv.Itoa(st.Binding.LockDays))
	v.Set("unpaid_timeout_minutes", strconv.Itoa(st.UnpaidTimeoutMinutes))
	v.Set("auto_confirm_days", strconv.Itoa(st.AutoConfirmDays))
	v.Set("after_sale_days", strconv.Itoa(st.AfterSaleDays))
	v.Set("withdrawal.minimum", st.Currency().Format(st.Withdrawal.Minimum))
	v.Set("withdrawal.fee_rate_bp", strconv.FormatInt(int64(st.Withdrawal.FeeRate), 10))
	v.Set("withdrawal.withholding_rate_bp", strconv.FormatInt(int64(st.Withdrawal.WithholdingRate), 10))
	v.Set("withdrawal.daily_limit", strconv.Itoa(st.Withdrawal.DailyLimit))
	if st.DistributorReview {
		v.Set("distributor_review", "on")
	}
	if st.ProductReview {
		v.Set("product_review", "on")
	}
	if st.HeadCountConditions {
		v.Set("head_count_conditions", "on")
	}
	if st.OwnPurchaseCommission {
		v.Set("own_purchase_commission", "on")
	}
	fraudForm(v, st.Fraud)
	return v
}

// parseSettingsForm reads the form into settings as the API's PUT does;
// a field that is not a number is refused by its name.
func parseSettingsForm(f url.Values) (*program.Settings, int64, error) {
	var err error
	num := func(name string) int64 {
		n, e := strconv.ParseInt(strings.TrimSpace(f.Get(name)), 10, 64)
		if e != nil && err == nil {
			err = errs.Invalidf(name, "must be a whole number")
		}
		return n
	}
	st := &program.Settings{CurrencyCode: strings.TrimSpace(f.Get("currency")), TimeZone: strings.TrimSpace(f.Get("time_zone")),
		DefaultPhoneRegion: strings.TrimSpace(f.Get("default_phone_region"))}
	version := num("version")
	st.Tiers = int(num("tiers"))
	for i := 0; i < min(max(st.Tiers, 0), program.MaxTiers); i++ {
		st.TierRates = append(st.TierRates, money.Rate(num(fmt.Sprintf("tier_rates_bp[%d]", i))))
	}
	st.PlatformRate = money.Rate(num("platform_rate_bp"))
	st.AreaRate = money.Rate(num("area_rate_bp"))
	st.CommissionCap = money.Rate(num("commission_cap_bp"))
	st.Binding = program.Binding{Mode: program.BindingMode(f.Get("binding.mode")), LockDays: int(num("binding.lock_days"))}
	st.UnpaidTimeoutMinutes = int(num("unpaid_timeout_minutes"))
	st.AutoConfirmDays = int(num("auto_confirm_days"))
	st.AfterSaleDays = int(num("after_sale_days"))
	st.Withdrawal.FeeRate = money.Rate(num("withdrawal.fee_rate_bp"))
	st.Withdrawal.WithholdingRate = money.Rate(num("withdrawal.withholding_rate_bp"))
	st.Withdrawal.DailyLimit = int(num("withdrawal.daily_limit"))
	st.DistributorReview = f.Get("distributor_review") != ""
	st.ProductReview = f.Get("product_review") != ""
	st.HeadCountConditions = f.Get("head_count_conditions") != ""
	st.OwnPurchaseCommission = f.Get("own_purchase_commission") != ""
	st.Fraud, _ = parseFraudForm(f, num)
	if err != nil {
		return nil, 0, err
	}
	cur, ok := money.LookupCurrency(st.CurrencyCode)
	if !ok {
		return nil, 0, errs.Invalidf("currency", "%q is not a supported ISO 4217 currency code", st.CurrencyCode)
	}
	if st.Withdrawal.Minimum, err = cur.ParseField("withdrawal.minimum", f.Get("withdrawal.minimum")); err != nil {
		return nil, 0, err
	}
	return st, version, nil
}
