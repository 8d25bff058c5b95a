package web

import (
	"net/http"
	"slices"
	"strings"

	"sharemall/internal/catalog"
)

// regionLabel is a region's name in lang: the table holds "English 中文"
// in one field (docs/domain.md, "Regions").
func regionLabel(lang, name string) string {
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return name
	}
	if lang == "zh" {
		return name[i+1:]
	}
	return name[:i]
}

// regionNamer names a region code's path, province first, in lang,
// reading each region once for the request; an unknown code is itself.
func (s *Server) regionNamer(r *http.Request, lang string) func(code string) []string {
	seen := map[string]*catalog.Region{}
	return func(code string) []string {
		var names []string
		for c := code; c != ""; {
			reg, ok := seen[c]
			if !ok {
				var err error
				if reg, err = s.db.Region(r.Context(), c); err != nil {
					return []string{code}
				}
				seen[c] = reg
			}
			if reg.Level > 1 { // not the country
				names = append(names, regionLabel(lang, reg.Name))
			}
			c = reg.ParentCode
		}
		slices.Reverse(names)
		return names
	}
}

// regionPicker is the address form's province, city and district selects.
// Without the script, a level's "choose" button sends the form back to
// show the level below; with it, the selects fill from the regions API.
type regionPicker struct {
	Country string // the region the provinces are in
	Levels  []regionSelect
	Code    string // the deepest region chosen: what is saved
}

type regionSelect struct {
	Name    string // the form field: province, city or district
	Label   string
	Parent  string // whose regions the options are; "" while the level above is unchosen
	Chosen  string
	Options []regionOption
	Last    bool // nothing can be below it: no "choose" button
}

type regionOption struct{ Code, Name string }

// regionFields are the picker's fields, province first.
var regionFields = []string{"province", "city", "district"}

// chosenRegions is a region code as the picker's choices, province first.
func chosenRegions(code string) []string {
	segs := strings.Split(code, ".")
	out := make([]string, len(regionFields))
	for i := range out {
		if len(segs) >= i+2 {
			out[i] = strings.Join(segs[:i+2], ".")
		}
	}
	return out
}

// picker makes the selects for the choices made (province, city,
// district); a choice that is not below the one above it is dropped, so a
// new province clears the old city.
func (s *Server) picker(r *http.Request, p *Page, chosen []string) (*regionPicker, error) {
	roots, err := s.db.Regions(r.Context(), "")
	if err != nil || len(roots) == 0 {
		return &regionPicker{}, err
	}
	pk := &regionPicker{Country: roots[0].Code} // the table holds one country
	labels := []string{p.T("address.province"), p.T("address.city"), p.T("address.district")}
	parent := pk.Country
	for i, name := range regionFields {
		sel := regionSelect{Name: name, Label: labels[i], Last: i == len(regionFields)-1}
		if parent != "" {
			kids, err := s.db.Regions(r.Context(), parent)
			if err != nil {
				return nil, err
			}
			if len(kids) > 0 {
				sel.Parent = parent
			}
			parent = ""
			for _, k := range kids {
				sel.Options = append(sel.Options, regionOption{Code: k.Code, Name: regionLabel(p.Lang, k.Name)})
				if i < len(chosen) && k.Code == chosen[i] {
					sel.Chosen, pk.Code, parent = k.Code, k.Code, k.Code
				}
			}
		}
		pk.Levels = append(pk.Levels, sel)
	}
	return pk, nil
}
