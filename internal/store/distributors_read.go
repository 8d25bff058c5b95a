package store

import (
	"context"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/network"
)

// visibility is what the caller may see of a distributor.
type visibility int

const (
	hidden visibility = iota
	card              // an upline member (three levels up): the public card
	full              // the distributor itself, or an operator
)

func visibilityOf(actor account.Actor, d *network.Distributor) visibility {
	me := actor.DistributorID
	switch {
	case actor.IsOperator() || (me != 0 && me == d.ID && actor.APIKeyID == 0):
		return full
	case me != 0 && actor.APIKeyID == 0 && (me == d.SponsorID || me == d.Ancestor2ID || me == d.Ancestor3ID):
		return card
	}
	return hidden
}

// visibleDistributor reads a distributor the caller may see at least at
// level need; one it may not see at all is NotFound, so existence does not leak.
func (tx *Tx) visibleDistributor(ctx context.Context, actor account.Actor, id int64, need visibility) (*network.Distributor, error) {
	if actor.Anonymous() {
		return nil, errs.E(errs.Unauthorized, "", "sign in first")
	}
	d, err := tx.distributor(ctx, id)
	if err != nil {
		return nil, err
	}
	switch v := visibilityOf(actor, d); {
	case v == hidden:
		return nil, errs.E(errs.NotFound, "", "distributor not found")
	case v < need:
		return nil, errs.E(errs.Forbidden, "", "only the distributor itself or an operator may see this")
	case v == card:
		c := d.PublicCard()
		return &c, nil
	}
	return d, nil
}

// Distributor returns a distributor: whole to itself and operators, its
// public card to its upline (three levels up), NotFound to anyone else.
func (db *DB) Distributor(ctx context.Context, actor account.Actor, id int64) (*network.Distributor, error) {
	var d *network.Distributor
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		d, err = tx.visibleDistributor(ctx, actor, id, card)
		return err
	})
	return d, errs.Wrap("store.Distributor", err)
}

// DistributorByAccount returns the distributor an account runs (the account
// itself or an operator); NotFound when it has not joined.
func (db *DB) DistributorByAccount(ctx context.Context, actor account.Actor, accountID int64) (*network.Distributor, error) {
	if actor.Anonymous() {
		return nil, errs.Wrap("store.DistributorByAccount", errs.E(errs.Unauthorized, "", "sign in first"))
	}
	if !actor.IsOperator() && (actor.AccountID != accountID || actor.APIKeyID != 0) {
		return nil, errs.Wrap("store.DistributorByAccount", errs.E(errs.NotFound, "", "distributor not found"))
	}
	var d *network.Distributor
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		d, err = tx.distributorWhere(ctx, `account_id = ?`, accountID)
		return err
	})
	return d, errs.Wrap("store.DistributorByAccount", err)
}

// DistributorFilter selects distributors for the operator's list.
type DistributorFilter struct {
	Status network.Status // "" for all
	After  int64          // page: ids above this
	Limit  int            // at most this many (1..1000; default 50)
}

// Distributors lists distributors in id order (operator only).
func (db *DB) Distributors(ctx context.Context, actor account.Actor, f DistributorFilter) ([]network.Distributor, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap("store.Distributors", err)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	var out []network.Distributor
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT ` + distributorCols + ` FROM distributors WHERE id > ?`
		args := []any{f.After}
		if f.Status != "" {
			q += ` AND status = ?`
			args = append(args, string(f.Status))
		}
		var err error
		out, err = tx.distributors(ctx, q+` ORDER BY id LIMIT ?`, append(args, f.Limit)...)
		return err
	})
	return out, errs.Wrap("store.Distributors", err)
}

// Upline returns who earns on a sale by distributor id under the current
// settings: the seller first, then up to settings.Tiers−1 sponsors, as
// public cards (the distributor itself or an operator). One read.
func (db *DB) Upline(ctx context.Context, actor account.Actor, id int64) ([]network.Distributor, error) {
	var out []network.Distributor
	err := db.Read(ctx, func(tx *Tx) error {
		d, err := tx.visibleDistributor(ctx, actor, id, full)
		if err != nil {
			return err
		}
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		ids := network.Upline(*d, s.Tiers)
		for len(ids) < network.MaxTiers {
			ids = append(ids, 0)
		}
		rows, err := tx.distributors(ctx, `SELECT `+distributorCols+` FROM distributors WHERE id IN (?, ?, ?) ORDER BY depth DESC`,
			ids[0], ids[1], ids[2])
		for _, r := range rows {
			out = append(out, r.PublicCard())
		}
		return err
	})
	return out, errs.Wrap("store.Upline", err)
}

// Members lists the active members depth (1..3) levels below distributor id,
// in id order, as public cards (the distributor itself or an operator).
// Deeper generations are counted by Team but not listed.
func (db *DB) Members(ctx context.Context, actor account.Actor, id int64, depth int, after int64, limit int) ([]network.Distributor, error) {
	if depth < 1 || depth > network.MaxTiers {
		return nil, errs.Wrap("store.Members", errs.Invalidf("depth", "must be 1, 2 or 3"))
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	col := [...]string{"sponsor_id", "ancestor2_id", "ancestor3_id"}[depth-1]
	var out []network.Distributor
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.visibleDistributor(ctx, actor, id, full); err != nil {
			return err
		}
		rows, err := tx.distributors(ctx, `SELECT `+distributorCols+` FROM distributors
			WHERE `+col+` = ? AND status = 'active' AND id > ? ORDER BY id LIMIT ?`, id, after, limit)
		for _, r := range rows {
			out = append(out, r.PublicCard())
		}
		return err
	})
	return out, errs.Wrap("store.Members", err)
}

// Team returns the counters of distributor id's team (itself or an operator):
// one primary-key read, whatever the team's size.
func (db *DB) Team(ctx context.Context, actor account.Actor, id int64) (network.Team, error) {
	var t network.Team
	err := db.Read(ctx, func(tx *Tx) error {
		d, err := tx.visibleDistributor(ctx, actor, id, full)
		if err == nil {
			t = network.TeamOf(*d)
		}
		return err
	})
	return t, errs.Wrap("store.Team", err)
}
