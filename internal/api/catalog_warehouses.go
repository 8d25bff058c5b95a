package api

import (
	"net/http"
	"time"

	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

type warehouseJSON struct {
	ID         int64     `json:"id"`
	SupplierID int64     `json:"supplier_id"`
	Name       string    `json:"name"`
	RegionCode string    `json:"region_code"`
	Priority   int       `json:"priority"`
	Active     bool      `json:"active"`
	Areas      []string  `json:"areas"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func warehouseOut(wh *catalog.Warehouse) warehouseJSON {
	areas := wh.Areas
	if areas == nil {
		areas = []string{}
	}
	return warehouseJSON{ID: wh.ID, SupplierID: wh.SupplierID, Name: wh.Name, RegionCode: wh.RegionCode, Priority: wh.Priority,
		Active: wh.Active, Areas: areas, CreatedAt: wh.CreatedAt, UpdatedAt: wh.UpdatedAt}
}

type warehouseRequest struct {
	SupplierID bodyID   `json:"supplier_id"`
	Name       string   `json:"name"`
	RegionCode string   `json:"region_code"`
	Priority   int      `json:"priority"`
	Active     *bool    `json:"active"`
	Areas      []string `json:"areas"`
}

func (s *Server) createWarehouse(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	var req warehouseRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	wh := &catalog.Warehouse{SupplierID: int64(req.SupplierID), Name: req.Name, RegionCode: req.RegionCode, Priority: req.Priority,
		Active: req.Active == nil || *req.Active, Areas: req.Areas}
	wh, err := s.db.CreateWarehouse(r.Context(), actorOf(r), wh)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, warehouseOut(wh))
	return nil
}

func (s *Server) listWarehouses(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	sid, err := queryID(r, "supplier_id")
	if err != nil {
		return err
	}
	list, err := s.db.Warehouses(r.Context(), actorOf(r), sid)
	if err != nil {
		return err
	}
	out := make([]warehouseJSON, len(list))
	for i := range list {
		out[i] = warehouseOut(&list[i])
	}
	writeJSON(w, http.StatusOK, Page[warehouseJSON]{Items: out})
	return nil
}

func (s *Server) getWarehouse(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wh, err := s.db.Warehouse(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, warehouseOut(wh))
	return nil
}

type warehouseUpdateRequest struct {
	Name       *string `json:"name"`
	RegionCode *string `json:"region_code"`
	Priority   *int    `json:"priority"`
	Active     *bool   `json:"active"`
}

func (s *Server) updateWarehouse(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req warehouseUpdateRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	wh, err := s.db.UpdateWarehouse(r.Context(), actorOf(r), id, catalog.WarehouseUpdate(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, warehouseOut(wh))
	return nil
}

type areasRequest struct {
	Areas *[]string `json:"areas"`
}

func (s *Server) setWarehouseAreas(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req areasRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Areas == nil {
		return errsRequired("areas")
	}
	wh, err := s.db.SetWarehouseAreas(r.Context(), actorOf(r), id, *req.Areas)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, warehouseOut(wh))
	return nil
}

type stockJSON struct {
	WarehouseID int64     `json:"warehouse_id"`
	SKUID       int64     `json:"sku_id"`
	OnHand      int64     `json:"on_hand"`
	Reserved    int64     `json:"reserved"`
	Available   int64     `json:"available"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func stockOut(st *catalog.Stock) stockJSON {
	return stockJSON{WarehouseID: st.WarehouseID, SKUID: st.SKUID, OnHand: st.OnHand, Reserved: st.Reserved,
		Available: st.Available(), UpdatedAt: st.UpdatedAt}
}

func (s *Server) listStock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := s.db.Stock(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	out := make([]stockJSON, len(list))
	for i := range list {
		out[i] = stockOut(&list[i])
	}
	writeJSON(w, http.StatusOK, Page[stockJSON]{Items: out})
	return nil
}

type stockRequest struct {
	OnHand *int64 `json:"on_hand"`
}

func (s *Server) setStock(w http.ResponseWriter, r *http.Request) error {
	if err := requireCatalogWriter(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	skuID, err := pathID(r, "sku_id")
	if err != nil {
		return err
	}
	var req stockRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.OnHand == nil {
		return errsRequired("on_hand")
	}
	st, err := s.db.SetStock(r.Context(), actorOf(r), id, skuID, *req.OnHand)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stockOut(st))
	return nil
}

type regionJSON struct {
	Code       string `json:"code"`
	ParentCode string `json:"parent_code,omitempty"`
	Level      int    `json:"level"`
	Name       string `json:"name"`
}

func regionOut(g *catalog.Region) regionJSON {
	return regionJSON{Code: g.Code, ParentCode: g.ParentCode, Level: g.Level, Name: g.Name}
}

func (s *Server) listRegions(w http.ResponseWriter, r *http.Request) error {
	list, err := s.db.Regions(r.Context(), r.URL.Query().Get("parent"))
	if err != nil {
		return err
	}
	out := make([]regionJSON, len(list))
	for i := range list {
		out[i] = regionOut(&list[i])
	}
	writeJSON(w, http.StatusOK, Page[regionJSON]{Items: out})
	return nil
}

func (s *Server) getRegion(w http.ResponseWriter, r *http.Request) error {
	g, err := s.db.Region(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, regionOut(g))
	return nil
}

func errsRequired(field string) error { return errs.Invalidf(field, "is required") }
