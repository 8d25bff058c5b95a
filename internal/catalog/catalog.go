// Package catalog holds what suppliers sell and where they ship from:
// suppliers, their API keys, categories, products with SKUs, warehouses with
// the regions they serve, and stock. It is pure: types and validation, no
// storage. Errors name the JSON field they are about.
package catalog

import (
	"strings"
	"unicode/utf8"

	"sharemall/internal/errs"
)

// text trims s and checks its length in characters; required refuses "".
func text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", errs.Invalidf(field, "is required")
	}
	if utf8.RuneCountInString(s) > max {
		return "", errs.Invalidf(field, "must be at most %d characters", max)
	}
	return s, nil
}
