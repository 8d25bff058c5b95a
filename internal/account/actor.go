package account

import "sharemall/internal/errs"

// Actor is who makes a request, as resolved from a session cookie, a bearer
// token or a supplier API key. The zero Actor is an anonymous visitor.
type Actor struct {
	AccountID     int64
	Roles         []Role
	SupplierID    int64 // the supplier this account runs, 0 if none
	DistributorID int64 // this account's distributor, 0 if none
	APIKeyID      int64 // non-zero when the request came with a supplier API key
}

// Anonymous reports whether nobody is signed in.
func (a Actor) Anonymous() bool { return a.AccountID == 0 }

// Has reports whether the actor holds role r. A request made with an API key
// acts only as its supplier, whatever else the key's creator may be.
func (a Actor) Has(r Role) bool {
	if a.APIKeyID != 0 {
		return r == Supplier
	}
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// IsOperator is the common check.
func (a Actor) IsOperator() bool { return a.Has(Operator) }

// Require returns Unauthorized for an anonymous actor and Forbidden when the
// actor holds none of roles.
func (a Actor) Require(roles ...Role) error {
	if a.Anonymous() {
		return errs.E(errs.Unauthorized, "", "sign in first")
	}
	for _, r := range roles {
		if a.Has(r) {
			return nil
		}
	}
	names := ""
	for i, r := range roles {
		if i > 0 {
			names += " or "
		}
		names += string(r)
	}
	return errs.E(errs.Forbidden, "", "only a %s may do this", names)
}

// OwnsSupplier reports whether the actor runs supplier id (operators may act
// for any supplier).
func (a Actor) OwnsSupplier(id int64) bool {
	return a.IsOperator() || (a.SupplierID != 0 && a.SupplierID == id && a.Has(Supplier))
}
