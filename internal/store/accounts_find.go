package store

import (
	"context"
	"strconv"
	"strings"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// FindAccount finds an account by what an operator knows of it: its id
// (digits), its email (with an @) or its phone number (read in the
// program's default phone region unless it starts with +). Operators only;
// a login no account has is NotFound on field. One unique-index read.
func (db *DB) FindAccount(ctx context.Context, actor account.Actor, field, login string) (*account.Account, error) {
	const op = "store.FindAccount"
	if err := actor.Require(account.Operator); err != nil {
		return nil, errs.Wrap(op, err)
	}
	login = strings.TrimSpace(login)
	if login == "" {
		return nil, errs.Wrap(op, errs.Invalidf(field, "give an account id, an email or a phone number"))
	}
	var a *account.Account
	err := db.Read(ctx, func(tx *Tx) error {
		if id, err := strconv.ParseInt(login, 10, 64); err == nil && !strings.HasPrefix(login, "+") && len(login) < 11 {
			if id <= 0 {
				return errs.Invalidf(field, "an account id is a positive number")
			}
			a, err = tx.account(ctx, id)
			return err
		}
		col, v := "email", ""
		var err error
		if strings.Contains(login, "@") {
			v, err = account.NormalizeEmail(field, login)
		} else {
			st, serr := tx.settings(ctx)
			if serr != nil {
				return serr
			}
			col = "phone"
			v, err = account.NormalizePhone(field, login, st.DefaultPhoneRegion)
		}
		if err != nil {
			return err
		}
		var id int64
		if err := tx.Get(ctx, "account", `SELECT id FROM accounts WHERE `+col+` = ?`, []any{v}, &id); err != nil {
			return err
		}
		a, err = tx.account(ctx, id)
		return err
	})
	if errs.Is(err, errs.NotFound) {
		err = errs.E(errs.NotFound, field, "no account has this id, email or phone number")
	}
	return a, errs.Wrap(op, err)
}
