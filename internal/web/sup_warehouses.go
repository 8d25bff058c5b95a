package web

import (
	"net/http"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
)

// supPicker is the region picker (the address form's: province, city,
// district) drawn by the "sup-region-picker" template; Prefix keeps two
// pickers on one page apart.
type supPicker struct {
	P                        *Page
	Picker                   *regionPicker
	Prefix, ErrField, Legend string
}

// supWarehouseRow is a warehouse with its location and areas named.
type supWarehouseRow struct {
	catalog.Warehouse
	Location string
	Areas    []supArea
}

type supArea struct{ Code, Name string }

type supWarehousesPage struct {
	Warehouses []supWarehouseRow
	Location   supPicker
}

// supWarehouses lists the supplier's warehouses, with the form that makes one.
func (s *Server) supWarehouses(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-warehouses")
	if err != nil {
		return err
	}
	p.Form.Set("active", "on")
	p.Form.Set("priority", "0")
	return s.renderWarehouses(w, r, p, sup, nil, http.StatusOK)
}

func (s *Server) renderWarehouses(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, chosen []string, status int) error {
	list, err := s.db.Warehouses(r.Context(), sup, sup.SupplierID)
	if err != nil {
		return err
	}
	name := s.regionNamer(r, p.Lang)
	d := &supWarehousesPage{}
	for _, wh := range list {
		d.Warehouses = append(d.Warehouses, s.warehouseRow(wh, name))
	}
	pk, err := s.picker(r, p, chosen)
	if err != nil {
		return err
	}
	d.Location = supPicker{P: p, Picker: pk, Prefix: "loc", ErrField: "region_code", Legend: "sup.wh.location"}
	p.Title, p.Data = p.T("sup.wh.title"), d
	s.render(w, r, status, "sup_warehouses", p)
	return nil
}

func (s *Server) warehouseRow(wh catalog.Warehouse, name func(string) []string) supWarehouseRow {
	row := supWarehouseRow{Warehouse: wh, Location: strings.Join(name(wh.RegionCode), " ")}
	for _, a := range wh.Areas {
		n := strings.Join(name(a), " ")
		if catalog.Level(a) == 1 {
			n = ""
		}
		row.Areas = append(row.Areas, supArea{Code: a, Name: n})
	}
	return row
}

// supWarehouseForm reads the warehouse form: name, location (the deepest
// region chosen), priority and whether it is active.
func supWarehouseForm(r *http.Request, pk *regionPicker) (name, region string, priority int, active bool, err error) {
	f := r.PostForm
	if priority, err = strconv.Atoi(strings.TrimSpace(f.Get("priority"))); err != nil {
		return "", "", 0, false, errs.Invalidf("priority", "must be a whole number from -1000 to 1000")
	}
	if pk.Code == "" {
		return "", "", 0, false, errs.Invalidf("region_code", "choose where the warehouse is: a province, then its city and district")
	}
	return f.Get("wh_name"), pk.Code, priority, f.Get("active") != "", nil
}

// warehouseErr names the form's fields in a store error: the name field is
// wh_name ("name" is a person's nickname in the catalogues).
func warehouseErr(err error) error { return formField(err, "name", "wh_name") }

// supWarehouseCreate makes a warehouse; action=region shows the form again
// with the regions below the one chosen (the picker without its script).
func (s *Server) supWarehouseCreate(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-warehouses")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "the form could not be read")
	}
	p.Form = r.PostForm
	chosen := []string{p.Form.Get("province"), p.Form.Get("city"), p.Form.Get("district")}
	if p.Form.Get("action") == "region" {
		return s.renderWarehouses(w, r, p, sup, chosen, http.StatusOK)
	}
	pk, err := s.picker(r, p, chosen)
	if err != nil {
		return err
	}
	name, region, priority, active, err := supWarehouseForm(r, pk)
	var made *catalog.Warehouse
	if err == nil {
		made, err = s.db.CreateWarehouse(r.Context(), sup, &catalog.Warehouse{SupplierID: sup.SupplierID, Name: name, RegionCode: region,
			Priority: priority, Active: active})
	}
	if err != nil {
		if !p.formError(warehouseErr(err)) {
			return err
		}
		return s.renderWarehouses(w, r, p, sup, chosen, statusOf(err))
	}
	return seeOther(w, r, "/sup/warehouses/"+strconv.FormatInt(made.ID, 10))
}
