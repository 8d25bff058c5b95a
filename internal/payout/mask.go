package payout

import (
	"strings"
	"unicode/utf8"
)

// Masked is what anyone but the payout export sees of Details: the card's
// last four digits, an account's first and last character, a name's first
// character followed by one * per hidden character.
type Masked struct {
	Method     Method `json:"method"`
	Bank       string `json:"bank,omitempty"`
	Branch     string `json:"branch,omitempty"`
	HolderName string `json:"holder_name,omitempty"`
	CardLast4  string `json:"card_last4,omitempty"`
	Account    string `json:"account,omitempty"` // the Alipay account, openid or WeChat id, masked
	RealName   string `json:"real_name,omitempty"`
}

// Mask hides d. The bank and branch are not personal and stay whole.
func (d Details) Mask() Masked {
	m := Masked{Method: d.Method, Bank: d.Bank, Branch: d.Branch, HolderName: MaskName(d.HolderName), RealName: MaskName(d.RealName)}
	if n := len(d.CardNumber); n >= 4 {
		m.CardLast4 = d.CardNumber[n-4:]
	}
	for _, a := range []string{d.AlipayAccount, d.OpenID, d.WeChatID} {
		if a != "" {
			m.Account = MaskAccount(a)
		}
	}
	return m
}

// String is one line for lists: "bank_card 中国工商银行 ****1234 张*".
func (m Masked) String() string {
	parts := []string{string(m.Method)}
	switch m.Method {
	case BankCard:
		parts = append(parts, m.Bank, "****"+m.CardLast4, m.HolderName)
	default:
		parts = append(parts, m.Account, m.RealName)
	}
	return strings.Join(parts, " ")
}

// MaskName keeps a name's first character: 张三丰 → 张**.
func MaskName(s string) string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(s)
	return string(r) + strings.Repeat("*", max(n-1, 1))
}

// MaskAccount keeps an account's first and last character:
// 13800138000 → 1*********0. One or two characters show as *.
func MaskAccount(s string) string {
	rs := []rune(s)
	if len(rs) <= 2 {
		return strings.Repeat("*", max(len(rs), 1))
	}
	return string(rs[0]) + strings.Repeat("*", len(rs)-2) + string(rs[len(rs)-1])
}
