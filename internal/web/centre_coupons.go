package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// centreCoupon is one of my coupons as listed: what it takes off and where
// it stands now.
type centreCoupon struct {
	store.Coupon
	Off    string // "¥5.00" or "5%"
	Status string // active, inactive, expired, used_up, not_yet
}

type centreCouponsView struct {
	Coupons   []centreCoupon
	NextAfter int64 // 0: no next page
}

const centreCouponsPageSize = 50

// centreCoupons lists my coupon codes (db.Coupons, as GET /api/v1/coupons)
// with the form that makes one.
func (s *Server) centreCoupons(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.centreDistributor(w, r); !ok {
		return err
	}
	p := s.centreCouponsPage(r)
	p.Form.Set("kind", store.CouponAmount)
	switch r.URL.Query().Get("saved") {
	case "created":
		p.Notice = p.T("centre.coupons.created")
	case "deactivated":
		p.Notice = p.T("centre.coupons.deactivated")
	}
	return s.renderCentreCoupons(w, r, p, http.StatusOK)
}

func (s *Server) centreCouponsPage(r *http.Request) *Page {
	p := s.page(r, "")
	p.Title, p.Back = p.T("centre.coupons.title"), "/centre"
	return p
}

func (s *Server) renderCentreCoupons(w http.ResponseWriter, r *http.Request, p *Page, status int) error {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	list, err := s.db.Coupons(r.Context(), p.Actor, 0, max(after, 0), centreCouponsPageSize)
	if err != nil {
		return err
	}
	v := &centreCouponsView{}
	if len(list) > centreCouponsPageSize {
		list = list[:centreCouponsPageSize]
		v.NextAfter = list[len(list)-1].ID
	}
	now := s.db.Now()
	for _, c := range list {
		cc := centreCoupon{Coupon: c, Status: "active"}
		if c.Kind == store.CouponPercent {
			cc.Off = money.Rate(c.Value).String()
		} else {
			cc.Off = p.Money(money.Amount(c.Value))
		}
		switch {
		case !c.Active:
			cc.Status = "inactive"
		case c.ValidUntil != nil && !now.Before(*c.ValidUntil):
			cc.Status = "expired"
		case c.MaxUses > 0 && c.Used >= c.MaxUses:
			cc.Status = "used_up"
		case c.ValidFrom != nil && now.Before(*c.ValidFrom):
			cc.Status = "not_yet"
		}
		v.Coupons = append(v.Coupons, cc)
	}
	p.Data = v
	s.render(w, r, status, "centre_coupons", p)
	return nil
}

// centreCreateCoupon makes a coupon code of mine (db.CreateCoupon, as POST
// /api/v1/coupons). A percent is typed as a percent ("5" for 5%), a date
// as a day: the coupon holds to the end of it, in the program's time zone.
func (s *Server) centreCreateCoupon(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.centreDistributor(w, r); !ok {
		return err
	}
	if err := centreForm(r); err != nil {
		return err
	}
	p := s.centreCouponsPage(r)
	for _, f := range []string{"new_code", "kind", "amount_off", "percent_off", "min_order", "max_uses", "valid_until"} {
		p.Form.Set(f, strings.TrimSpace(r.PostForm.Get(f)))
	}
	in, err := s.centreCouponInput(r, p)
	if err == nil {
		_, err = s.db.CreateCoupon(r.Context(), p.Actor, in)
	}
	if err != nil {
		err = centreField(centreField(err, "percent_off_bp", "percent_off"), "code", "new_code")
		if !p.formError(err) {
			return err
		}
		return s.renderCentreCoupons(w, r, p, statusOf(err))
	}
	return seeOther(w, r, "/centre/coupons?saved=created")
}

// centreCouponInput reads the coupon form into the store's input.
func (s *Server) centreCouponInput(r *http.Request, p *Page) (store.CouponInput, error) {
	in := store.CouponInput{Code: p.Value("new_code"), Kind: p.Value("kind")}
	var err error
	switch in.Kind {
	case store.CouponAmount:
		var a money.Amount
		if a, err = p.centreAmount("amount_off", p.Value("amount_off")); err != nil {
			return in, err
		}
		in.Value = int64(a)
	case store.CouponPercent:
		// A percent with up to two decimals is a number of basis points.
		bp, perr := money.Currency{Exponent: 2}.Parse(strings.TrimSuffix(p.Value("percent_off"), "%"))
		if perr != nil || bp <= 0 || money.Rate(bp) > store.MaxCouponPercent {
			return in, errs.Invalidf("percent_off", "must be above 0%% and at most %s", store.MaxCouponPercent)
		}
		in.Value = int64(bp)
	default:
		return in, errs.Invalidf("kind", "must be amount or percent")
	}
	if v := p.Value("min_order"); v != "" {
		if in.MinOrder, err = p.centreAmount("min_order", v); err != nil {
			return in, err
		}
	}
	if v := p.Value("max_uses"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return in, errs.Invalidf("max_uses", "must be a whole number from 1, or empty for no limit")
		}
		in.MaxUses = n
	}
	if v := p.Value("valid_until"); v != "" {
		day, err := time.ParseInLocation("2006-01-02", v, p.loc)
		if err != nil {
			return in, errs.Invalidf("valid_until", "must be a date like 2026-12-31")
		}
		end := day.AddDate(0, 0, 1)
		in.ValidUntil = &end
	}
	return in, nil
}

// centreDeactivateCoupon stops one of my coupons for good
// (db.DeactivateCoupon, as POST /api/v1/coupons/{id}/deactivate).
func (s *Server) centreDeactivateCoupon(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.centreDistributor(w, r); !ok {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := s.centreCouponsPage(r)
	p.Form.Set("kind", store.CouponAmount)
	if _, err := s.db.DeactivateCoupon(r.Context(), p.Actor, id); err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderCentreCoupons(w, r, p, statusOf(err))
	}
	return seeOther(w, r, "/centre/coupons?saved=deactivated")
}
