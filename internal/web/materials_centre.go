package web

import (
	"net/http"
	"net/url"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"sharemall/internal/errs"
	"sharemall/internal/network"
	"sharemall/internal/store"
)

// routesMaterials registers marketing materials (docs/materials.md): the
// distributor centre's Materials page and its one-tap share, the operator's
// and supplier's material lists with their funnels and the editor.
func (s *Server) routesMaterials() {
	s.handle("GET /centre/materials", s.centreMaterials)
	s.handle("GET /centre/materials/{id}", s.centreMaterial)
	s.handle("POST /centre/materials/{id}/share", s.centreMaterialShare)
	s.handle("GET /centre/materials/{id}/qr.png", s.centreMaterialQR)
	for _, c := range []string{"ops", "sup"} {
		s.handle("GET /"+c+"/materials", s.consoleMaterials)
		s.handle("POST /"+c+"/materials", s.consoleMaterialCreate)
		s.handle("GET /"+c+"/materials/{id}", s.consoleMaterial)
		s.handle("POST /"+c+"/materials/{id}", s.consoleMaterialSave)
		s.handle("POST /"+c+"/materials/{id}/images", s.consoleMaterialUpload)
		s.handle("POST /"+c+"/materials/{id}/images/{n}/remove", s.consoleMaterialRemoveImage)
	}
}

const centreMaterialsPage = 20

// centreMaterialCard is a material as a distributor sees it: the copy in
// its language, and its own link once made.
type centreMaterialCard struct {
	store.MaterialListItem
	Text   string // the copy in the page's language, else the other
	Link   string // my link with the material, "" until made
	Poster string // my poster link's code, "" until made
	Share  string // the copy and the link, what one tap copies
}

type centreMaterialsView struct {
	Cards []*centreMaterialCard
	Next  string
	Base  string
}

// centreMaterials lists the published materials, newest first, each with
// its pictures, copy and one-tap share.
func (s *Server) centreMaterials(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back = p.T("materials.centre.title"), "/centre"
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := s.db.PublishedMaterials(r.Context(), store.MaterialFilter{BeforeID: max(before, 0), Limit: centreMaterialsPage + 1})
	if err != nil {
		return err
	}
	v := &centreMaterialsView{Base: s.PublicBase(r)}
	if len(list) > centreMaterialsPage {
		list = list[:centreMaterialsPage]
		v.Next = "/centre/materials?before=" + strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	links, err := s.centreLinksByProduct(r, p, d)
	if err != nil {
		return err
	}
	for _, m := range list {
		v.Cards = append(v.Cards, centreCard(p, v.Base, m, links))
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "materials_centre", p)
	return nil
}

// centreLinksByProduct is my link and poster codes by product.
func (s *Server) centreLinksByProduct(r *http.Request, p *Page, d *network.Distributor) (map[int64][2]string, error) {
	links, err := s.db.ShareLinkVisits(r.Context(), p.Actor, d.ID)
	if err != nil {
		return nil, err
	}
	return store.CodesByProduct(links), nil
}

func centreCard(p *Page, base string, m store.MaterialListItem, links map[int64][2]string) *centreMaterialCard {
	c := &centreMaterialCard{MaterialListItem: m, Text: m.Copy(p.Lang)}
	if l := links[m.ProductID]; l[0] != "" {
		c.Link = materialURL(base, l[0], m.ID)
		c.Poster = l[1]
		c.Share = c.Text + "\n" + c.Link
	}
	return c
}

// materialURL is a share link that carries the material: /s/{code}?m={id}.
func materialURL(base, code string, id int64) string {
	return base + "/s/" + code + "?" + url.Values{"m": {strconv.FormatInt(id, 10)}}.Encode()
}

// centreMaterial is one material to share: its copy and my link to copy or
// send, and its poster (the material's cover with my poster link's QR code).
func (s *Server) centreMaterial(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back = p.T("materials.centre.share_title"), "/centre/materials"
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.db.PublishedMaterial(r.Context(), id)
	if err != nil {
		return err
	}
	links, err := s.centreLinksByProduct(r, p, d)
	if err != nil {
		return err
	}
	v := &centreMaterialsView{Base: s.PublicBase(r)}
	v.Cards = []*centreMaterialCard{centreCard(p, v.Base, *m, links)}
	p.Data = v
	s.render(w, r, http.StatusOK, "materials_share", p)
	return nil
}

// centreMaterialShare makes my link and poster of the material's product
// (the same links as sharing the product) and opens the material's share page.
func (s *Server) centreMaterialShare(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.centreDistributor(w, r); !ok {
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
	actor := s.page(r, "").Actor
	for _, ch := range []string{store.ChannelLink, store.ChannelPoster} {
		if _, err := s.db.ShareLink(r.Context(), actor, m.ProductID, ch); err != nil {
			return err
		}
	}
	return seeOther(w, r, "/centre/materials/"+strconv.FormatInt(id, 10))
}

// centreMaterialQR is the QR code of my poster link with the material.
func (s *Server) centreMaterialQR(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
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
	links, err := s.centreLinksByProduct(r, s.page(r, ""), d)
	if err != nil {
		return err
	}
	code := links[m.ProductID][1]
	if code == "" {
		return errs.E(errs.NotFound, "", "make the material's poster first")
	}
	png, err := qrcode.Encode(materialURL(s.PublicBase(r), code, id), qrcode.Medium, 512)
	if err != nil {
		return errs.Wrap("web.centreMaterialQR", err)
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	h.Set("Cache-Control", "private, max-age=86400")
	w.WriteHeader(http.StatusOK)
	w.Write(png)
	return nil
}

// materialParam is the material a share link was opened from (?m=), 0 for
// none or a value that is not an id: a link never fails for it.
func materialParam(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.URL.Query().Get("m"), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
