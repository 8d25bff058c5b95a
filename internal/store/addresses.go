package store

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// Address is a shipping address in an account's address book.
type Address struct {
	ID         int64
	AccountID  int64
	Name       string // who receives the parcel
	Phone      string // E.164
	RegionCode string // a region with nothing below it (a district or county, or a city without any)
	Address    string // the street, building and door within the region
	IsDefault  bool   // exactly one address of a book is the default, while it has any
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// MaxAddresses is how many addresses one account keeps.
const MaxAddresses = 50

// normalize trims and checks a's fields, errors naming the JSON field; a
// phone without its country code is read in phoneRegion, as at sign-up.
func (a *Address) normalize(phoneRegion string) error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"name", &a.Name, 100}, {"address", &a.Address, 500}} { // the limits of checkout's ship_to
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			return errs.Invalidf(f.name, "is required")
		}
		if utf8.RuneCountInString(*f.v) > f.max {
			return errs.Invalidf(f.name, "must be at most %d characters", f.max)
		}
	}
	phone, err := account.NormalizePhone("phone", a.Phone, phoneRegion)
	if err != nil {
		return err
	}
	a.Phone = phone
	a.RegionCode, err = catalog.ParseRegionCode("region_code", strings.TrimSpace(a.RegionCode))
	return err
}

// addressOwner is the account whose address book actor opens.
func addressOwner(actor account.Actor) (int64, error) {
	switch {
	case actor.Anonymous():
		return 0, errs.E(errs.Unauthorized, "", "sign in first")
	case customerOf(actor) == 0:
		return 0, errs.E(errs.Forbidden, "", "an API key has no address book; sign in")
	}
	return actor.AccountID, nil
}

const addressCols = `id, account_id, name, phone, region_code, address, is_default, created_at, updated_at`

func scanAddress(scan func(...any) error) (*Address, error) {
	a := &Address{}
	var created, updated int64
	if err := scan(&a.ID, &a.AccountID, &a.Name, &a.Phone, &a.RegionCode, &a.Address, &a.IsDefault, &created, &updated); err != nil {
		return nil, sqldb.MapErr(err)
	}
	a.CreatedAt, a.UpdatedAt = fromTS(created), fromTS(updated)
	return a, nil
}

// Addresses lists the actor's address book, the default first, then the
// newest first.
func (db *DB) Addresses(ctx context.Context, actor account.Actor) ([]Address, error) {
	owner, err := addressOwner(actor)
	if err != nil {
		return nil, errs.Wrap("store.Addresses", err)
	}
	out := []Address{}
	err = db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, `SELECT `+addressCols+` FROM addresses WHERE account_id = ? ORDER BY is_default DESC, id DESC`, []any{owner},
			func(scan func(...any) error) error {
				a, err := scanAddress(scan)
				if err == nil {
					out = append(out, *a)
				}
				return err
			})
	})
	return out, errs.Wrap("store.Addresses", err)
}

// Address returns one of the actor's addresses; another account's is NotFound.
func (db *DB) Address(ctx context.Context, actor account.Actor, id int64) (*Address, error) {
	owner, err := addressOwner(actor)
	if err != nil {
		return nil, errs.Wrap("store.Address", err)
	}
	var a *Address
	err = db.Read(ctx, func(tx *Tx) error {
		a, err = tx.address(ctx, owner, id)
		return err
	})
	return a, errs.Wrap("store.Address", err)
}

func (tx *Tx) address(ctx context.Context, owner, id int64) (*Address, error) {
	var a *Address
	err := tx.One(ctx, "address", `SELECT `+addressCols+` FROM addresses WHERE id = ? AND account_id = ?`, []any{id, owner},
		func(scan func(...any) error) (err error) {
			a, err = scanAddress(scan)
			return err
		})
	return a, err
}

// lockAddressBook takes the account's row lock by a no-op write (SELECT …
// FOR UPDATE is not portable), so that changes to one address book take
// turns: the limit and the one default hold under concurrent requests.
func (tx *Tx) lockAddressBook(ctx context.Context, owner int64) error {
	n, err := tx.ExecN(ctx, `UPDATE accounts SET name = name WHERE id = ?`, owner)
	if err == nil && n == 0 {
		err = errs.E(errs.NotFound, "", "account not found")
	}
	return err
}

