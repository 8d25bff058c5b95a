package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

const opsTreePage = 50

// opsTreeData is one level of the tree: a distributor, the path above it,
// and its direct members (largest teams first), each opening the next level.
type opsTreeData struct {
	D          *network.Distributor
	Path       []network.Distributor
	Cut        bool
	Members    []store.DistributorListing
	Prev, Next string
}

func (s *Server) opsTree(w http.ResponseWriter, r *http.Request) error {
	p, err := s.opsPage(r, "distributors", "ops.tree.title")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := store.DistributorSearch{SponsorID: id, Sort: store.SortTeam, Limit: opsTreePage}
	if v := r.URL.Query().Get("offset"); v != "" {
		if f.Offset, err = strconv.Atoi(v); err != nil || f.Offset < 0 {
			return errs.Invalidf("offset", "must be a whole number")
		}
	}
	d := &opsTreeData{}
	if d.D, err = s.db.Distributor(r.Context(), p.Actor, id); err != nil {
		return err
	}
	if d.Path, d.Cut, err = s.uplinePath(r, p, d.D); err != nil {
		return err
	}
	if d.Members, err = s.db.SearchDistributors(r.Context(), p.Actor, f); err != nil {
		return err
	}
	here := "/ops/distributors/" + strconv.FormatInt(id, 10) + "/tree?offset="
	if len(d.Members) > f.Limit {
		d.Members = d.Members[:f.Limit]
		if f.Offset+f.Limit <= store.MaxSearchOffset {
			d.Next = here + strconv.Itoa(f.Offset+f.Limit)
		}
	}
	if f.Offset > 0 {
		d.Prev = here + strconv.Itoa(max(f.Offset-f.Limit, 0))
	}
	p.Title, p.Back = p.T("ops.tree.heading", d.D.DisplayName), "/ops/distributors/"+strconv.FormatInt(id, 10)
	p.Data = d
	s.render(w, r, http.StatusOK, "ops_tree", p)
	return nil
}
