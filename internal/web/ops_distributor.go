package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/network"
	"sharemall/internal/order"
	"sharemall/internal/store"
)

// opsUplineLimit bounds the upline path drawn on a distributor's page: one
// read per level, and a tree is rarely this deep.
const opsUplineLimit = 30

// opsDistributorData is one distributor as the operator sees it.
type opsDistributorData struct {
	D       *network.Distributor
	Path    []network.Distributor // root first, down to its sponsor
	Cut     bool                  // the path stops before the root
	Figures *store.TeamFigures
	Grades  []network.Grade
	Grade   string
	Areas   []order.AgentArea
	Levels  []opsLevel
}

// opsLevel is one level below a distributor: its members and their sales.
type opsLevel struct {
	N       int
	Members int64
	Sales   money.Amount
}

func (s *Server) opsDistributor(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "distributors", "ops.distributors.title")
	if err != nil {
		return err
	}
	switch {
	case r.URL.Query().Has("graded"):
		p.Notice = p.T("ops.distributor.graded")
	case r.URL.Query().Has("granted"):
		p.Notice = p.T("ops.distributor.granted")
	case r.URL.Query().Has("revoked"):
		p.Notice = p.T("ops.distributor.revoked")
	}
	return s.renderOpsDistributor(w, r, p, http.StatusOK)
}

func (s *Server) renderOpsDistributor(w http.ResponseWriter, r *http.Request, p *Page, status int) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d := &opsDistributorData{}
	if d.D, err = s.db.Distributor(ctx, p.Actor, id); err != nil {
		return err
	}
	if d.Path, d.Cut, err = s.uplinePath(r, p, d.D); err != nil {
		return err
	}
	if d.Figures, err = s.db.TeamFigures(ctx, p.Actor, id); err != nil {
		return err
	}
	for i := range d.Figures.MembersByDepth {
		d.Levels = append(d.Levels, opsLevel{N: i + 1, Members: d.Figures.MembersByDepth[i], Sales: d.Figures.SalesByDepth[i]})
	}
	if d.Grades, err = s.db.Grades(ctx, p.Actor); err != nil {
		return err
	}
	for _, g := range d.Grades {
		if g.ID == d.D.GradeID {
			d.Grade = g.Name
		}
	}
	areas, err := s.db.Agents(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, a := range areas {
		if a.DistributorID == id {
			d.Areas = append(d.Areas, a)
		}
	}
	if p.Form.Get("grade_id") == "" {
		p.Form.Set("grade_id", strconv.FormatInt(d.D.GradeID, 10))
	}
	p.Title, p.Back = d.D.DisplayName, "/ops/distributors"
	p.Data = d
	s.render(w, r, status, "ops_distributor", p)
	return nil
}

// uplinePath walks the sponsors of d up to the root, root first.
func (s *Server) uplinePath(r *http.Request, p *Page, d *network.Distributor) ([]network.Distributor, bool, error) {
	var up []network.Distributor
	for cur := d; cur.SponsorID != 0; {
		if len(up) == opsUplineLimit {
			return reverse(up), true, nil
		}
		next, err := s.db.Distributor(r.Context(), p.Actor, cur.SponsorID)
		if err != nil {
			return nil, false, err
		}
		up, cur = append(up, *next), next
	}
	return reverse(up), false, nil
}

func reverse(ds []network.Distributor) []network.Distributor {
	for i, j := 0, len(ds)-1; i < j; i, j = i+1, j-1 {
		ds[i], ds[j] = ds[j], ds[i]
	}
	return ds
}

// opsDistributorGrade sets or clears a distributor's grade (audited by the store).
func (s *Server) opsDistributorGrade(w http.ResponseWriter, r *http.Request) error {
	return s.opsDistributorAct(w, r, "graded", func(p *Page, id int64) error {
		g, err := strconv.ParseInt(r.PostForm.Get("grade_id"), 10, 64)
		if err != nil {
			return errs.Invalidf("grade_id", "choose a grade")
		}
		_, err = s.db.SetGrade(r.Context(), p.Actor, id, g)
		return err
	})
}

// opsAgentGrant makes the distributor the regional agent of an area.
func (s *Server) opsAgentGrant(w http.ResponseWriter, r *http.Request) error {
	return s.opsDistributorAct(w, r, "granted", func(p *Page, id int64) error {
		_, err := s.db.GrantArea(r.Context(), p.Actor, r.PostForm.Get("region_code"), id)
		return err
	})
}

// opsAgentRevoke takes an area back from the distributor.
func (s *Server) opsAgentRevoke(w http.ResponseWriter, r *http.Request) error {
	return s.opsDistributorAct(w, r, "revoked", func(p *Page, id int64) error {
		areas, err := s.db.Agents(r.Context(), p.Actor)
		if err != nil {
			return err
		}
		code := r.PostForm.Get("region_code")
		for _, a := range areas {
			if a.RegionCode == code && a.DistributorID == id {
				return s.db.RevokeArea(r.Context(), p.Actor, code)
			}
		}
		return errs.E(errs.NotFound, "region_code", "this distributor holds no area %q", code)
	})
}

func (s *Server) opsDistributorAct(w http.ResponseWriter, r *http.Request, done string, act func(*Page, int64) error) error {
	p, err := s.opsPage(r, "distributors", "ops.distributors.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	if err := act(p, id); err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderOpsDistributor(w, r, p, statusOf(err))
	}
	return seeOther(w, r, "/ops/distributors/"+strconv.FormatInt(id, 10)+"?"+done+"=1")
}
