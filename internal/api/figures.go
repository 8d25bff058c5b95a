package api

import (
	"net/http"
	"time"

	"sharemall/internal/errs"
)

// routesFigures registers team and sales figures: a distributor's team,
// and sales reports per tier and per region for operators and suppliers.
func (s *Server) routesFigures() {
	s.handle("GET /api/v1/distributors/{id}/figures", s.distributorFigures)
	s.handle("GET /api/v1/distributors/{id}/team-members", s.teamMembers, "after", "limit", "depth")
	s.handle("GET /api/v1/reports/sales-by-tier", s.salesByTier, "supplier_id")
	s.handle("GET /api/v1/reports/sales-by-region", s.salesByRegion, "supplier_id", "parent")
}

type teamFiguresJSON struct {
	DistributorID  int64      `json:"distributor_id"`
	Currency       string     `json:"currency"`
	TeamSize       int64      `json:"team_size"`
	MembersByDepth [3]int64   `json:"members_by_depth"`
	OwnSales       string     `json:"own_sales"`
	OwnOrders      int64      `json:"own_orders"`
	SalesByDepth   [3]string  `json:"sales_by_depth"`
	TeamSales      string     `json:"team_sales"`
	UpdatedAt      *time.Time `json:"updated_at"`
}

func (s *Server) distributorFigures(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := s.db.TeamFigures(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	out := teamFiguresJSON{DistributorID: f.DistributorID, Currency: c.Code, TeamSize: f.TeamSize, MembersByDepth: f.MembersByDepth,
		OwnSales: c.Format(f.OwnSales), OwnOrders: f.OwnOrders, TeamSales: c.Format(f.TeamSales), UpdatedAt: f.UpdatedAt}
	for k, v := range f.SalesByDepth {
		out.SalesByDepth[k] = c.Format(v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// teamMemberJSON is a member's public card with its sales.
type teamMemberJSON struct {
	ID          int64     `json:"id"`
	DisplayName string    `json:"display_name"`
	Status      string    `json:"status"`
	GradeID     *int64    `json:"grade_id"`
	Depth       int64     `json:"depth"`
	JoinedAt    time.Time `json:"joined_at"`
	OwnSales    string    `json:"own_sales"`
	OwnOrders   int64     `json:"own_orders"`
	TeamSales   string    `json:"team_sales"`
}

func (s *Server) teamMembers(w http.ResponseWriter, r *http.Request) error {
	id, depth, after, limit, err := membersQuery(r)
	if err != nil {
		return err
	}
	list, err := s.db.TeamMembers(r.Context(), actorOf(r), id, depth, after, limit+1)
	if err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	items := make([]teamMemberJSON, len(list))
	for i, m := range list {
		items[i] = teamMemberJSON{ID: m.ID, DisplayName: m.DisplayName, Status: string(m.Status), GradeID: idOrNull(m.GradeID),
			Depth: m.Depth, JoinedAt: m.JoinedAt, OwnSales: c.Format(m.OwnSales), OwnOrders: m.OwnOrders, TeamSales: c.Format(m.TeamSales)}
	}
	writeJSON(w, http.StatusOK, pageOf(items, limit, func(m teamMemberJSON) int64 { return m.ID }))
	return nil
}

type tierSalesJSON struct {
	Tier       int    `json:"tier"`
	Base       string `json:"base"`
	Commission string `json:"commission"`
}

func (s *Server) salesByTier(w http.ResponseWriter, r *http.Request) error {
	supplier, err := queryID(r, "supplier_id")
	if err != nil {
		return err
	}
	list, err := s.db.SalesByTier(r.Context(), actorOf(r), supplier)
	if err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	out := struct {
		SupplierID *int64          `json:"supplier_id"`
		Currency   string          `json:"currency"`
		Total      string          `json:"total"`
		Items      []tierSalesJSON `json:"items"`
	}{SupplierID: reportSupplier(r, supplier), Currency: c.Code, Total: c.Format(list[0].Base), Items: []tierSalesJSON{}}
	for _, t := range list[1:] {
		out.Items = append(out.Items, tierSalesJSON{Tier: t.Tier, Base: c.Format(t.Base), Commission: c.Format(t.Commission)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type regionSalesJSON struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Level       int64  `json:"level"`
	Base        string `json:"base"`
	HasChildren bool   `json:"has_children"`
}

func (s *Server) salesByRegion(w http.ResponseWriter, r *http.Request) error {
	supplier, err := queryID(r, "supplier_id")
	if err != nil {
		return err
	}
	parent := r.URL.Query().Get("parent")
	if len(parent) > 64 {
		return errs.Invalidf("parent", "must be a region code")
	}
	list, err := s.db.SalesByRegion(r.Context(), actorOf(r), supplier, parent)
	if err != nil {
		return err
	}
	c, err := s.currency(r)
	if err != nil {
		return err
	}
	out := struct {
		SupplierID *int64            `json:"supplier_id"`
		Currency   string            `json:"currency"`
		Parent     *string           `json:"parent"`
		Items      []regionSalesJSON `json:"items"`
	}{SupplierID: reportSupplier(r, supplier), Currency: c.Code, Items: []regionSalesJSON{}}
	if parent != "" {
		out.Parent = &parent
	}
	for _, g := range list {
		out.Items = append(out.Items, regionSalesJSON{Code: g.Code, Name: g.Name, Level: g.Level, Base: c.Format(g.Base), HasChildren: g.HasChildren})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// reportSupplier is the supplier a report covers: the one asked for, a
// supplier's own when it asked for none, null for all (operators).
func reportSupplier(r *http.Request, asked int64) *int64 {
	if asked == 0 {
		if a := actorOf(r); !a.IsOperator() && a.SupplierID != 0 {
			asked = a.SupplierID
		}
	}
	return idOrNull(asked)
}
