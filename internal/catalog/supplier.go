package catalog

import (
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
)

// SupplierStatus is where a supplier is in its life: it applies, an operator
// approves or rejects it, and may suspend and later reinstate it.
type SupplierStatus string

const (
	Applied   SupplierStatus = "applied"
	Approved  SupplierStatus = "approved"
	Rejected  SupplierStatus = "rejected"
	Suspended SupplierStatus = "suspended"
)

// transitions lists the status changes an operator may make.
var transitions = map[SupplierStatus][]SupplierStatus{
	Applied:   {Approved, Rejected},
	Approved:  {Suspended},
	Suspended: {Approved},
}

// CanChangeStatus reports whether a supplier may go from one status to another.
func CanChangeStatus(from, to SupplierStatus) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ParseSupplierStatus checks a status from input.
func ParseSupplierStatus(field, s string) (SupplierStatus, error) {
	switch st := SupplierStatus(s); st {
	case Applied, Approved, Rejected, Suspended:
		return st, nil
	}
	return "", errs.Invalidf(field, "must be one of applied, approved, rejected, suspended")
}

// Supplier is a business that lists goods and ships them.
type Supplier struct {
	ID             int64
	OwnerAccountID int64
	Name           string
	ContactEmail   string
	ContactPhone   string
	AllowMarkup    bool // distributors may price above retail, up to each SKU's ceiling
	Status         SupplierStatus
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SupplierApplication is what an account gives to become a supplier.
type SupplierApplication struct {
	Name         string
	ContactEmail string
	ContactPhone string
	AllowMarkup  bool
}

// Normalize validates an application and puts its contacts in canonical
// form; a phone without its country code is read in phoneRegion (the program's).
func (a *SupplierApplication) Normalize(phoneRegion string) error {
	var err error
	if a.Name, err = text("name", a.Name, 100, true); err != nil {
		return err
	}
	if a.ContactEmail, err = account.NormalizeEmail("contact_email", a.ContactEmail); err != nil {
		return err
	}
	if a.ContactPhone != "" {
		if a.ContactPhone, err = account.NormalizePhone("contact_phone", a.ContactPhone, phoneRegion); err != nil {
			return err
		}
	}
	return nil
}

// SupplierUpdate changes some of a supplier's own details; nil leaves a field as it is.
type SupplierUpdate struct {
	Name         *string
	ContactEmail *string
	ContactPhone *string // "" clears it
	AllowMarkup  *bool
}

// Apply validates u and applies it to s; phoneRegion is the program's
// default phone region.
func (u SupplierUpdate) Apply(s *Supplier, phoneRegion string) error {
	a := SupplierApplication{Name: s.Name, ContactEmail: s.ContactEmail, ContactPhone: s.ContactPhone, AllowMarkup: s.AllowMarkup}
	if u.Name != nil {
		a.Name = *u.Name
	}
	if u.ContactEmail != nil {
		a.ContactEmail = *u.ContactEmail
	}
	if u.ContactPhone != nil {
		a.ContactPhone = *u.ContactPhone
	}
	if u.AllowMarkup != nil {
		a.AllowMarkup = *u.AllowMarkup
	}
	if err := a.Normalize(phoneRegion); err != nil {
		return err
	}
	s.Name, s.ContactEmail, s.ContactPhone, s.AllowMarkup = a.Name, a.ContactEmail, a.ContactPhone, a.AllowMarkup
	return nil
}

// APIKey lets a supplier's own systems call the API as that supplier. Only a
// hash of the key is kept; Prefix is its first characters, to tell keys apart.
type APIKey struct {
	ID         int64
	SupplierID int64
	Name       string
	Prefix     string
	CreatedBy  int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// CheckAPIKeyName validates a key's name.
func CheckAPIKeyName(name string) (string, error) {
	return text("name", name, 100, true)
}
