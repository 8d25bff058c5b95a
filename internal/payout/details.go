// Package payout is where distributors and suppliers are paid: the payout
// details they record (a bank card, an Alipay account or WeChat), checked
// (Validate), shown only masked (Mask), and sealed at rest under the
// operator's keys (Keyring: AES-256-GCM, several keys for rotation). It
// imports no adapter; the store keeps the sealed rows.
package payout

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"sharemall/internal/errs"
)

// Method is how someone is paid.
type Method string

const (
	BankCard Method = "bank_card" // a transfer to a bank card
	Alipay   Method = "alipay"    // a transfer to an Alipay account
	WeChat   Method = "wechat"    // a transfer to a WeChat user's balance
)

// Methods lists every method, in the order forms offer them.
var Methods = []Method{BankCard, Alipay, WeChat}

// Details is where one owner is paid. Which fields count depends on Method;
// Validate clears the others.
type Details struct {
	Method Method `json:"method"`
	// Bank card.
	Bank       string `json:"bank,omitempty"`        // the issuing bank, e.g. 中国工商银行
	Branch     string `json:"branch,omitempty"`      // the account's branch (开户支行), optional
	HolderName string `json:"holder_name,omitempty"` // the card holder's name
	CardNumber string `json:"card_number,omitempty"` // digits only once validated
	// Alipay.
	AlipayAccount string `json:"alipay_account,omitempty"` // a phone number or an email
	// WeChat: the openid under the merchant's app, or the WeChat id.
	OpenID   string `json:"openid,omitempty"`
	WeChatID string `json:"wechat_id,omitempty"`
	// Alipay and WeChat: the real name on the account, which the provider
	// checks against the account before it pays.
	RealName string `json:"real_name,omitempty"`
}

// Field limits, in characters.
const (
	MaxName    = 64
	MaxBank    = 64
	MaxBranch  = 128
	MaxAccount = 100
)

// Validate checks d and returns it cleaned: spaces trimmed, a card number's
// spaces and dashes dropped, the fields of other methods cleared. A wrong
// field is Invalid naming it.
func (d Details) Validate() (Details, error) {
	var out Details
	var err error
	text := func(field, v string, max int, required bool) string {
		if err != nil {
			return ""
		}
		v = strings.TrimSpace(v)
		switch {
		case required && v == "":
			err = errs.Invalidf(field, "is required")
		case !utf8.ValidString(v):
			err = errs.Invalidf(field, "must be valid UTF-8 text")
		case utf8.RuneCountInString(v) > max:
			err = errs.Invalidf(field, "must be at most %d characters", max)
		case strings.IndexFunc(v, unicode.IsControl) >= 0:
			err = errs.Invalidf(field, "must not contain control characters")
		}
		return v
	}
	out.Method = d.Method
	switch d.Method {
	case BankCard:
		out.Bank = text("bank", d.Bank, MaxBank, true)
		out.Branch = text("branch", d.Branch, MaxBranch, false)
		out.HolderName = text("holder_name", d.HolderName, MaxName, true)
		if err == nil {
			out.CardNumber, err = cardNumber(d.CardNumber)
		}
	case Alipay:
		out.AlipayAccount = text("alipay_account", d.AlipayAccount, MaxAccount, true)
		if err == nil && !alipayAccount(out.AlipayAccount) {
			err = errs.Invalidf("alipay_account", "must be the account's mobile number (11 digits) or email address")
		}
		out.RealName = text("real_name", d.RealName, MaxName, true)
	case WeChat:
		out.OpenID = text("openid", d.OpenID, MaxAccount, false)
		out.WeChatID = text("wechat_id", d.WeChatID, MaxAccount, false)
		if err == nil && (out.OpenID == "") == (out.WeChatID == "") {
			err = errs.Invalidf("openid", "give either the openid or the WeChat id (wechat_id), not both")
		}
		if err == nil && out.OpenID != "" && !token(out.OpenID, 6, 64) {
			err = errs.Invalidf("openid", "must be 6 to 64 letters, digits, - or _")
		}
		if err == nil && out.WeChatID != "" && !token(out.WeChatID, 6, 20) {
			err = errs.Invalidf("wechat_id", "must be 6 to 20 letters, digits, - or _")
		}
		out.RealName = text("real_name", d.RealName, MaxName, true)
	case "":
		return Details{}, errs.Invalidf("method", "is required: one of bank_card, alipay, wechat")
	default:
		return Details{}, errs.Invalidf("method", "must be one of bank_card, alipay, wechat")
	}
	if err != nil {
		return Details{}, err
	}
	return out, nil
}

// cardNumber checks a bank card number: 12 to 19 digits (spaces and
// dashes allowed between them) passing the Luhn check that UnionPay cards,
// like every ISO/IEC 7812 card, carry in their last digit.
func cardNumber(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errs.Invalidf("card_number", "is required")
	}
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
		default:
			return "", errs.Invalidf("card_number", "must be digits only")
		}
	}
	n := b.String()
	if len(n) < 12 || len(n) > 19 {
		return "", errs.Invalidf("card_number", "must be 12 to 19 digits, not %d", len(n))
	}
	if !Luhn(n) {
		return "", errs.Invalidf("card_number", "fails the card's check digit (Luhn): a digit is probably mistyped")
	}
	return n, nil
}

// Luhn reports whether the digits s end in a valid Luhn check digit.
func Luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(s) > 0 && sum%10 == 0
}

// alipayAccount: Alipay accounts are logged in by a mobile number or an
// email address.
func alipayAccount(v string) bool {
	if len(v) == 11 && v[0] == '1' && strings.Trim(v, "0123456789") == "" {
		return true
	}
	at := strings.IndexByte(v, '@')
	return at > 0 && at < len(v)-3 && strings.IndexByte(v[at+1:], '.') > 0 && !strings.ContainsAny(v, " \t")
}

func token(v string, min, max int) bool {
	if len(v) < min || len(v) > max {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
