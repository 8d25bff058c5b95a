package store_test

import (
	"context"
	"fmt"
	"testing"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// catFixture is a catalog world: an operator, a customer and two approved
// suppliers A and B, each with its owner's actor.
type catFixture struct {
	t        *testing.T
	db       *store.DB
	ctx      context.Context
	n        int
	op, cust account.Actor
	a, b     account.Actor // the owners of supplier A and B
	supA     *catalog.Supplier
	supB     *catalog.Supplier
}

func newCatFixture(t *testing.T, db *store.DB) *catFixture {
	t.Helper()
	db.Now = testutil.NewClock().Now
	f := &catFixture{t: t, db: db, ctx: context.Background()}
	f.op = f.account(account.Operator)
	f.cust = f.account(account.Customer)
	f.a, f.supA = f.supplier("Supplier A")
	f.b, f.supB = f.supplier("Supplier B")
	return f
}

// account makes an account with roles and returns its actor.
func (f *catFixture) account(roles ...account.Role) account.Actor {
	f.t.Helper()
	f.n++
	return newActor(f.t, f.db, fmt.Sprintf("u%d@example.com", f.n), "", roles...)
}

func (f *catFixture) actor(accountID int64) account.Actor { return actorFor(f.t, f.db, accountID) }

// supplier makes an approved supplier and returns its owner's fresh actor.
func (f *catFixture) supplier(name string) (account.Actor, *catalog.Supplier) {
	f.t.Helper()
	owner := f.account(account.Customer)
	s, err := f.db.ApplySupplier(f.ctx, owner, catalog.SupplierApplication{Name: name, ContactEmail: "sales@example.com", AllowMarkup: true})
	if err != nil {
		f.t.Fatal(err)
	}
	if s, err = f.db.SetSupplierStatus(f.ctx, f.op, s.ID, catalog.Approved, ""); err != nil {
		f.t.Fatal(err)
	}
	return f.actor(owner.AccountID), s
}

func catErr(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if errs.CodeOf(err) != code || errs.FieldOf(err) != field {
		t.Fatalf("got %v, want %s on %q", err, code, field)
	}
}

func TestApplySupplier(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		c := f.account(account.Customer)
		app := catalog.SupplierApplication{Name: "Tea House", ContactEmail: "Tea@Example.com", ContactPhone: "+86 138 0013 8000"}

		_, err := db.ApplySupplier(f.ctx, account.Actor{}, app)
		catErr(t, err, errs.Unauthorized, "")
		_, err = db.ApplySupplier(f.ctx, c, catalog.SupplierApplication{Name: "Tea House", ContactEmail: "nope"})
		catErr(t, err, errs.Invalid, "contact_email")
		_, err = db.ApplySupplier(f.ctx, c, catalog.SupplierApplication{Name: "Supplier A", ContactEmail: "a@b.cn"})
		catErr(t, err, errs.Conflict, "name")
		if got := f.actor(c.AccountID); got.Has(account.Supplier) || got.SupplierID != 0 {
			t.Fatalf("refused applications changed the account: %+v", got)
		}

		s, err := db.ApplySupplier(f.ctx, c, app)
		if err != nil {
			t.Fatal(err)
		}
		if s.Status != catalog.Applied || s.ContactEmail != "tea@example.com" || s.ContactPhone != "+8613800138000" || s.AllowMarkup {
			t.Fatalf("supplier = %+v", s)
		}
		c = f.actor(c.AccountID)
		if !c.Has(account.Supplier) || c.SupplierID != s.ID {
			t.Fatalf("actor after applying = %+v", c)
		}
		_, err = db.ApplySupplier(f.ctx, c, catalog.SupplierApplication{Name: "Another", ContactEmail: "a@b.cn"})
		catErr(t, err, errs.Conflict, "")

		// Not approved yet: private to its owner and operators.
		if _, err := db.Supplier(f.ctx, f.cust, s.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("customer sees an applied supplier: %v", err)
		}
		if _, err := db.Supplier(f.ctx, f.a, s.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("another supplier sees an applied supplier: %v", err)
		}
		for _, who := range []account.Actor{c, f.op} {
			if got, err := db.Supplier(f.ctx, who, s.ID); err != nil || got.Name != "Tea House" {
				t.Fatalf("%+v: %v", got, err)
			}
		}
		if _, err := db.Supplier(f.ctx, f.op, 9999); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("missing supplier: %v", err)
		}
	})
}

