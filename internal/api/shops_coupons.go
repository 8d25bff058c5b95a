package api

import (
	"net/http"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

func (s *Server) routesCoupons() {
	s.handle("POST /api/v1/coupons", s.createCoupon)
	s.handle("GET /api/v1/coupons", s.listCoupons, "after", "limit", "distributor_id")
	s.handle("POST /api/v1/coupons/{id}/deactivate", s.deactivateCoupon)
}

// couponJSON: kind amount carries amount_off, kind percent percent_off_bp.
type couponJSON struct {
	ID            int64      `json:"id"`
	Code          string     `json:"code"`
	DistributorID int64      `json:"distributor_id"`
	Kind          string     `json:"kind"`
	AmountOff     *string    `json:"amount_off,omitempty"`
	PercentOffBP  *int64     `json:"percent_off_bp,omitempty"`
	Currency      string     `json:"currency"`
	MinOrder      string     `json:"min_order"`
	MaxUses       *int64     `json:"max_uses"`
	Used          int64      `json:"used"`
	ValidFrom     *time.Time `json:"valid_from"`
	ValidUntil    *time.Time `json:"valid_until"`
	Active        bool       `json:"active"`
	CreatedAt     time.Time  `json:"created_at"`
}

func couponOut(cur money.Currency, c *store.Coupon) couponJSON {
	out := couponJSON{ID: c.ID, Code: c.Code, DistributorID: c.DistributorID, Kind: c.Kind, Currency: cur.Code,
		MinOrder: cur.Format(c.MinOrder), Used: c.Used, ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil, Active: c.Active, CreatedAt: c.CreatedAt}
	v := c.Value
	if c.Kind == store.CouponPercent {
		out.PercentOffBP = &v
	} else {
		a := cur.Format(money.Amount(v))
		out.AmountOff = &a
	}
	if c.MaxUses > 0 {
		m := c.MaxUses
		out.MaxUses = &m
	}
	return out
}

func (s *Server) createCoupon(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	var req struct {
		Code         string     `json:"code"`
		Kind         string     `json:"kind"`
		AmountOff    *string    `json:"amount_off"`
		PercentOffBP *int64     `json:"percent_off_bp"`
		MinOrder     string     `json:"min_order"`
		MaxUses      *int64     `json:"max_uses"`
		ValidFrom    *time.Time `json:"valid_from"`
		ValidUntil   *time.Time `json:"valid_until"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	in := store.CouponInput{Code: req.Code, Kind: req.Kind, ValidFrom: req.ValidFrom, ValidUntil: req.ValidUntil}
	switch req.Kind {
	case store.CouponAmount:
		if req.PercentOffBP != nil {
			return errs.Invalidf("percent_off_bp", "is only for kind percent")
		}
		if req.AmountOff == nil {
			return errs.Invalidf("amount_off", "is required for kind amount")
		}
		a, err := cur.ParseField("amount_off", *req.AmountOff)
		if err != nil {
			return err
		}
		in.Value = int64(a)
	case store.CouponPercent:
		if req.AmountOff != nil {
			return errs.Invalidf("amount_off", "is only for kind amount")
		}
		if req.PercentOffBP == nil {
			return errs.Invalidf("percent_off_bp", "is required for kind percent")
		}
		in.Value = *req.PercentOffBP
	}
	if req.MinOrder != "" {
		if in.MinOrder, err = cur.ParseField("min_order", req.MinOrder); err != nil {
			return err
		}
	}
	if req.MaxUses != nil {
		if *req.MaxUses < 1 {
			return errs.Invalidf("max_uses", "must be at least 1, or absent for no limit")
		}
		in.MaxUses = *req.MaxUses
	}
	c, err := s.db.CreateCoupon(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, couponOut(cur, c))
	return nil
}

// listCoupons lists the caller's own coupons; an operator names the
// distributor with ?distributor_id=.
func (s *Server) listCoupons(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Distributor, account.Operator); err != nil {
		return err
	}
	did, err := queryID(r, "distributor_id")
	if err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	cs, err := s.db.Coupons(r.Context(), actorOf(r), did, after, limit)
	if err != nil {
		return err
	}
	out := make([]couponJSON, len(cs))
	for i := range cs {
		out[i] = couponOut(cur, &cs[i])
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(c couponJSON) int64 { return c.ID }))
	return nil
}

func (s *Server) deactivateCoupon(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Distributor, account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	c, err := s.db.DeactivateCoupon(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, couponOut(cur, c))
	return nil
}
