package web

import (
	"net/http"
	"strconv"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/media"
)

// routesSupImages registers a product's pictures in the supplier console:
// upload (a multipart form; the cross-origin check is by header, so it
// needs no token field), remove, make the cover.
func (s *Server) routesSupImages() {
	s.handle("POST /sup/products/{id}/images", s.supImageUpload)
	s.handle("POST /sup/products/{id}/images/{n}/remove", s.supImageRemove)
	s.handle("POST /sup/products/{id}/images/{n}/cover", s.supImageCover)
}

// supImageUpload stores the picture and comes back to the product's page;
// a refusal (wrong type, too large, ten already) shows by the file field.
func (s *Server) supImageUpload(w http.ResponseWriter, r *http.Request) error {
	p, sup, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pr, err := s.db.Product(r.Context(), sup, id)
	if err != nil {
		return err
	}
	if pr.SupplierID != sup.SupplierID {
		return errs.E(errs.NotFound, "", "no product %d of yours", id)
	}
	if s.cfg.Media == nil {
		err = errs.E(errs.Conflict, "image", "picture uploads are not configured on this server")
	} else if len(pr.Images) >= catalog.MaxImages {
		err = errs.E(errs.Conflict, "image", "a product shows at most %d pictures: remove one first", catalog.MaxImages)
	} else {
		_, err = media.UploadFromRequest(w, r, s.cfg.Media, id, s.cfg.MediaMaxBytes, func(url string) error {
			_, err := s.db.AddProductImage(r.Context(), sup, id, url)
			return err
		})
	}
	if err != nil {
		if !p.formError(err) {
			return err
		}
		return s.renderProductEdit(w, r, p, sup, id, "image", statusOf(err))
	}
	return seeOther(w, r, "/sup/products/"+strconv.FormatInt(id, 10)+"#pictures")
}

func (s *Server) supImageRemove(w http.ResponseWriter, r *http.Request) error {
	return s.supImageAction(w, r, func(sup account.Actor, id int64, n int) error {
		removed, _, err := s.db.RemoveProductImage(r.Context(), sup, id, n)
		if err == nil && s.cfg.Media != nil {
			// The product no longer shows it; files a failure leaves behind only take room.
			if err := media.Remove(r.Context(), s.cfg.Media, removed); err != nil {
				s.log.WarnContext(r.Context(), "removed picture's files not deleted", "product", id, "url", removed, "err", err)
			}
		}
		return err
	})
}

func (s *Server) supImageCover(w http.ResponseWriter, r *http.Request) error {
	return s.supImageAction(w, r, func(sup account.Actor, id int64, n int) error {
		_, err := s.db.SetProductCover(r.Context(), sup, id, n)
		return err
	})
}

// supImageAction runs act on picture n of the product in the path and
// comes back to the product's pictures.
func (s *Server) supImageAction(w http.ResponseWriter, r *http.Request, act func(sup account.Actor, id int64, n int) error) error {
	_, sup, err := s.supPage(r, "sup-products")
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= catalog.MaxImages {
		return errs.E(errs.NotFound, "", "no such picture")
	}
	if err := act(sup, id, n); err != nil {
		return err
	}
	return seeOther(w, r, "/sup/products/"+strconv.FormatInt(id, 10)+"#pictures")
}

// supPictures is the pictures section of a product's page.
type supPictures struct {
	List      []supPicture // the cover first
	Max       int
	MaxMB     int64
	MaxBytes  int64
	CanUpload bool // uploads are configured and there is room
	Full      bool // the product shows catalog.MaxImages pictures
}

type supPicture struct {
	Index    int // its place in the product's images, 0 the cover
	N        int // Index+1, for people
	URL      string
	ThumbURL string
}

func (s *Server) supPictures(pr *catalog.Product) *supPictures {
	d := &supPictures{Max: catalog.MaxImages, MaxMB: max(1, s.cfg.MediaMaxBytes>>20), MaxBytes: s.cfg.MediaMaxBytes,
		Full: len(pr.Images) >= catalog.MaxImages}
	d.CanUpload = s.cfg.Media != nil && !d.Full
	for i, u := range pr.Images {
		d.List = append(d.List, supPicture{Index: i, N: i + 1, URL: u, ThumbURL: media.ThumbURL(u)})
	}
	return d
}
