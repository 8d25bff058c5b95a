package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"sharemall/internal/money"
	"sharemall/internal/order"
	"sharemall/internal/session"
	"sharemall/internal/store"
)

// cartView is the cart page: its lines by supplier, which of them are
// selected for checkout, and what those cost.
type cartView struct {
	Groups      []cartGroup
	Count       int // lines in the cart
	Selected    []int64
	Selectable  int // lines that can be ordered now
	AllSelected bool
	Total       money.Amount // of the selected lines, from the store
	Back        string       // this page with its selection: where a line's forms come back to
	MaxQuantity int64
	ErrSKU      int64 // the line a refused change was about
	Front       storefront
}

type cartGroup struct {
	Supplier string
	Lines    []cartLineView
}

type cartLineView struct {
	store.CartLine
	Options    string
	Selectable bool // in stock: it may be ordered now
	Selected   bool
}

func (s *Server) cartPage(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "")
	if r.URL.Query().Get("added") != "" {
		p.Notice = p.T("cart.added")
	}
	return s.renderCart(w, r, p, http.StatusOK, r.URL.Query())
}

// renderCart shows the person's cart with the selection q names (sel=1
// and a sku per line; without sel, every line that can be ordered).
func (s *Server) renderCart(w http.ResponseWriter, r *http.Request, p *Page, status int, q url.Values) error {
	p.Title, p.Tab = p.T("cart.title"), "cart"
	owner, err := store.CartOwnerOf(p.Actor, session.Visitor(r))
	if err != nil {
		return err
	}
	c, err := s.db.Cart(r.Context(), p.Actor, owner)
	if err != nil {
		return err
	}
	asked, _ := formIDs(q, "sku") // a broken selection is no selection
	explicit := q.Get("sel") != ""
	v := &cartView{Count: len(c.Lines), MaxQuantity: order.MaxQuantity}
	group := map[int64]int{}
	for _, l := range c.Lines {
		lv := cartLineView{CartLine: l, Options: optionText(l.Options), Selectable: l.Stock == store.InStock}
		if lv.Selectable {
			v.Selectable++
			if lv.Selected = !explicit || slices.Contains(asked, l.SKUID); lv.Selected {
				v.Selected = append(v.Selected, l.SKUID)
			}
		}
		i, ok := group[l.SupplierID]
		if !ok {
			i = len(v.Groups)
			group[l.SupplierID] = i
			v.Groups = append(v.Groups, cartGroup{Supplier: l.SupplierName})
		}
		v.Groups[i].Lines = append(v.Groups[i].Lines, lv)
	}
	v.AllSelected = v.Selectable > 0 && len(v.Selected) == v.Selectable
	v.Total = c.TotalOf(v.Selected)
	v.Back = "/cart"
	if explicit {
		sel := url.Values{"sel": {"1"}}
		for _, id := range v.Selected {
			sel.Add("sku", strconv.FormatInt(id, 10))
		}
		v.Back += "?" + sel.Encode()
	}
	if sku, err := formID(p.Form, "sku_id"); err == nil {
		v.ErrSKU = sku
	}
	seller, err := s.buyingIn(r)
	if err != nil {
		return err
	}
	v.Front = storefront{Seller: seller}
	p.Data = v
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "cart", p)
	return nil
}
