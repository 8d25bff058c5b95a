package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/material"
	"sharemall/internal/media"
	"sharemall/internal/store"
)

// The operator's (/ops/materials, any product) and a supplier's
// (/sup/materials, its own products) materials: the list with each
// material's funnel, a form that makes one, and the editor (copy, campaign,
// publication, pictures through the product picture pipeline).

const consoleMaterialsPage = 30

type consoleMaterialsView struct {
	Root     string // "/ops/materials" or "/sup/materials"
	List     []store.MaterialListItem
	Next     string
	Products []catalog.Product // what a new material may be for
}

// materialsPage starts a materials page in the console the path names,
// with the actor the store is called as.
func (s *Server) materialsPage(r *http.Request) (*Page, account.Actor, string, error) {
	if strings.HasPrefix(r.URL.Path, "/sup/") {
		p, sup, err := s.supPage(r, "sup-materials")
		if err == nil {
			p.Title = p.T("materials.console.title")
		}
		return p, sup, "/sup/materials", err
	}
	p, err := s.opsPage(r, "ops-materials", "materials.console.title")
	if err != nil {
		return nil, account.Actor{}, "", err
	}
	return p, p.Actor, "/ops/materials", nil
}

func (s *Server) consoleMaterials(w http.ResponseWriter, r *http.Request) error {
	p, actor, root, err := s.materialsPage(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Notice = p.T("materials.console.saved")
	}
	return s.renderConsoleMaterials(w, r, p, actor, root, http.StatusOK)
}

func (s *Server) renderConsoleMaterials(w http.ResponseWriter, r *http.Request, p *Page, actor account.Actor, root string, status int) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := s.db.Materials(r.Context(), actor, store.MaterialFilter{BeforeID: max(before, 0), Limit: consoleMaterialsPage + 1})
	if err != nil {
		return err
	}
	v := &consoleMaterialsView{Root: root, List: list}
	if len(list) > consoleMaterialsPage {
		v.List = list[:consoleMaterialsPage]
		v.Next = root + "?before=" + strconv.FormatInt(v.List[len(v.List)-1].ID, 10)
	}
	f := store.ProductFilter{Limit: 100}
	if actor.SupplierID != 0 && !actor.IsOperator() {
		f.SupplierID = actor.SupplierID
	}
	if v.Products, err = s.db.Products(r.Context(), actor, f); err != nil {
		return err
	}
	p.Data = v
	s.render(w, r, status, "materials_console", p)
	return nil
}

// materialInput reads the material form; a number that is not one is
// refused by its field.
func materialInput(r *http.Request, p *Page) (material.Input, error) {
	if err := r.ParseForm(); err != nil {
		return material.Input{}, errs.Invalidf("body", "is not a form")
	}
	for _, f := range []string{"product_id", "campaign_id", "copy_zh", "copy_en", "published"} {
		p.Form.Set(f, r.PostForm.Get(f))
	}
	in := material.Input{CopyZH: p.Value("copy_zh"), CopyEN: p.Value("copy_en"), Published: p.Value("published") != ""}
	if v := strings.TrimSpace(p.Value("product_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return in, errs.Invalidf("product_id", "choose a product")
		}
		in.ProductID = n
	}
	if v := strings.TrimSpace(p.Value("campaign_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return in, errs.Invalidf("campaign_id", "must be a campaign's number, or empty for none")
		}
		in.CampaignID = n
	}
	return in, nil
}

func (s *Server) consoleMaterialCreate(w http.ResponseWriter, r *http.Request) error {
	p, actor, root, err := s.materialsPage(r)
	if err != nil {
		return err
	}
	in, err := materialInput(r, p)
	var m *material.Material
	if err == nil {
		in.Published = false // published from the editor, once it has pictures
		m, err = s.db.CreateMaterial(r.Context(), actor, in)
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderConsoleMaterials(w, r, p, actor, root, statusOf(err))
	}
	return seeOther(w, r, root+"/"+strconv.FormatInt(m.ID, 10))
}

// consoleMaterialView is the editor of one material.
type consoleMaterialView struct {
	Root      string
	M         *material.Material
	Pictures  []supPicture
	CanUpload bool
	Max       int
	MaxMB     int64
	MaxBytes  int64
}

func (s *Server) consoleMaterial(w http.ResponseWriter, r *http.Request) error {
	p, actor, root, err := s.materialsPage(r)
	if err != nil {
		return err
	}
	return s.renderConsoleMaterial(w, r, p, actor, root, "", http.StatusOK)
}

