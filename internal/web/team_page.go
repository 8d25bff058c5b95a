package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

const teamPageSize = 20

// teamView is my team at one level: a tab per level the program pays, the
// members found at it, and the next page.
type teamView struct {
	Figures *store.TeamFigures
	Levels  []teamLevel
	Level   int
	Query   string
	Members []teamMember
	Next    string // the next page's URL; "" on the last
	Deeper  int64  // members below the levels the program pays
	Tiers   int
}

type teamLevel struct {
	Depth   int
	Count   int64
	Sales   money.Amount
	URL     string
	Current bool
}

type teamMember struct {
	store.TeamMember
	Grade string
}

// teamPage lists my team level by level (level 1: the members I invited),
// each member with its grade and sales, searchable by name.
func (s *Server) teamPage(w http.ResponseWriter, r *http.Request) error {
	p, ok, err := s.moneyCentrePage(w, r, "team.title")
	if !ok {
		return err
	}
	ctx, me := r.Context(), p.Actor.DistributorID
	st, err := s.db.Settings(ctx)
	if err != nil {
		return err
	}
	v := &teamView{Level: 1, Query: r.URL.Query().Get("q")}
	if l := r.URL.Query().Get("level"); l != "" {
		if v.Level, err = strconv.Atoi(l); err != nil || v.Level < 1 || v.Level > st.Tiers {
			return errs.Invalidf("level", "must be from 1 to %d", st.Tiers)
		}
	}
	after, err := moneyQueryID(r, "after")
	if err != nil {
		return err
	}
	if v.Figures, err = s.db.TeamFigures(ctx, p.Actor, me); err != nil {
		return err
	}
	v.Deeper, v.Tiers = v.Figures.TeamSize, st.Tiers
	for d := 1; d <= st.Tiers; d++ {
		v.Deeper -= v.Figures.MembersByDepth[d-1]
		v.Levels = append(v.Levels, teamLevel{Depth: d, Count: v.Figures.MembersByDepth[d-1], Sales: v.Figures.SalesByDepth[d-1],
			URL: moneyURL("/centre/team", "level", strconv.Itoa(d), "q", v.Query), Current: d == v.Level})
	}
	p.Form.Set("q", v.Query)
	status := http.StatusOK
	list, err := s.db.SearchTeamMembers(ctx, p.Actor, me, v.Level, v.Query, after, teamPageSize+1)
	if err != nil {
		if !errs.Is(err, errs.Invalid) || !p.formError(err) {
			return err
		}
		status, v.Query = statusOf(err), "" // a search too long: said by the box, nothing listed
	}
	if len(list) > teamPageSize {
		list = list[:teamPageSize]
		v.Next = moneyURL("/centre/team", "level", strconv.Itoa(v.Level), "q", v.Query, "after", strconv.FormatInt(list[teamPageSize-1].ID, 10))
	}
	grades, err := s.db.Grades(ctx, p.Actor)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, g := range grades {
		names[g.ID] = g.Name
	}
	for _, m := range list {
		v.Members = append(v.Members, teamMember{TeamMember: m, Grade: names[m.GradeID]})
	}
	p.Data = v
	s.render(w, r, status, "team", p)
	return nil
}