// SaveAddress creates an address in the actor's book (a.ID 0) or replaces
// one of its addresses (a.ID). The phone is stored in E.164, read in the
// program's default phone region when it has no country code; the region
// must have nothing below it ("choose a district"). The first address is the
// default whatever a.IsDefault says; making an address the default takes it
// from the one that was; the default cannot be unset, only moved (make
// another address the default). At most MaxAddresses per account.
func (db *DB) SaveAddress(ctx context.Context, actor account.Actor, a Address) (*Address, error) {
	owner, err := addressOwner(actor)
	if err != nil {
		return nil, errs.Wrap("store.SaveAddress", err)
	}
	var out *Address
	err = db.Write(ctx, func(tx *Tx) error {
		s, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		in := a // a write may run again: normalize a copy
		if err := in.normalize(s.DefaultPhoneRegion); err != nil {
			return err
		}
		if err := tx.leafRegion(ctx, "region_code", in.RegionCode); err != nil {
			return err
		}
		if err := tx.lockAddressBook(ctx, owner); err != nil {
			return err
		}
		now := ts(tx.Now())
		id := in.ID
		if id == 0 {
			var n int
			if err := tx.Get(ctx, "addresses", `SELECT COUNT(*) FROM addresses WHERE account_id = ?`, []any{owner}, &n); err != nil {
				return err
			}
			if n >= MaxAddresses {
				return errs.E(errs.Conflict, "", "an address book keeps at most %d addresses; delete one first", MaxAddresses)
			}
			if n == 0 {
				in.IsDefault = true
			}
			if in.IsDefault {
				if err := tx.clearDefaultAddress(ctx, owner, now); err != nil {
					return err
				}
			}
			if id, err = tx.Insert(ctx, `INSERT INTO addresses (account_id, name, phone, region_code, address, is_default, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, owner, in.Name, in.Phone, in.RegionCode, in.Address, in.IsDefault, now, now); err != nil {
				return err
			}
		} else {
			was, err := tx.address(ctx, owner, id)
			if err != nil {
				return err
			}
			switch {
			case was.IsDefault && !in.IsDefault:
				return errs.Invalidf("is_default", "this is the default address; make another address the default instead")
			case in.IsDefault && !was.IsDefault:
				if err := tx.clearDefaultAddress(ctx, owner, now); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE addresses SET name = ?, phone = ?, region_code = ?, address = ?, is_default = ?, updated_at = ?
				WHERE id = ?`, in.Name, in.Phone, in.RegionCode, in.Address, in.IsDefault, now, id); err != nil {
				return err
			}
		}
		out, err = tx.address(ctx, owner, id)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.SaveAddress", err)
	}
	return out, nil
}

func (tx *Tx) clearDefaultAddress(ctx context.Context, owner, now int64) error {
	_, err := tx.Exec(ctx, `UPDATE addresses SET is_default = FALSE, updated_at = ? WHERE account_id = ? AND is_default = TRUE`, now, owner)
	return err
}

// SetDefaultAddress makes one of the actor's addresses its default.
func (db *DB) SetDefaultAddress(ctx context.Context, actor account.Actor, id int64) (*Address, error) {
	owner, err := addressOwner(actor)
	if err != nil {
		return nil, errs.Wrap("store.SetDefaultAddress", err)
	}
	var out *Address
	err = db.Write(ctx, func(tx *Tx) error {
		if err := tx.lockAddressBook(ctx, owner); err != nil {
			return err
		}
		if out, err = tx.address(ctx, owner, id); err != nil || out.IsDefault {
			return err
		}
		now := ts(tx.Now())
		if err := tx.clearDefaultAddress(ctx, owner, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE addresses SET is_default = TRUE, updated_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		out, err = tx.address(ctx, owner, id)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.SetDefaultAddress", err)
	}
	return out, nil
}

// DeleteAddress deletes one of the actor's addresses. When it was the
// default, the newest address left becomes the default. Orders keep the
// address they were placed with.
func (db *DB) DeleteAddress(ctx context.Context, actor account.Actor, id int64) error {
	owner, err := addressOwner(actor)
	if err != nil {
		return errs.Wrap("store.DeleteAddress", err)
	}
	err = db.Write(ctx, func(tx *Tx) error {
		if err := tx.lockAddressBook(ctx, owner); err != nil {
			return err
		}
		was, err := tx.address(ctx, owner, id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM addresses WHERE id = ?`, id); err != nil {
			return err
		}
		if !was.IsDefault {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE addresses SET is_default = TRUE, updated_at = ?
			WHERE id = (SELECT MAX(id) FROM addresses WHERE account_id = ?)`, ts(tx.Now()), owner)
		return err
	})
	return errs.Wrap("store.DeleteAddress", err)
}
