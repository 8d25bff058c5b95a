package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// supStockRow is one of the supplier's SKUs in a warehouse: what is on
// hand, reserved by unpaid orders, and available; OnHand is what the form
// shows (what was typed, when its form was refused).
type supStockRow struct {
	SKU, Product        int64
	Title, Code         string
	Reserved, Available int64
	OnHand, Error       string
}

type supStockPage struct {
	Warehouse *catalog.Warehouse
	Rows      []supStockRow
}

// supStock lists every SKU of the supplier with its stock in the
// warehouse, each with a form that sets what is on hand.
func (s *Server) supStock(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-warehouses")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderStock(w, r, p, sup, id, 0, http.StatusOK)
}

func (s *Server) renderStock(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, id, refused int64, status int) error {
	wh, err := s.db.Warehouse(r.Context(), sup, id)
	if err != nil {
		return err
	}
	stock, err := s.db.Stock(r.Context(), sup, id)
	if err != nil {
		return err
	}
	skus, err := s.supSKUs(r, sup)
	if err != nil {
		return err
	}
	have := map[int64]catalog.Stock{}
	for _, st := range stock {
		have[st.SKUID] = st
	}
	d := &supStockPage{Warehouse: wh}
	for skuID, k := range skus {
		st := have[skuID]
		row := supStockRow{SKU: skuID, Product: k.product.ID, Title: k.product.Title, Code: k.sku.Code, Reserved: st.Reserved,
			Available: st.Available(), OnHand: strconv.FormatInt(st.OnHand, 10)}
		if skuID == refused {
			row.OnHand, row.Error = p.Value("on_hand"), p.Err("on_hand")
		}
		d.Rows = append(d.Rows, row)
	}
	slices.SortFunc(d.Rows, func(a, b supStockRow) int {
		return cmp.Or(cmp.Compare(a.Product, b.Product), cmp.Compare(a.SKU, b.SKU))
	})
	p.Title, p.Back, p.Data = p.T("sup.stock.title", wh.Name), "/sup/warehouses/"+strconv.FormatInt(id, 10), d
	s.render(w, r, status, "sup_stock", p)
	return nil
}

// supStockSet sets how many units of a SKU are on hand in the warehouse.
func (s *Server) supStockSet(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-warehouses")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sku, err := pathID(r, "sku")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	onHand, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("on_hand")), 10, 64)
	if err != nil {
		err = errs.Invalidf("on_hand", "must be a whole number of units, 0 or more")
	} else {
		_, err = s.db.SetStock(r.Context(), sup, id, sku, onHand)
	}
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound || !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderStock(w, r, p, sup, id, sku, statusOf(err))
	}
	return seeOther(w, r, "/sup/warehouses/"+strconv.FormatInt(id, 10)+"/stock")
}
