package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// supParcelStatuses are the queue's filters, to ship first.
var supParcelStatuses = []string{"released", "shipped", "received", "cancelled", "all"}

const supPageSize = 50

type supParcelsPage struct {
	Status   string
	Statuses []string
	Parcels  []store.FulfilmentOrder
	Next     string // the next page's link, if any
}

// supParcels is the fulfilment queue, oldest first, filtered by status
// (released, to ship, unless asked otherwise).
func (s *Server) supParcels(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-parcels")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := &supParcelsPage{Status: q.Get("status"), Statuses: supParcelStatuses}
	if d.Status == "" {
		d.Status = "released"
	}
	f := store.FulfilmentFilter{Status: store.FulfilmentStatus(d.Status), Limit: supPageSize}
	if d.Status == "all" {
		f.Status = ""
	}
	if a := q.Get("after"); a != "" {
		if f.After, err = strconv.ParseInt(a, 10, 64); err != nil || f.After < 0 {
			return errs.Invalidf("after", "must be a parcel number")
		}
	}
	if d.Parcels, err = s.db.FulfilmentQueue(r.Context(), sup, f); err != nil {
		return err
	}
	if len(d.Parcels) > supPageSize {
		d.Parcels = d.Parcels[:supPageSize]
		d.Next = "/sup/parcels?" + url.Values{"status": {d.Status}, "after": {strconv.FormatInt(d.Parcels[supPageSize-1].ID, 10)}}.Encode()
	}
	p.Title, p.Data = p.T("sup.parcels.title"), d
	s.render(w, r, http.StatusOK, "sup_parcels", p)
	return nil
}

// supParcelOf is one of the supplier's fulfilment orders, read through the
// queue so the supplier sees only its own.
func (s *Server) supParcelOf(r *http.Request, sup account.Actor, id int64) (*store.FulfilmentOrder, error) {
	list, err := s.db.FulfilmentQueue(r.Context(), sup, store.FulfilmentFilter{After: id - 1, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 || list[0].ID != id {
		return nil, errs.E(errs.NotFound, "", "no parcel %d", id)
	}
	return &list[0], nil
}

// supParcel is one fulfilment order: its packing list (printable) and,
// while it waits, the form that ships it.
func (s *Server) supParcel(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-parcels")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderParcel(w, r, p, sup, id, http.StatusOK)
}

func (s *Server) renderParcel(w http.ResponseWriter, r *http.Request, p *Page, sup account.Actor, id int64, status int) error {
	f, err := s.supParcelOf(r, sup, id)
	if err != nil {
		return err
	}
	region := strings.Join(s.regionNamer(r, p.Lang)(f.Ship.RegionCode), " ")
	p.Title, p.Back = p.T("sup.parcel.title", f.ID), "/sup/parcels"
	skus, err := s.supSKUs(r, sup)
	if err != nil {
		return err
	}
	codes := map[int64]string{} // what the shelf labels say
	for _, l := range f.Lines {
		if k, ok := skus[l.SKUID]; ok {
			codes[l.SKUID] = k.sku.Code
		}
	}
	p.Data = struct {
		Parcel *store.FulfilmentOrder
		Region string
		Codes  map[int64]string
	}{f, region, codes}
	s.render(w, r, status, "sup_parcel", p)
	return nil
}

// supShip ships one parcel with a carrier and tracking number; a refusal
// shows on the parcel's page by the field, with what was typed.
func (s *Server) supShip(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-parcels")
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
	_, err = s.db.ShipFulfilment(r.Context(), sup, id, r.PostForm.Get("carrier"), r.PostForm.Get("tracking_number"))
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound || !p.formError(err) {
			return err
		}
		p.Form = r.PostForm
		return s.renderParcel(w, r, p, sup, id, statusOf(err))
	}
	next := localPath(r.PostForm.Get("next"))
	if next == "/" {
		next = "/sup/parcels"
	}
	return seeOther(w, r, next)
}