// renderConsoleMaterial draws the editor; keep names the form fields that
// keep what was typed (a refused save) rather than the stored values.
func (s *Server) renderConsoleMaterial(w http.ResponseWriter, r *http.Request, p *Page, actor account.Actor, root, keep string, status int) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.db.Material(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if keep == "" {
		p.Form.Set("campaign_id", "")
		if m.CampaignID != 0 {
			p.Form.Set("campaign_id", strconv.FormatInt(m.CampaignID, 10))
		}
		p.Form.Set("copy_zh", m.CopyZH)
		p.Form.Set("copy_en", m.CopyEN)
		if m.Published {
			p.Form.Set("published", "1")
		}
	}
	v := &consoleMaterialView{Root: root, M: m, Max: material.MaxImages, MaxMB: max(1, s.cfg.MediaMaxBytes>>20), MaxBytes: s.cfg.MediaMaxBytes}
	v.CanUpload = s.cfg.Media != nil && len(m.Images) < material.MaxImages
	for i, u := range m.Images {
		v.Pictures = append(v.Pictures, supPicture{Index: i, N: i + 1, URL: u, ThumbURL: media.ThumbURL(u)})
	}
	p.Back = root
	p.Data = v
	s.render(w, r, status, "materials_edit", p)
	return nil
}

func (s *Server) consoleMaterialSave(w http.ResponseWriter, r *http.Request) error {
	p, actor, root, err := s.materialsPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := materialInput(r, p)
	if err == nil {
		_, err = s.db.UpdateMaterial(r.Context(), actor, id, in)
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderConsoleMaterial(w, r, p, actor, root, "form", statusOf(err))
	}
	return seeOther(w, r, root+"?saved=1")
}

// consoleMaterialUpload stores a picture through the product picture
// pipeline (under the material's product) and adds it to the material.
func (s *Server) consoleMaterialUpload(w http.ResponseWriter, r *http.Request) error {
	p, actor, root, err := s.materialsPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.db.Material(r.Context(), actor, id)
	if err != nil {
		return err
	}
	switch {
	case s.cfg.Media == nil:
		err = errs.E(errs.Conflict, "image", "picture uploads are not configured on this server")
	case len(m.Images) >= material.MaxImages:
		err = errs.E(errs.Conflict, "image", "a material shows at most %d pictures: remove one first", material.MaxImages)
	default:
		_, err = media.UploadFromRequest(w, r, s.cfg.Media, m.ProductID, s.cfg.MediaMaxBytes, func(url string) error {
			_, err := s.db.AddMaterialImage(r.Context(), actor, id, url)
			return err
		})
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderConsoleMaterial(w, r, p, actor, root, "", statusOf(err))
	}
	return seeOther(w, r, root+"/"+strconv.FormatInt(id, 10)+"#pictures")
}

// consoleMaterialRemoveImage takes a picture off the material. Its files
// stay until `sharemall media gc` finds no product or material showing
// them: the same picture may be the product's own.
func (s *Server) consoleMaterialRemoveImage(w http.ResponseWriter, r *http.Request) error {
	p, actor, root, err := s.materialsPage(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= material.MaxImages {
		return errs.E(errs.NotFound, "", "no such picture")
	}
	if _, err := s.db.RemoveMaterialImage(r.Context(), actor, id, n); err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderConsoleMaterial(w, r, p, actor, root, "", statusOf(err))
	}
	return seeOther(w, r, root+"/"+strconv.FormatInt(id, 10)+"#pictures")
}

// fisMaterialsShown is how many materials the share funnel's page lists.
const fisMaterialsShown = 20

// fisMaterials fills the share funnel page's table of materials: their
// visits and credited orders over the page's days, in the program's zone.
func (s *Server) fisMaterials(r *http.Request, actor account.Actor, d *fisData, q store.FunnelQuery, loc *time.Location) error {
	start := time.Date(q.From.Year(), q.From.Month(), q.From.Day(), 0, 0, 0, 0, loc)
	end := time.Date(q.To.Year(), q.To.Month(), q.To.Day()+1, 0, 0, 0, 0, loc)
	if !end.After(start) {
		return nil // the funnel refused the days already
	}
	d.MaterialsRoot = "/ops/materials"
	if !actor.IsOperator() {
		d.MaterialsRoot = "/sup/materials"
	}
	var err error
	d.Materials, err = s.db.MaterialFunnel(r.Context(), actor, start, end, fisMaterialsShown)
	return err
}
