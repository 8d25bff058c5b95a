package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/material"
	"sharemall/internal/money"
	"sharemall/internal/store"
)

// Marketing materials (docs/materials.md): the operator and suppliers
// publish them, distributors list the published ones and share them with
// their own link, which carries the material (?m=).
func (s *Server) routesMaterials() {
	s.handle("POST /api/v1/materials", s.createMaterial)
	s.handle("GET /api/v1/materials", s.listMaterials, "after", "limit")
	s.handle("GET /api/v1/materials/{id}", s.getMaterial)
	s.handle("PUT /api/v1/materials/{id}", s.updateMaterial)
	s.handle("POST /api/v1/materials/{id}/share", s.shareMaterial)
}

// materialJSON is a material as its publisher sees it, with its funnel.
type materialJSON struct {
	ID         int64             `json:"id"`
	ProductID  int64             `json:"product_id"`
	SupplierID int64             `json:"supplier_id"`
	CampaignID *int64            `json:"campaign_id"`
	Images     []string          `json:"images"`
	CopyZH     string            `json:"copy_zh"`
	CopyEN     string            `json:"copy_en"`
	Published  bool              `json:"published"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	Stats      materialStatsJSON `json:"stats"`
}

type materialStatsJSON struct {
	Visits     int64  `json:"visits"`
	Orders     int64  `json:"orders"`
	PaidOrders int64  `json:"paid_orders"`
	PaidAmount string `json:"paid_amount"`
	Currency   string `json:"currency"`
}

func materialOut(cur money.Currency, m *material.Material, st material.Stats) materialJSON {
	out := materialJSON{ID: m.ID, ProductID: m.ProductID, SupplierID: m.SupplierID, Images: m.Images, CopyZH: m.CopyZH,
		CopyEN: m.CopyEN, Published: m.Published, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
		Stats: materialStatsJSON{Visits: st.Visits, Orders: st.Orders, PaidOrders: st.PaidOrders, PaidAmount: cur.Format(st.PaidAmount), Currency: cur.Code}}
	if m.CampaignID != 0 {
		c := m.CampaignID
		out.CampaignID = &c
	}
	if out.Images == nil {
		out.Images = []string{}
	}
	return out
}

// materialRequest is the body of a create or an update.
type materialRequest struct {
	ProductID  int64    `json:"product_id"`
	CampaignID *int64   `json:"campaign_id"`
	Images     []string `json:"images"`
	CopyZH     string   `json:"copy_zh"`
	CopyEN     string   `json:"copy_en"`
	Published  bool     `json:"published"`
}

func (req materialRequest) input() material.Input {
	in := material.Input{ProductID: req.ProductID, Images: req.Images, CopyZH: req.CopyZH, CopyEN: req.CopyEN, Published: req.Published}
	if req.CampaignID != nil {
		in.CampaignID = *req.CampaignID
		if in.CampaignID == 0 {
			in.CampaignID = -1 // refused by campaign_id: null is "none", 0 is no campaign's id
		}
	}
	return in
}

func (s *Server) createMaterial(w http.ResponseWriter, r *http.Request) error {
	var req materialRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m, err := s.db.CreateMaterial(r.Context(), actorOf(r), req.input())
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, materialOut(cur, m, material.Stats{}))
	return nil
}

// getMaterial is one material the caller may change, with its funnel.
func (s *Server) getMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.db.Material(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.writeMaterial(w, r, m)
}

func (s *Server) writeMaterial(w http.ResponseWriter, r *http.Request, m *material.Material) error {
	stats, err := s.db.MaterialStats(r.Context(), actorOf(r), []int64{m.ID})
	if err != nil {
		return err
	}
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, materialOut(cur, m, stats[m.ID]))
	return nil
}

// updateMaterial sets the copy, campaign and publication (the whole of
// them, as in the body); pictures are given with the create, or through
// the console's upload.
func (s *Server) updateMaterial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req materialRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Images != nil {
		return errs.Invalidf("images", "are changed one at a time through the console's upload, not here")
	}
	m, err := s.db.UpdateMaterial(r.Context(), actorOf(r), id, req.input())
	if err != nil {
		return err
	}
	return s.writeMaterial(w, r, m)
}

// sharedMaterialJSON is a published material as a distributor shares it:
// its link and poster link carry the material, null until made (share).
type sharedMaterialJSON struct {
	ID           int64    `json:"id"`
	ProductID    int64    `json:"product_id"`
	ProductTitle string   `json:"product_title"`
	Images       []string `json:"images"`
	CopyZH       string   `json:"copy_zh"`
	CopyEN       string   `json:"copy_en"`
	Link         *string  `json:"link"`
	PosterLink   *string  `json:"poster_link"`
}

// listMaterials is the published materials a distributor may share, in id
// order, each with the caller's links once made.
func (s *Server) listMaterials(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	after, limit, err := pageParams(r)
	if err != nil {
		return err
	}
	list, err := s.db.PublishedMaterials(r.Context(), store.MaterialFilter{Ascending: true, AfterID: after, Limit: limit + 1})
	if err != nil {
		return err
	}
	links, err := s.myLinks(r)
	if err != nil {
		return err
	}
	out := make([]sharedMaterialJSON, len(list))
	for i := range list {
		out[i] = s.sharedOut(r, &list[i], links)
	}
	writeJSON(w, http.StatusOK, pageOf(out, limit, func(m sharedMaterialJSON) int64 { return m.ID }))
	return nil
}

// shareMaterial makes the caller's link and poster link of the material's
// product (asking again returns the same) and answers the material with them.
func (s *Server) shareMaterial(w http.ResponseWriter, r *http.Request) error {
	if err := requireDistributor(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.db.PublishedMaterial(r.Context(), id)
	if err != nil {
		return err
	}
	for _, ch := range []string{store.ChannelLink, store.ChannelPoster} {
		if _, err := s.db.ShareLink(r.Context(), actorOf(r), m.ProductID, ch); err != nil {
			return err
		}
	}
	links, err := s.myLinks(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.sharedOut(r, m, links))
	return nil
}

// myLinks is the caller's link and poster codes by product.
func (s *Server) myLinks(r *http.Request) (map[int64][2]string, error) {
	a := actorOf(r)
	if a.DistributorID == 0 {
		return nil, errs.E(errs.Forbidden, "", "join the network first")
	}
	links, err := s.db.ShareLinkVisits(r.Context(), a, a.DistributorID)
	if err != nil {
		return nil, err
	}
	return store.CodesByProduct(links), nil
}

func (s *Server) sharedOut(r *http.Request, m *store.MaterialListItem, links map[int64][2]string) sharedMaterialJSON {
	out := sharedMaterialJSON{ID: m.ID, ProductID: m.ProductID, ProductTitle: m.ProductTitle, Images: m.Images, CopyZH: m.CopyZH, CopyEN: m.CopyEN}
	if out.Images == nil {
		out.Images = []string{}
	}
	q := "?" + url.Values{"m": {strconv.FormatInt(m.ID, 10)}}.Encode()
	if l := links[m.ProductID]; l[0] != "" {
		link := s.publicBase(r) + "/s/" + l[0] + q
		out.Link = &link
		if l[1] != "" {
			poster := s.publicBase(r) + "/s/" + l[1] + q
			out.PosterLink = &poster
		}
	}
	return out
}
