// Package account holds people who sign in, the roles they hold and the
// Actor: who is making a request, as every service sees it.
package account

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"sharemall/internal/errs"
)

// Role is what an account may act as. One account may hold several.
type Role string

const (
	Operator    Role = "operator"
	Supplier    Role = "supplier"
	Distributor Role = "distributor"
	Customer    Role = "customer"
)

// Roles lists every role in a stable order.
var Roles = []Role{Operator, Supplier, Distributor, Customer}

// ParseRole checks a role name from input.
func ParseRole(field, s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", errs.Invalidf(field, "must be one of operator, supplier, distributor, customer")
}

// Account is a person who can sign in.
type Account struct {
	ID        int64
	Email     string // lower case; "" when the account signs in by phone only
	Phone     string // E.164 ("+8613800138000"); "" when by email only
	Name      string
	Roles     []Role
	Disabled  bool
	CreatedAt time.Time
}

// Has reports whether the account holds role r.
func (a *Account) Has(r Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// SignUp is what a new account gives.
type SignUp struct {
	Email    string
	Phone    string
	Name     string
	Password string
}

// Normalize validates a sign-up and puts email and phone in canonical form;
// a phone without its country code is read in region (the program's).
func (s *SignUp) Normalize(region string) error {
	if s.Email == "" && s.Phone == "" {
		return errs.Invalidf("email", "give an email or a phone number")
	}
	if s.Email != "" {
		e, err := NormalizeEmail("email", s.Email)
		if err != nil {
			return err
		}
		s.Email = e
	}
	if s.Phone != "" {
		p, err := NormalizePhone("phone", s.Phone, region)
		if err != nil {
			return err
		}
		s.Phone = p
	}
	s.Name = strings.TrimSpace(s.Name)
	if utf8.RuneCountInString(s.Name) > 100 {
		return errs.Invalidf("name", "must be at most 100 characters")
	}
	return CheckPassword("password", s.Password)
}

// NormalizeEmail returns the address in lower case, or an error naming field.
func NormalizeEmail(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 254 {
		return "", errs.Invalidf(field, "must be at most 254 characters")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return "", errs.Invalidf(field, "is not an email address like name@example.com")
	}
	return s, nil
}

// CheckPassword enforces the password rules: 10 to 200 characters, not all
// of one kind. Length matters more than composition (NIST SP 800-63B).
func CheckPassword(field, p string) error {
	n := utf8.RuneCountInString(p)
	if n < 10 {
		return errs.Invalidf(field, "must be at least 10 characters")
	}
	if n > 200 {
		return errs.Invalidf(field, "must be at most 200 characters")
	}
	var letter, other bool
	for _, r := range p {
		if unicode.IsLetter(r) {
			letter = true
		} else {
			other = true
		}
	}
	if !letter || !other {
		return errs.Invalidf(field, "must mix letters with digits or symbols")
	}
	return nil
}

// Identifier turns a login name (email or phone) into the form stored; a
// phone without its country code is read in region (the program's).
func Identifier(field, s, region string) (email, phone string, err error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "@") {
		email, err = NormalizeEmail(field, s)
		return email, "", err
	}
	phone, err = NormalizePhone(field, s, region)
	if err != nil {
		return "", "", errs.Invalidf(field, "is neither an email address nor a valid phone number (with its country code, or as dialled in %s)", region)
	}
	return "", phone, nil
}
