package account

import (
	"strings"
	"unicode/utf8"
)

// MaskedName is how a person is shown to a distributor who may know of it
// but not who it is (a bound customer, a buyer in its shop): the first
// character of its name and two stars ("张**", "L**"); without a name, the
// last four digits of its phone ("***8000"), else the first letter and the
// domain of its email ("a***@example.com"). Never the whole of anything.
func MaskedName(name, phone, email string) string {
	if name = strings.TrimSpace(name); name != "" {
		r, _ := utf8.DecodeRuneInString(name)
		return string(r) + "**"
	}
	if len(phone) >= 4 {
		return "***" + phone[len(phone)-4:]
	}
	if at := strings.LastIndexByte(email, '@'); at > 0 {
		r, _ := utf8.DecodeRuneInString(email)
		return string(r) + "***" + email[at:]
	}
	return "***"
}
