package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// routesNetwork registers the network routes: distributors, their referral
// tree, and grades.
func (s *Server) routesNetwork() {
	s.handle("POST /api/v1/distributors", s.joinNetwork)
	s.handle("GET /api/v1/distributors", s.listDistributors, "after", "limit", "status")
	s.handle("GET /api/v1/distributors/me", s.myDistributor)
	s.handle("GET /api/v1/distributors/{id}", s.getDistributor)
	s.handle("POST /api/v1/distributors/{id}/review", s.reviewDistributor)
	s.handle("PUT /api/v1/distributors/{id}/sponsor", s.moveDistributor)
	s.handle("PUT /api/v1/distributors/{id}/grade", s.setDistributorGrade)
	s.handle("GET /api/v1/distributors/{id}/upline", s.distributorUpline)
	s.handle("GET /api/v1/distributors/{id}/members", s.distributorMembers, "after", "limit", "depth")
	s.handle("GET /api/v1/distributors/{id}/team", s.distributorTeam)
	s.handle("GET /api/v1/grades", s.listGrades)
	s.handle("POST /api/v1/grades", s.createGrade)
	s.handle("PATCH /api/v1/grades/{id}", s.updateGrade)
}

// distributorJSON is a distributor as the caller may see it: the public
// card always, the rest only for the distributor itself and operators
// (view "full"); an upline member sees view "card".
type distributorJSON struct {
	ID          int64     `json:"id"`
	View        string    `json:"view"`
	DisplayName string    `json:"display_name"`
	Status      string    `json:"status"`
	GradeID     *int64    `json:"grade_id"`
	Depth       int64     `json:"depth"`
	JoinedAt    time.Time `json:"joined_at"`
	*distributorPrivate
}

type distributorPrivate struct {
	AccountID    int64      `json:"account_id"`
	ReferralCode string     `json:"referral_code"`
	SponsorID    *int64     `json:"sponsor_id"`
	Ancestor2ID  *int64     `json:"ancestor2_id"`
	Ancestor3ID  *int64     `json:"ancestor3_id"`
	TeamSize     int64      `json:"team_size"`
	TeamByDepth  [3]int64   `json:"team_by_depth"`
	ReviewedAt   *time.Time `json:"reviewed_at"`
}

func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func distributorOut(d network.Distributor) distributorJSON {
	out := distributorJSON{ID: d.ID, View: "card", DisplayName: d.DisplayName, Status: string(d.Status),
		GradeID: idOrNull(d.GradeID), Depth: d.Depth, JoinedAt: d.JoinedAt}
	if !d.Card {
		out.View = "full"
		out.distributorPrivate = &distributorPrivate{AccountID: d.AccountID, ReferralCode: d.ReferralCode,
			SponsorID: idOrNull(d.SponsorID), Ancestor2ID: idOrNull(d.Ancestor2ID), Ancestor3ID: idOrNull(d.Ancestor3ID),
			TeamSize: d.TeamSize, TeamByDepth: d.DepthCounts, ReviewedAt: d.ReviewedAt}
	}
	return out
}