func TestSupplierStatus(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		_, err := db.SetSupplierStatus(f.ctx, f.a, f.supA.ID, catalog.Suspended, "")
		catErr(t, err, errs.Forbidden, "")
		_, err = db.SetSupplierStatus(f.ctx, account.Actor{}, f.supA.ID, catalog.Suspended, "")
		catErr(t, err, errs.Unauthorized, "")
		_, err = db.SetSupplierStatus(f.ctx, f.op, f.supA.ID, catalog.Rejected, "")
		catErr(t, err, errs.Conflict, "status")
		_, err = db.SetSupplierStatus(f.ctx, f.op, 9999, catalog.Approved, "")
		catErr(t, err, errs.NotFound, "")
		if got, _ := db.Supplier(f.ctx, f.op, f.supA.ID); got.Status != catalog.Approved {
			t.Fatalf("refused changes moved the status to %s", got.Status)
		}

		s, err := db.SetSupplierStatus(f.ctx, f.op, f.supA.ID, catalog.Suspended, "fake goods")
		if err != nil || s.Status != catalog.Suspended {
			t.Fatalf("%+v, %v", s, err)
		}
		log, err := db.AuditLog(f.ctx, store.AuditFilter{Action: "supplier.status"})
		if err != nil || len(log) != 3 || log[0].ActorAccountID != f.op.AccountID || log[0].Subject != fmt.Sprintf("supplier:%d", f.supA.ID) {
			t.Fatalf("audit = %+v, %v", log, err)
		}
		// Suspended: hidden from the public, listed for operators.
		if _, err := db.Supplier(f.ctx, f.cust, f.supA.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("public sees a suspended supplier: %v", err)
		}
		pub, err := db.Suppliers(f.ctx, f.cust, store.SupplierFilter{})
		if err != nil || len(pub) != 1 || pub[0].ID != f.supB.ID {
			t.Fatalf("public list = %+v, %v", pub, err)
		}
		susp, err := db.Suppliers(f.ctx, f.op, store.SupplierFilter{Status: catalog.Suspended})
		if err != nil || len(susp) != 1 || susp[0].ID != f.supA.ID {
			t.Fatalf("operator list = %+v, %v", susp, err)
		}
		_, err = db.Suppliers(f.ctx, f.cust, store.SupplierFilter{Status: catalog.Suspended})
		catErr(t, err, errs.Forbidden, "status")
		if _, err := db.SetSupplierStatus(f.ctx, f.op, f.supA.ID, catalog.Approved, "cleared"); err != nil {
			t.Fatal(err)
		}
		page, err := db.Suppliers(f.ctx, f.op, store.SupplierFilter{Limit: 1})
		if err != nil || len(page) != 2 || page[0].ID != f.supA.ID {
			t.Fatalf("limit+1 page = %+v, %v", page, err)
		}
		page, err = db.Suppliers(f.ctx, f.op, store.SupplierFilter{After: f.supA.ID, Limit: 1})
		if err != nil || len(page) != 1 || page[0].ID != f.supB.ID {
			t.Fatalf("second page = %+v, %v", page, err)
		}
	})
}

func TestUpdateSupplier(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newCatFixture(t, db)
		name, email, off := "Supplier A2", "new@example.com", false
		s, err := db.UpdateSupplier(f.ctx, f.a, f.supA.ID, catalog.SupplierUpdate{Name: &name, ContactEmail: &email, AllowMarkup: &off})
		if err != nil || s.Name != name || s.ContactEmail != email || s.AllowMarkup {
			t.Fatalf("%+v, %v", s, err)
		}
		taken, bad := "Supplier B", "x"
		for _, tc := range []struct {
			who   account.Actor
			id    int64
			u     catalog.SupplierUpdate
			code  errs.Code
			field string
		}{
			{f.a, f.supA.ID, catalog.SupplierUpdate{Name: &taken}, errs.Conflict, "name"},
			{f.a, f.supA.ID, catalog.SupplierUpdate{ContactEmail: &bad}, errs.Invalid, "contact_email"},
			{f.a, f.supA.ID, catalog.SupplierUpdate{ContactPhone: &bad}, errs.Invalid, "contact_phone"},
			{f.b, f.supA.ID, catalog.SupplierUpdate{Name: &bad}, errs.Forbidden, ""},
			{f.cust, f.supA.ID, catalog.SupplierUpdate{Name: &bad}, errs.Forbidden, ""},
			{account.Actor{}, f.supA.ID, catalog.SupplierUpdate{Name: &bad}, errs.Unauthorized, ""},
			{f.op, 9999, catalog.SupplierUpdate{Name: &bad}, errs.NotFound, ""},
		} {
			_, err := db.UpdateSupplier(f.ctx, tc.who, tc.id, tc.u)
			catErr(t, err, tc.code, tc.field)
		}
		got, _ := db.Supplier(f.ctx, f.op, f.supA.ID)
		if got.Name != name || got.ContactEmail != email || got.ContactPhone != "" {
			t.Fatalf("refused updates changed the supplier: %+v", got)
		}
		// An operator may update too; both are audited.
		if _, err := db.UpdateSupplier(f.ctx, f.op, f.supA.ID, catalog.SupplierUpdate{AllowMarkup: new(true)}); err != nil {
			t.Fatal(err)
		}
		log, _ := db.AuditLog(f.ctx, store.AuditFilter{Action: "supplier.update"})
		if len(log) != 2 || log[0].ActorAccountID+log[1].ActorAccountID != f.op.AccountID+f.a.AccountID {
			t.Fatalf("audit = %+v", log)
		}
	})
}
