package store

import (
	"context"

	"sharemall/internal/errs"
	"sharemall/internal/network"
)

// InviteCard is what an invite link shows of the distributor who shares
// it: its display name, and its shop's name and avatar when the shop is open.
type InviteCard struct {
	DistributorID int64
	Code          string // the referral code, normalised
	DisplayName   string
	ShopName      string // "" without a shop
	AvatarURL     string
}

// InviteCard returns the sponsor a referral code names, for anyone holding
// the code (an invite link is made to be shared). The refusals are those of
// JoinNetwork, on invite_code: a malformed code, no such distributor, or one
// that is not active.
func (db *DB) InviteCard(ctx context.Context, code string) (*InviteCard, error) {
	j := network.Join{InviteCode: code}
	if err := j.Normalize(); err != nil {
		return nil, errs.Wrap("store.InviteCard", err)
	}
	if j.InviteCode == "" {
		return nil, errs.Wrap("store.InviteCard", errs.Invalidf("invite_code", "is required"))
	}
	var c *InviteCard
	err := db.Read(ctx, func(tx *Tx) error {
		d, err := tx.distributorWhere(ctx, `referral_code = ?`, j.InviteCode)
		if errs.Is(err, errs.NotFound) {
			return errs.Invalidf("invite_code", "no distributor has this referral code")
		}
		if err != nil {
			return err
		}
		if d.Status != network.Active {
			return errs.Invalidf("invite_code", "the distributor with this referral code is %s, not active", d.Status)
		}
		c = &InviteCard{DistributorID: d.ID, Code: d.ReferralCode, DisplayName: d.DisplayName}
		sh, err := tx.shop(ctx, d.ID)
		switch {
		case err == nil:
			c.ShopName, c.AvatarURL = sh.Name, sh.AvatarURL
		case !errs.Is(err, errs.NotFound):
			return err
		}
		return nil
	})
	return c, errs.Wrap("store.InviteCard", err)
}
