package store

import (
	"context"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// ApplySupplier makes the calling account a supplier in status applied and
// grants it the supplier role. An account runs at most one supplier.
func (db *DB) ApplySupplier(ctx context.Context, actor account.Actor, a catalog.SupplierApplication) (*catalog.Supplier, error) {
	if actor.Anonymous() {
		return nil, errs.E(errs.Unauthorized, "", "sign in first")
	}
	if actor.APIKeyID != 0 {
		return nil, errs.E(errs.Forbidden, "", "an API key cannot apply for a supplier")
	}
	var s *catalog.Supplier
	err := db.Write(ctx, func(tx *Tx) error {
		st, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		if err := a.Normalize(st.DefaultPhoneRegion); err != nil {
			return err
		}
		if has, err := tx.Exists(ctx, `SELECT 1 FROM suppliers WHERE owner_account_id = ?`, actor.AccountID); err != nil {
			return err
		} else if has {
			return errs.E(errs.Conflict, "", "this account already runs a supplier")
		}
		if taken, err := tx.Exists(ctx, `SELECT 1 FROM suppliers WHERE name = ?`, a.Name); err != nil {
			return err
		} else if taken {
			return errs.E(errs.Conflict, "name", "is taken by another supplier")
		}
		s = &catalog.Supplier{OwnerAccountID: actor.AccountID, Name: a.Name, ContactEmail: a.ContactEmail,
			ContactPhone: a.ContactPhone, AllowMarkup: a.AllowMarkup, Status: catalog.Applied, CreatedAt: tx.Now(), UpdatedAt: tx.Now()}
		id, err := tx.Insert(ctx, `INSERT INTO suppliers (owner_account_id, name, contact_email, contact_phone, allow_markup, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.OwnerAccountID, s.Name, s.ContactEmail, s.ContactPhone, s.AllowMarkup, string(s.Status), ts(tx.Now()), ts(tx.Now()))
		if err != nil {
			return sqldb.Relabel(err, errs.Conflict, "name", "is taken by another supplier")
		}
		s.ID = id
		return tx.grantRole(ctx, actor.AccountID, account.Supplier)
	})
	if err != nil {
		return nil, errs.Wrap("store.ApplySupplier", err)
	}
	return s, nil
}

// SetSupplierStatus approves, rejects, suspends or reinstates a supplier
// (operator only; audited with the reason).
func (db *DB) SetSupplierStatus(ctx context.Context, actor account.Actor, id int64, status catalog.SupplierStatus, reason string) (*catalog.Supplier, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, err
	}
	if len(reason) > 1000 {
		return nil, errs.Invalidf("reason", "must be at most 1000 characters")
	}
	var s *catalog.Supplier
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if s, err = tx.supplier(ctx, id); err != nil {
			return err
		}
		if !catalog.CanChangeStatus(s.Status, status) {
			return errs.E(errs.Conflict, "status", "a supplier that is %s cannot become %s", s.Status, status)
		}
		old := s.Status
		s.Status, s.UpdatedAt = status, tx.Now()
		if _, err := tx.Exec(ctx, `UPDATE suppliers SET status = ?, updated_at = ? WHERE id = ?`, string(status), ts(tx.Now()), id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "supplier.status", fmt.Sprintf("supplier:%d", id),
			map[string]any{"status": old}, map[string]any{"status": status, "reason": reason})
	})
	if err != nil {
		return nil, errs.Wrap("store.SetSupplierStatus", err)
	}
	return s, nil
}

// Supplier returns a supplier the actor may see: any to its owner and
// operators, approved ones to everybody else.
func (db *DB) Supplier(ctx context.Context, actor account.Actor, id int64) (*catalog.Supplier, error) {
	var s *catalog.Supplier
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		s, err = tx.visibleSupplier(ctx, actor, id)
		return err
	})
	if err != nil {
		return nil, errs.Wrap("store.Supplier", err)
	}
	return s, nil
}

// SupplierFilter selects suppliers in id order.
type SupplierFilter struct {
	Status catalog.SupplierStatus // "" for all; only operators may ask for other than approved
	After  int64
	Limit  int
}

// Suppliers lists suppliers: every one to operators, approved ones to others.
// It returns up to Limit+1 so the caller can tell whether there is a next page.
func (db *DB) Suppliers(ctx context.Context, actor account.Actor, f SupplierFilter) ([]catalog.Supplier, error) {
	if !actor.IsOperator() {
		if f.Status != "" && f.Status != catalog.Approved {
			return nil, errs.E(errs.Forbidden, "status", "only an operator may list suppliers that are not approved")
		}
		f.Status = catalog.Approved
	}
	var out []catalog.Supplier
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT ` + supplierCols + ` FROM suppliers WHERE id > ?`
		args := []any{f.After}
		if f.Status != "" {
			q += ` AND status = ?`
			args = append(args, string(f.Status))
		}
		q += ` ORDER BY id LIMIT ?`
		args = append(args, limitPlusOne(f.Limit))
		return tx.Each(ctx, q, args, func(scan func(...any) error) error {
			s, err := scanSupplier(scan)
			if err == nil {
				out = append(out, *s)
			}
			return err
		})
	})
	return out, errs.Wrap("store.Suppliers", err)
}

// UpdateSupplier changes a supplier's name, contacts or markup rule (its
// owner or an operator; audited).
func (db *DB) UpdateSupplier(ctx context.Context, actor account.Actor, id int64, u catalog.SupplierUpdate) (*catalog.Supplier, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	var s *catalog.Supplier
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if s, err = tx.ownedSupplier(ctx, actor, id); err != nil {
			return err
		}
		st, err := tx.settings(ctx)
		if err != nil {
			return err
		}
		old := *s
		if err := u.Apply(s, st.DefaultPhoneRegion); err != nil {
			return err
		}
		if s.Name != old.Name {
			if taken, err := tx.Exists(ctx, `SELECT 1 FROM suppliers WHERE name = ? AND id <> ?`, s.Name, id); err != nil {
				return err
			} else if taken {
				return errs.E(errs.Conflict, "name", "is taken by another supplier")
			}
		}
		s.UpdatedAt = tx.Now()
		if _, err := tx.Exec(ctx, `UPDATE suppliers SET name = ?, contact_email = ?, contact_phone = ?, allow_markup = ?, updated_at = ? WHERE id = ?`,
			s.Name, s.ContactEmail, s.ContactPhone, s.AllowMarkup, ts(tx.Now()), id); err != nil {
			return sqldb.Relabel(err, errs.Conflict, "name", "is taken by another supplier")
		}
		return tx.audit(ctx, actor.AccountID, "supplier.update", fmt.Sprintf("supplier:%d", id), supplierAudit(&old), supplierAudit(s))
	})
	if err != nil {
		return nil, errs.Wrap("store.UpdateSupplier", err)
	}
	return s, nil
}

