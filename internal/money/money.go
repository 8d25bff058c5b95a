// Package money holds amounts as integer minor units and rates as basis
// points. Nothing here uses floating point.
package money

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"sharemall/internal/errs"
)

// Amount is a count of minor units (cents) of the program's currency.
type Amount int64

// Rate is a ratio in basis points: 1 bp = 0.01%, 10000 bp = 100%.
type Rate int64

// MaxRate is 100%.
const MaxRate Rate = 10000

// Currency is an ISO 4217 code with the number of digits after the point.
type Currency struct {
	Code     string
	Exponent int
}

// currencies are the codes a program may use. The list is short on purpose:
// adding one is a one-line change once someone needs it.
var currencies = map[string]Currency{
	"CNY": {"CNY", 2}, "USD": {"USD", 2}, "EUR": {"EUR", 2}, "GBP": {"GBP", 2},
	"HKD": {"HKD", 2}, "SGD": {"SGD", 2}, "JPY": {"JPY", 0}, "KRW": {"KRW", 0},
}

// LookupCurrency returns the currency for an ISO code.
func LookupCurrency(code string) (Currency, bool) {
	c, ok := currencies[code]
	return c, ok
}

// CurrencyOf returns the currency for an ISO code, or two decimal digits
// for a code this build does not know (stored data is never refused for it).
func CurrencyOf(code string) Currency {
	if c, ok := currencies[code]; ok {
		return c
	}
	return Currency{Code: code, Exponent: 2}
}

// Format writes a as a decimal string in major units: 1999 → "19.99".
func (c Currency) Format(a Amount) string {
	if c.Exponent == 0 {
		return strconv.FormatInt(int64(a), 10)
	}
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-a) // math.MinInt64 wraps to itself as uint64, which is right
	}
	s := strconv.FormatUint(u, 10)
	if len(s) <= c.Exponent {
		s = strings.Repeat("0", c.Exponent-len(s)+1) + s
	}
	s = s[:len(s)-c.Exponent] + "." + s[len(s)-c.Exponent:]
	if neg {
		s = "-" + s
	}
	return s
}

// Parse reads a decimal string in major units ("19.99", "20", "0.5") exactly.
// More fractional digits than the currency has is an error, never a rounding.
func (c Currency) Parse(s string) (Amount, error) {
	if s == "" {
		return 0, fmt.Errorf("empty amount")
	}
	neg := false
	body := s
	if body[0] == '-' {
		neg, body = true, body[1:]
	}
	whole, frac, hasPoint := strings.Cut(body, ".")
	if whole == "" || (hasPoint && frac == "") || !digits(whole) || !digits(frac) {
		return 0, fmt.Errorf("%q is not a decimal amount like 19.99", s)
	}
	if len(frac) > c.Exponent {
		return 0, fmt.Errorf("%q has more than %d digits after the point", s, c.Exponent)
	}
	frac += strings.Repeat("0", c.Exponent-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	if neg {
		v = -v
	}
	return Amount(v), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseField parses a non-negative amount from user input, naming field in the error.
func (c Currency) ParseField(field, s string) (Amount, error) {
	a, err := c.Parse(s)
	if err != nil {
		return 0, errs.Invalidf(field, "%v", err)
	}
	if a < 0 {
		return 0, errs.Invalidf(field, "must not be negative")
	}
	return a, nil
}

// MulFloor returns floor(a × r) in minor units, or an error on overflow.
func (r Rate) MulFloor(a Amount) (Amount, error) {
	if a < 0 || r < 0 {
		return 0, fmt.Errorf("money: negative operand %d × %d bp", a, r)
	}
	if r != 0 && int64(a) > math.MaxInt64/int64(r) {
		return 0, fmt.Errorf("money: overflow %d × %d bp", a, r)
	}
	return Amount(int64(a) * int64(r) / int64(MaxRate)), nil
}

// Valid reports whether r is between 0% and 100%.
func (r Rate) Valid() bool { return r >= 0 && r <= MaxRate }

// String formats a rate as a percentage: 1050 → "10.5%".
func (r Rate) String() string {
	s := Currency{Exponent: 2}.Format(Amount(r))
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