func (s *Server) joinNetwork(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		InviteCode  string `json:"invite_code"`
		DisplayName string `json:"display_name"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	d, err := s.db.JoinNetwork(r.Context(), actorOf(r), network.Join{InviteCode: req.InviteCode, DisplayName: req.DisplayName})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, distributorOut(*d))
	return nil
}

func (s *Server) listDistributors(w http.ResponseWriter, r *http.Request) error {
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	f := store.DistributorFilter{After: after, Limit: limit + 1}
	if v := r.URL.Query().Get("status"); v != "" {
		if f.Status, err = network.ParseStatus("status", v); err != nil {
			return err
		}
	}
	list, err := s.db.Distributors(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(netMap(list, distributorOut), limit, func(d distributorJSON) int64 { return d.ID }))
	return nil
}

func netMap[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func (s *Server) myDistributor(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	d, err := s.db.DistributorByAccount(r.Context(), a, a.AccountID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, distributorOut(*d))
	return nil
}

func (s *Server) getDistributor(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.db.Distributor(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, distributorOut(*d))
	return nil
}

func (s *Server) reviewDistributor(w http.ResponseWriter, r *http.Request) error {
	id, approve, reason, err := reviewDecision(w, r)
	if err != nil {
		return err
	}
	d, err := s.db.ReviewDistributor(r.Context(), actorOf(r), id, approve, reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, distributorOut(*d))
	return nil
}

func (s *Server) moveDistributor(w http.ResponseWriter, r *http.Request) error {
	return s.setDistributorRef(w, r, "sponsor_id", "the new sponsor's id, or 0 to make a root", s.db.MoveDistributor)
}

func (s *Server) setDistributorGrade(w http.ResponseWriter, r *http.Request) error {
	return s.setDistributorRef(w, r, "grade_id", "a grade id, or 0 for none", s.db.SetGrade)
}

// setDistributorRef serves the operator's PUTs that point a distributor at
// another record: a body of one required id field, where 0 means none.
func (s *Server) setDistributorRef(w http.ResponseWriter, r *http.Request, field, hint string,
	set func(ctx context.Context, actor account.Actor, id, ref int64) (*network.Distributor, error)) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req map[string]json.RawMessage
	if err := decode(w, r, &req); err != nil {
		return err
	}
	for k := range req {
		if k != field {
			return errs.Invalidf(k, "is not a known field")
		}
	}
	var ref *int64
	if raw, ok := req[field]; ok && json.Unmarshal(raw, &ref) != nil {
		return errs.Invalidf(field, "must be an integer id")
	}
	if ref == nil {
		return errs.Invalidf(field, "is required: %s", hint)
	}
	d, err := set(r.Context(), actorOf(r), id, *ref)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, distributorOut(*d))
	return nil
}

type uplineEntryJSON struct {
	Tier        int             `json:"tier"`
	Distributor distributorJSON `json:"distributor"`
}

func (s *Server) distributorUpline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	up, err := s.db.Upline(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	out := Page[uplineEntryJSON]{Items: []uplineEntryJSON{}}
	for i, d := range up {
		out.Items = append(out.Items, uplineEntryJSON{Tier: i + 1, Distributor: distributorOut(d)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// membersQuery reads /distributors/{id}/…?depth=&after=&limit=.
func membersQuery(r *http.Request) (id int64, depth int, after int64, limit int, err error) {
	if id, err = pathID(r, "id"); err != nil {
		return
	}
	d, err := queryInt(r, "depth", 1, 1, network.MaxTiers)
	if err != nil {
		return
	}
	after, limit, err = pageParams(r)
	return id, int(d), after, limit, err
}

func (s *Server) distributorMembers(w http.ResponseWriter, r *http.Request) error {
	id, depth, after, limit, err := membersQuery(r)
	if err != nil {
		return err
	}
	list, err := s.db.Members(r.Context(), actorOf(r), id, depth, after, limit+1)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(netMap(list, distributorOut), limit, func(d distributorJSON) int64 { return d.ID }))
	return nil
}

func (s *Server) distributorTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.db.Team(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		TeamSize int64    `json:"team_size"`
		ByDepth  [3]int64 `json:"by_depth"`
		Deeper   int64    `json:"deeper"`
	}{t.TeamSize, t.ByDepth, t.Deeper})
	return nil
}

// gradeJSON is a grade; amounts in the program's currency.
type gradeJSON struct {
	ID               int64     `json:"id"`
	Name             string    `json:"name"`
	Rank             int64     `json:"rank"`
	Tier1RateBP      *int64    `json:"tier1_rate_bp"`
	OwnSalesMin      string    `json:"own_sales_min"`
	TeamSalesMin     string    `json:"team_sales_min"`
	DirectMembersMin int64     `json:"direct_members_min"`
	Currency         string    `json:"currency"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func gradeOut(c money.Currency) func(network.Grade) gradeJSON {
	return func(g network.Grade) gradeJSON {
		out := gradeJSON{ID: g.ID, Name: g.Name, Rank: g.Rank, OwnSalesMin: c.Format(g.OwnSalesMin), TeamSalesMin: c.Format(g.TeamSalesMin),
			DirectMembersMin: g.DirectMembersMin, Currency: c.Code, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
		if g.Tier1Rate != nil {
			v := int64(*g.Tier1Rate)
			out.Tier1RateBP = &v
		}
		return out
	}
}

func (s *Server) listGrades(w http.ResponseWriter, r *http.Request) error {
	list, err := s.db.Grades(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[gradeJSON]{Items: netMap(list, gradeOut(c))})
	return nil
}

// gradeRequest is the body of POST and PATCH /grades. tier1_rate_bp is kept
// raw so PATCH can tell null (back to the program rate) from absent.
type gradeRequest struct {
	Name             *string         `json:"name"`
	Rank             *int64          `json:"rank"`
	Tier1RateBP      json.RawMessage `json:"tier1_rate_bp"`
	OwnSalesMin      *string         `json:"own_sales_min"`
	TeamSalesMin     *string         `json:"team_sales_min"`
	DirectMembersMin *int64          `json:"direct_members_min"`
}

// update turns the request into a grade update, parsing amounts in c.
func (req *gradeRequest) update(c money.Currency) (network.GradeUpdate, error) {
	u := network.GradeUpdate{Name: req.Name, Rank: req.Rank, DirectMembersMin: req.DirectMembersMin}
	if len(req.Tier1RateBP) > 0 {
		if strings.TrimSpace(string(req.Tier1RateBP)) == "null" {
			u.ClearTier1Rate = true
		} else {
			var v int64
			if err := json.Unmarshal(req.Tier1RateBP, &v); err != nil {
				return u, errs.Invalidf("tier1_rate_bp", "must be an integer number of basis points, or null for the program rate")
			}
			rt := money.Rate(v)
			u.Tier1Rate = &rt
		}
	}
	for _, f := range []struct {
		field string
		in    *string
		out   **money.Amount
	}{{"own_sales_min", req.OwnSalesMin, &u.OwnSalesMin}, {"team_sales_min", req.TeamSalesMin, &u.TeamSalesMin}} {
		if f.in == nil {
			continue
		}
		a, err := c.ParseField(f.field, *f.in)
		if err != nil {
			return u, err
		}
		*f.out = &a
	}
	return u, nil
}

func (s *Server) createGrade(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	var req gradeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return errs.Invalidf("name", "is required")
	}
	if req.Rank == nil {
		return errs.Invalidf("rank", "is required")
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	u, err := req.update(c)
	if err != nil {
		return err
	}
	g, err := s.db.CreateGrade(r.Context(), actorOf(r), u.Apply(network.Grade{}))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, gradeOut(c)(*g))
	return nil
}

func (s *Server) updateGrade(w http.ResponseWriter, r *http.Request) error {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req gradeRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	u, err := req.update(c)
	if err != nil {
		return err
	}
	g, err := s.db.UpdateGrade(r.Context(), actorOf(r), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, gradeOut(c)(*g))
	return nil
}

// reviewDecision reads an operator's review of the thing in the path:
// {"approve": true|false, "reason": "…"}.
func reviewDecision(w http.ResponseWriter, r *http.Request) (id int64, approve bool, reason string, err error) {
	if err := actorOf(r).Require(account.Operator); err != nil {
		return 0, false, "", err
	}
	if id, err = pathID(r, "id"); err != nil {
		return 0, false, "", err
	}
	var req struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
	}
	if err := decode(w, r, &req); err != nil {
		return 0, false, "", err
	}
	if req.Approve == nil {
		return 0, false, "", errs.Invalidf("approve", "is required: true to approve, false to reject")
	}
	return id, *req.Approve, req.Reason, nil
}
