package web

import (
	"net/http"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"sharemall/internal/errs"
	"sharemall/internal/store"
)

// centreInviteView is the invite link and its poster.
type centreInviteView struct {
	Code, URL, QR string
	Name          string      // who invites: the shop's name, else the display name
	Shop          *store.Shop // nil without a shop
}

// centreInvite shows my invite link with copy and share buttons, and a
// poster of it to save.
func (s *Server) centreInvite(w http.ResponseWriter, r *http.Request) error {
	d, ok, err := s.centreDistributor(w, r)
	if !ok {
		return err
	}
	p := s.page(r, "")
	p.Title, p.Back = p.T("centre.invite.title"), "/centre"
	v := &centreInviteView{Code: d.ReferralCode, URL: s.PublicBase(r) + "/join/" + d.ReferralCode,
		QR: "/join/" + d.ReferralCode + "/qr.png", Name: d.DisplayName}
	if v.Shop, err = s.centreShopOf(r, d); err != nil {
		return err
	}
	if v.Shop != nil {
		v.Name = v.Shop.Name
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "centre_invite", p)
	return nil
}

// inviteQR is the QR code of an invite link, as a PNG anyone may fetch:
// like a share link's poster, it is made to be shared.
func (s *Server) inviteQR(w http.ResponseWriter, r *http.Request) error {
	c, err := s.db.InviteCard(r.Context(), r.PathValue("code"))
	if errs.Is(err, errs.Invalid) {
		return errs.E(errs.NotFound, "", "no invite has this code")
	}
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.PublicBase(r)+"/join/"+c.Code, qrcode.Medium, 512)
	if err != nil {
		return errs.Wrap("web.inviteQR", err)
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	h.Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusOK)
	w.Write(png)
	return nil
}
