package web

import (
	"net/http"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/store"
)

// supLowStock is the available quantity at or under which a SKU's stock in
// a warehouse shows on the console's home as running low.
const supLowStock = 5

// supHome is what needs doing: parcels to ship, after-sale cases open and
// SKUs running low, each with a link to where it is done.
type supHomePage struct {
	ToShip, CasesOpen int
	ToShipMore        bool // more than a page of each
	CasesMore         bool
	Low               []supLowRow
}

type supLowRow struct {
	Product   int64
	Title     string
	SKU       string
	Warehouse string
	Available int64
}

func (s *Server) supHome(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup")
	if err != nil {
		return err
	}
	ctx := r.Context()
	d := &supHomePage{}
	parcels, err := s.db.FulfilmentQueue(ctx, sup, store.FulfilmentFilter{Status: store.FulfilmentReleased, Limit: 200})
	if err != nil {
		return err
	}
	d.ToShip, d.ToShipMore = min(len(parcels), 200), len(parcels) > 200
	cases, err := s.db.Cases(ctx, sup, store.CaseFilter{Status: store.CaseOpen, Limit: 200})
	if err != nil {
		return err
	}
	d.CasesOpen, d.CasesMore = min(len(cases), 200), len(cases) > 200
	if d.Low, err = s.supLow(r, sup); err != nil {
		return err
	}
	p.Title, p.Data = p.T("sup.home.title"), d
	s.render(w, r, http.StatusOK, "sup_home", p)
	return nil
}

// supLow lists the supplier's SKUs whose available stock in a warehouse is
// at or under supLowStock.
func (s *Server) supLow(r *http.Request, sup account.Actor) ([]supLowRow, error) {
	ctx := r.Context()
	skus, err := s.supSKUs(r, sup)
	if err != nil {
		return nil, err
	}
	whs, err := s.db.Warehouses(ctx, sup, sup.SupplierID)
	if err != nil {
		return nil, err
	}
	var out []supLowRow
	for _, wh := range whs {
		if !wh.Active {
			continue
		}
		stock, err := s.db.Stock(ctx, sup, wh.ID)
		if err != nil {
			return nil, err
		}
		for _, st := range stock {
			k, ok := skus[st.SKUID]
			if ok && st.Available() <= supLowStock {
				out = append(out, supLowRow{Product: k.product.ID, Title: k.product.Title, SKU: k.sku.Code, Warehouse: wh.Name, Available: st.Available()})
			}
		}
	}
	return out, nil
}

type supSKURef struct {
	product *catalog.Product
	sku     *catalog.SKU
}

// supSKUs is every SKU of the supplier's products, by id.
func (s *Server) supSKUs(r *http.Request, sup account.Actor) (map[int64]supSKURef, error) {
	out := map[int64]supSKURef{}
	var after int64
	for {
		list, err := s.db.Products(r.Context(), sup, store.ProductFilter{SupplierID: sup.SupplierID, After: after, Limit: 200})
		if err != nil {
			return nil, err
		}
		for i := range min(len(list), 200) {
			pr := &list[i]
			for j := range pr.SKUs {
				out[pr.SKUs[j].ID] = supSKURef{product: pr, sku: &pr.SKUs[j]}
			}
			after = pr.ID
		}
		if len(list) <= 200 {
			return out, nil
		}
	}
}
