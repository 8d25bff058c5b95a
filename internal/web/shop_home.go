package web

import (
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// homeData is a shop's home: search, category entries, a product grid.
type homeData struct {
	Head       head
	Front      storefront
	Query      string
	Category   *catalog.Category // the one browsed, if any
	Categories []categoryLink
	All        string // the home without a category, keeping the search
	Grid       grid
}

type categoryLink struct {
	Name, URL string
	Current   bool
}

// home is the shop the person is buying in (buyingIn), or the whole
// catalog at retail when it buys in none.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	seller, err := s.buyingIn(r)
	if err != nil {
		return err
	}
	f := storefront{Seller: seller}
	if f.Shop, err = s.shopOf(r, seller); err != nil {
		return err
	}
	return s.renderHome(w, r, f)
}

// shopHome is distributor d's shop, for the people who buy in it and for
// its own distributor; anyone else is sent to the shop it buys in.
func (s *Server) shopHome(w http.ResponseWriter, r *http.Request) error {
	d, err := pathID(r, "distributor_id")
	if err != nil {
		return err
	}
	f, moved, err := s.storefrontOf(r, d)
	if err != nil {
		return err
	}
	if moved {
		return moveTo(w, r, f.Home())
	}
	return s.renderHome(w, r, f)
}

func (s *Server) renderHome(w http.ResponseWriter, r *http.Request, f storefront) error {
	p := s.page(r, "")
	category, err := queryInt(r, "category")
	if err != nil {
		return err
	}
	after, err := queryInt(r, "after")
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := homeData{Head: head{P: p, Front: f}, Front: f, Query: q, All: withQuery(f.Home(), "q", q)}
	cats, err := s.db.Categories(r.Context())
	if err != nil {
		return err
	}
	for i, c := range cats {
		if c.ID == category {
			d.Category = &cats[i]
		}
		if c.ParentID == 0 {
			d.Categories = append(d.Categories, categoryLink{Name: c.Name, Current: c.ID == category,
				URL: withQuery(f.Home(), "category", strconv.FormatInt(c.ID, 10), "q", q)})
		}
	}
	if category != 0 && d.Category == nil {
		return errs.Invalidf("category", "no category has this id")
	}
	status := http.StatusOK
	items, next, err := s.listing(r, f, category, q, after, shopPageSize)
	if err != nil {
		if !p.formError(err) {
			return err
		}
		p.Form.Set("q", q)
		status = statusOf(err)
	}
	cards, err := s.cards(r, f, items)
	if err != nil {
		return err
	}
	d.Grid = grid{P: p, Cards: cards, Empty: p.T("shop.empty")}
	if q != "" || category != 0 {
		d.Grid.Empty = p.T("shop.empty_search")
	}
	if next != 0 {
		d.Grid.More = withQuery(f.Home(), "category", r.URL.Query().Get("category"), "q", q, "after", strconv.FormatInt(next, 10))
	}
	p.Title, p.Tab, p.Data = p.T("app.name"), "home", d
	if f.Shop != nil {
		p.Title = f.Shop.Name
	}
	if d.Category != nil {
		p.Title, p.Back = d.Category.Name, "/categories"
	}
	s.render(w, r, status, "shop_home", p)
	return nil
}
