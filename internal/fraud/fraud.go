// Package fraud holds the rules of the fraud signals (docs/fraud.md): the
// kinds, what a signal's evidence says, how contact points are compared,
// and the threshold tests, as pure functions. The store's fraud sweep reads
// the durable records and records what these rules find; the operator
// reviews each signal in the console.
package fraud

import (
	"strings"
	"unicode"

	"sharemall/internal/money"
	"sharemall/internal/program"
)

// Kind is what a signal is about.
type Kind string

const (
	SelfPurchase Kind = "self_purchase" // a distributor's own, or a linked, account bought through its links
	Cluster      Kind = "cluster"       // several distributors share a payout account, a device or an address
	RefundRate   Kind = "refund_rate"   // much of a distributor's settled sales was refunded
	ClickSpam    Kind = "click_spam"    // many visits from one address in a day, none buying
	EmptyTeam    Kind = "empty_team"    // a team growing by sign-ups that never buy
)

// Kinds lists every kind, in the order the console shows them.
var Kinds = []Kind{SelfPurchase, Cluster, RefundRate, ClickSpam, EmptyTeam}

// Valid reports whether k is a kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Holds reports whether an open signal of kind k holds settlement under f.
func Holds(f program.Fraud, k Kind) bool {
	switch k {
	case SelfPurchase:
		return f.HoldSelfPurchase
	case Cluster:
		return f.HoldCluster
	case RefundRate:
		return f.HoldRefundRate
	case ClickSpam:
		return f.HoldClickSpam
	case EmptyTeam:
		return f.HoldEmptyTeam
	}
	return false
}

// Status is where a signal stands in review.
type Status string

const (
	Open      Status = "open"
	Dismissed Status = "dismissed" // the operator found it innocent
	Confirmed Status = "confirmed" // the operator found it fraud
)

// Evidence is what a signal shows the operator: the orders, accounts and
// distributors involved, what matched, and the counts it was decided on.
type Evidence struct {
	Match        []string `json:"match,omitempty"`        // self-purchase: account, phone, payout, address; cluster: payout, device, address
	Orders       []int64  `json:"orders,omitempty"`       // orders involved
	Accounts     []int64  `json:"accounts,omitempty"`     // buyer or member accounts involved
	Distributors []int64  `json:"distributors,omitempty"` // the others in a cluster, new members of a team
	Count        int64    `json:"count,omitempty"`        // visits, members, settled orders
	Settled      int64    `json:"settled,omitempty"`      // refund rate: settled sales (minor units)
	Refunded     int64    `json:"refunded,omitempty"`     // refund rate: refunded of them (minor units)
	RateBP       int64    `json:"rate_bp,omitempty"`      // refund rate: refunded / settled, in bp (rounded down)
	Day          string   `json:"day,omitempty"`          // click spam: the day (program time zone)
	Since        string   `json:"since,omitempty"`        // the window's start (refund rate, team growth)
}

// PhoneKey is a phone number as compared: its digits, without a leading
// country code 86 or a trunk 0, so "+86 138-0013-8000" and "13800138000"
// match. "" when fewer than 6 digits remain.
func PhoneKey(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(strings.TrimSpace(phone), "+86") || (len(d) == 13 && strings.HasPrefix(d, "86")) {
		d = strings.TrimPrefix(d, "86")
	}
	d = strings.TrimLeft(d, "0")
	if len(d) < 6 {
		return ""
	}
	return d
}

// AddressKey is a shipping address as compared: the region code and the
// street address with case, spaces and punctuation dropped, so the same
// place typed twice matches. "" when the street address is empty.
func AddressKey(region, address string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(address) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return region + "|" + b.String()
}

// RefundRateExceeds reports whether refunded of settled is above rate (in
// bp), exactly: refunded × 10000 > settled × rate, no division.
func RefundRateExceeds(settled, refunded money.Amount, rate money.Rate) bool {
	return settled > 0 && int64(refunded)*10000 > int64(settled)*int64(rate)
}

// RateBP is refunded / settled in bp, rounded down (for the evidence).
func RateBP(settled, refunded money.Amount) int64 {
	if settled <= 0 {
		return 0
	}
	return int64(refunded) * 10000 / int64(settled)
}
