package web

import (
	"net/http"
	"strconv"
)

// categoryGroup is a top-level category with its subcategories.
type categoryGroup struct {
	categoryLink
	Children []categoryLink
}

// categories lists the categories, each a link to the shop the person
// buys in (the home page) narrowed to it.
func (s *Server) categories(w http.ResponseWriter, r *http.Request) error {
	cats, err := s.db.Categories(r.Context())
	if err != nil {
		return err
	}
	link := func(id int64, name string) categoryLink {
		return categoryLink{Name: name, URL: "/?category=" + strconv.FormatInt(id, 10)}
	}
	var groups []categoryGroup
	at := map[int64]int{}
	for _, c := range cats { // parents come before their children (id order)
		if i, ok := at[c.ParentID]; ok && c.ParentID != 0 {
			groups[i].Children = append(groups[i].Children, link(c.ID, c.Name))
			at[c.ID] = i
			continue
		}
		at[c.ID] = len(groups)
		groups = append(groups, categoryGroup{categoryLink: link(c.ID, c.Name)})
	}
	p := s.page(r, "")
	p.Title, p.Tab, p.Data = p.T("shop.categories.title"), "categories", groups
	s.render(w, r, http.StatusOK, "shop_categories", p)
	return nil
}
