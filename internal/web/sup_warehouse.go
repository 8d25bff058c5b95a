package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

type supWarehousePage struct {
	Warehouse supWarehouseRow
	Location  supPicker
	Area      supPicker
	Country   string // the code of the whole country, an area too
}

// supWarehouse is one warehouse: its form (name, location, priority,
// active) and its service areas, with the picker that adds one.
func (s *Server) supWarehouse(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-warehouses")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	wh, err := s.db.Warehouse(r.Context(), sup, id)
	if err != nil {
		return err
	}
	p.Form.Set("wh_name", wh.Name)
	p.Form.Set("priority", strconv.Itoa(wh.Priority))
	if wh.Active {
		p.Form.Set("active", "on")
	}
	return s.renderWarehouse(w, r, p, sup, wh, chosenRegions(wh.RegionCode), nil, http.StatusOK)
}

func (s *Server) renderWarehouse(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, wh *catalog.Warehouse, loc, area []string, status int) error {
	lp, err := s.picker(r, p, loc)
	if err != nil {
		return err
	}
	ap, err := s.picker(r, p, area)
	if err != nil {
		return err
	}
	d := &supWarehousePage{Warehouse: s.warehouseRow(*wh, s.regionNamer(r, p.Lang)), Country: ap.Country,
		Location: supPicker{P: p, Picker: lp, Prefix: "loc", ErrField: "region_code", Legend: "sup.wh.location"},
		Area:     supPicker{P: p, Picker: ap, Prefix: "area", ErrField: "areas", Legend: "sup.wh.area_add"}}
	p.Title, p.Back, p.Data = wh.Name, "/sup/warehouses", d
	s.render(w, r, status, "sup_warehouse", p)
	return nil
}

// supWarehouseUpdate saves the warehouse's form; unticking "active" stops
// routing orders to it.
func (s *Server) supWarehouseUpdate(w http.ResponseWriter, r *http.Request) error {
	return s.supWarehouseAction(w, r, func(p *Page, sup account.Actor, wh *catalog.Warehouse) ([]string, []string, error) {
		loc := []string{p.Form.Get("province"), p.Form.Get("city"), p.Form.Get("district")}
		if p.Form.Get("action") == "region" {
			return loc, nil, errRegionStep
		}
		pk, err := s.picker(r, p, loc)
		if err != nil {
			return loc, nil, err
		}
		name, region, priority, active, err := supWarehouseForm(r, pk)
		if err == nil {
			_, err = s.db.UpdateWarehouse(r.Context(), sup, wh.ID, catalog.WarehouseUpdate{Name: &name, RegionCode: &region, Priority: &priority, Active: &active})
		}
		return loc, nil, warehouseErr(err)
	})
}

// supWarehouseAreas adds the region chosen (the deepest level, or the
// whole country) to the warehouse's service areas, or removes one.
func (s *Server) supWarehouseAreas(w http.ResponseWriter, r *http.Request) error {
	return s.supWarehouseAction(w, r, func(p *Page, sup account.Actor, wh *catalog.Warehouse) ([]string, []string, error) {
		area := []string{p.Form.Get("province"), p.Form.Get("city"), p.Form.Get("district")}
		areas := slices.Clone(wh.Areas)
		switch {
		case p.Form.Get("action") == "region":
			return nil, area, errRegionStep
		case p.Form.Get("remove") != "":
			areas = slices.DeleteFunc(areas, func(a string) bool { return a == p.Form.Get("remove") })
		case p.Form.Get("whole") != "":
			areas = append(areas, p.Form.Get("whole"))
		default:
			pk, err := s.picker(r, p, area)
			if err != nil {
				return nil, area, err
			}
			if pk.Code == "" {
				return nil, area, errs.Invalidf("areas", "choose a province, a city or a district to add")
			}
			areas = append(areas, pk.Code)
		}
		_, err := s.db.SetWarehouseAreas(r.Context(), sup, wh.ID, areas)
		if f := errs.FieldOf(err); strings.HasPrefix(f, "areas[") { // one area of the list: the picker's
			err = formField(err, f, "areas")
		}
		return nil, area, err
	})
}

// errRegionStep is a form sent back by the picker's "next" button (no
// script): shown again with the regions below the one chosen.
var errRegionStep = errs.E(errs.Invalid, "action", "region step")

// supWarehouseAction runs act on the warehouse in the path and comes back
// to its page; a refusal shows by the field, what was typed kept.
func (s *Server) supWarehouseAction(w http.ResponseWriter, r *http.Request, act func(*Page, account.Actor, *catalog.Warehouse) (loc, area []string, err error)) error {
	p, sup, err := s.supPage(r, "sup-warehouses")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	wh, err := s.db.Warehouse(r.Context(), sup, id)
	if err != nil {
		return err
	}
	p.Form = r.PostForm
	loc, area, err := act(p, sup, wh)
	if err == nil {
		return seeOther(w, r, "/sup/warehouses/"+strconv.FormatInt(id, 10))
	}
	status := http.StatusOK
	if err != errRegionStep {
		if !p.formError(err) {
			return err
		}
		status = statusOf(err)
	}
	if loc == nil { // the other form was sent: this one shows what is saved
		loc = chosenRegions(wh.RegionCode)
		p.Form.Set("wh_name", wh.Name)
		p.Form.Set("priority", strconv.Itoa(wh.Priority))
		p.Form.Del("active")
		if wh.Active {
			p.Form.Set("active", "on")
		}
	}
	return s.renderWarehouse(w, r, p, sup, wh, loc, area, status)
}