func supplierAudit(s *catalog.Supplier) map[string]any {
	return map[string]any{"name": s.Name, "contact_email": s.ContactEmail, "contact_phone": s.ContactPhone, "allow_markup": s.AllowMarkup}
}

const supplierCols = `id, owner_account_id, name, contact_email, contact_phone, allow_markup, status, created_at, updated_at`

func scanSupplier(scan func(...any) error) (*catalog.Supplier, error) {
	s := &catalog.Supplier{}
	var status string
	var created, updated int64
	if err := scan(&s.ID, &s.OwnerAccountID, &s.Name, &s.ContactEmail, &s.ContactPhone, &s.AllowMarkup, &status, &created, &updated); err != nil {
		return nil, sqldb.MapErr(err)
	}
	s.Status, s.CreatedAt, s.UpdatedAt = catalog.SupplierStatus(status), fromTS(created), fromTS(updated)
	return s, nil
}

// supplier loads a supplier whoever asks; callers check visibility.
func (tx *Tx) supplier(ctx context.Context, id int64) (*catalog.Supplier, error) {
	var s *catalog.Supplier
	err := tx.One(ctx, "supplier", `SELECT `+supplierCols+` FROM suppliers WHERE id = ?`, []any{id}, func(scan func(...any) error) error {
		var err error
		s, err = scanSupplier(scan)
		return err
	})
	return s, err
}

// visibleSupplier loads a supplier if the actor may see it; a supplier that
// is not approved is NotFound to everyone but its owner and operators.
func (tx *Tx) visibleSupplier(ctx context.Context, actor account.Actor, id int64) (*catalog.Supplier, error) {
	s, err := tx.supplier(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Status != catalog.Approved && !actor.OwnsSupplier(id) {
		return nil, errs.E(errs.NotFound, "", "supplier not found")
	}
	return s, nil
}

// ownedSupplier loads a supplier the actor runs (or any, for an operator).
// Someone else's supplier is Forbidden when public, NotFound otherwise.
func (tx *Tx) ownedSupplier(ctx context.Context, actor account.Actor, id int64) (*catalog.Supplier, error) {
	s, err := tx.visibleSupplier(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !actor.OwnsSupplier(id) {
		return nil, errs.E(errs.Forbidden, "", "only the supplier itself or an operator may do this")
	}
	return s, nil
}

// catalogSupplier loads a supplier whose catalog the actor may change: its
// owner while it is approved, or an operator at any time.
func (tx *Tx) catalogSupplier(ctx context.Context, actor account.Actor, id int64) (*catalog.Supplier, error) {
	s, err := tx.ownedSupplier(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if s.Status != catalog.Approved && !actor.IsOperator() {
		return nil, errs.E(errs.Conflict, "", "the supplier is %s; its catalog can change only while it is approved", s.Status)
	}
	return s, nil
}
