package api

import (
	"net/http"
	"strconv"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/media"
)

// routesImages registers the product pictures: upload (multipart), remove,
// make the cover.
func (s *Server) routesImages() {
	s.handle("POST /api/v1/products/{id}/images", s.addProductImage)
	s.handle("DELETE /api/v1/products/{id}/images/{n}", s.removeProductImage)
	s.handle("POST /api/v1/products/{id}/images/{n}/cover", s.setProductCover)
}

// addProductImage takes a picture in the multipart field "image", stores
// its sizes and puts it last on the product.
func (s *Server) addProductImage(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	id, err := s.imageTarget(r, actor)
	if err != nil {
		return err
	}
	var p *catalog.Product
	_, err = media.UploadFromRequest(w, r, s.cfg.Media, id, s.cfg.MediaMaxBytes, func(url string) error {
		var err error
		p, err = s.db.AddProductImage(r.Context(), actor, id, url)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeProduct(w, r, http.StatusCreated, p)
}

// imageTarget checks, before a byte of the picture is read, that the
// caller may change the product's pictures and that it has room for one.
// The store checks both again under the product's lock.
func (s *Server) imageTarget(r *http.Request, actor account.Actor) (int64, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return 0, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	if s.cfg.Media == nil {
		return 0, errs.E(errs.Unavailable, "", "picture uploads are not configured on this server")
	}
	p, err := s.db.Product(r.Context(), actor, id)
	if err != nil {
		return 0, err
	}
	if !actor.OwnsSupplier(p.SupplierID) && !actor.IsOperator() {
		return 0, errs.E(errs.Forbidden, "", "the product is another supplier's")
	}
	if len(p.Images) >= catalog.MaxImages {
		return 0, errs.E(errs.Conflict, "image", "a product shows at most %d pictures: remove one first", catalog.MaxImages)
	}
	return id, nil
}

func (s *Server) removeProductImage(w http.ResponseWriter, r *http.Request) error {
	id, n, err := imagePath(r)
	if err != nil {
		return err
	}
	removed, p, err := s.db.RemoveProductImage(r.Context(), actorOf(r), id, n)
	if err != nil {
		return err
	}
	if s.cfg.Media != nil {
		// The product no longer shows it; files left by a failure here
		// only take room, so the request still succeeds.
		if err := media.Remove(r.Context(), s.cfg.Media, removed); err != nil {
			s.log.WarnContext(r.Context(), "removed picture's files not deleted", "product", id, "url", removed, "err", err)
		}
	}
	return s.writeProduct(w, r, http.StatusOK, p)
}

func (s *Server) setProductCover(w http.ResponseWriter, r *http.Request) error {
	id, n, err := imagePath(r)
	if err != nil {
		return err
	}
	p, err := s.db.SetProductCover(r.Context(), actorOf(r), id, n)
	if err != nil {
		return err
	}
	return s.writeProduct(w, r, http.StatusOK, p)
}

// imagePath reads the product id and the picture's place n (0 is the cover).
func imagePath(r *http.Request) (int64, int, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= catalog.MaxImages {
		return 0, 0, errs.Invalidf("n", "must be the picture's place, 0 to %d, not %q", catalog.MaxImages-1, r.PathValue("n"))
	}
	return id, n, nil
}

// writeProduct answers with the product, as its supplier sees it.
func (s *Server) writeProduct(w http.ResponseWriter, r *http.Request, status int, p *catalog.Product) error {
	cur, err := s.currency(r)
	if err != nil {
		return err
	}
	writeJSON(w, status, productOut(cur, p))
	return nil
}
