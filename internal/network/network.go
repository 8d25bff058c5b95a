// Package network holds the distributor referral tree and grades: domain
// types and pure rules. It speaks no SQL; internal/store keeps the tree.
package network

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"

	"sharemall/internal/errs"
)

// MaxTiers is the compliance cap: commission never reaches past the third tier,
// so the tree keeps at most three ancestors on each row.
const MaxTiers = 3

// Status is where a distributor stands.
type Status string

const (
	Pending   Status = "pending" // waiting for review (only when the program reviews joins)
	Active    Status = "active"
	Rejected  Status = "rejected"
	Suspended Status = "suspended"
)

// ParseStatus checks a status from input.
func ParseStatus(field, s string) (Status, error) {
	switch st := Status(s); st {
	case Pending, Active, Rejected, Suspended:
		return st, nil
	}
	return "", errs.Invalidf(field, "must be one of pending, active, rejected, suspended")
}

// Distributor is one node of the referral tree. SponsorID, Ancestor2ID and
// Ancestor3ID are the upline to the tier cap (0 where there is none);
// TeamSize and DepthCounts count ACTIVE members below.
type Distributor struct {
	ID           int64
	AccountID    int64
	ReferralCode string
	DisplayName  string
	Status       Status
	SponsorID    int64
	Ancestor2ID  int64
	Ancestor3ID  int64
	Depth        int64 // generation: 0 without sponsor
	GradeID      int64 // 0: no grade
	TeamSize     int64
	DepthCounts  [3]int64 // active members 1, 2 and 3 levels below
	JoinedAt     time.Time
	ReviewedAt   *time.Time

	// Card is set when the caller may see only the public card (id, display
	// name, status, grade, depth, joined); the other fields are then zero.
	Card bool
}

// PublicCard returns d with everything but the public card cleared.
func (d Distributor) PublicCard() Distributor {
	return Distributor{ID: d.ID, DisplayName: d.DisplayName, Status: d.Status, GradeID: d.GradeID,
		Depth: d.Depth, JoinedAt: d.JoinedAt, Card: true}
}

// Join is a request to join the network.
type Join struct {
	InviteCode  string // the sponsor's referral code; "" joins without sponsor
	DisplayName string
}

// MaxDisplayName is the longest display name, in characters.
const MaxDisplayName = 40

// Normalize trims the input and checks it.
func (j *Join) Normalize() error {
	j.DisplayName = strings.TrimSpace(j.DisplayName)
	if n := utf8.RuneCountInString(j.DisplayName); n > MaxDisplayName || !utf8.ValidString(j.DisplayName) {
		return errs.Invalidf("display_name", "must be at most %d characters", MaxDisplayName)
	}
	if strings.TrimSpace(j.InviteCode) == "" {
		j.InviteCode = ""
		return nil
	}
	j.InviteCode = NormalizeCode(j.InviteCode)
	if err := ValidateCode(j.InviteCode); err != nil {
		return errs.Invalidf("invite_code", "%s", errs.MessageOf(err))
	}
	return nil
}

// Team is the size of a distributor's team: by depth to the tier cap, and
// everyone deeper as one number.
type Team struct {
	TeamSize int64
	ByDepth  [3]int64
	Deeper   int64
}

// TeamOf reads the counters on d's row.
func TeamOf(d Distributor) Team {
	return Team{TeamSize: d.TeamSize, ByDepth: d.DepthCounts,
		Deeper: d.TeamSize - d.DepthCounts[0] - d.DepthCounts[1] - d.DepthCounts[2]}
}

// Upline returns who earns on a sale by d for a program of tiers tiers:
// the seller first (tier 1), then its sponsor, then the next one up.
// tiers is clamped to 1..MaxTiers; missing ancestors end the list.
func Upline(d Distributor, tiers int) []int64 {
	tiers = min(max(tiers, 1), MaxTiers)
	out := []int64{d.ID}
	for _, id := range []int64{d.SponsorID, d.Ancestor2ID}[:tiers-1] {
		if id == 0 {
			break
		}
		out = append(out, id)
	}
	return out
}

// Placement is where a distributor sits: its ancestor columns and depth.
type Placement struct {
	SponsorID, Ancestor2ID, Ancestor3ID int64
	Depth                               int64
}

// PlaceUnder returns the placement of a child of sponsor; a nil sponsor
// makes a root.
func PlaceUnder(sponsor *Distributor) Placement {
	if sponsor == nil {
		return Placement{}
	}
	return Placement{SponsorID: sponsor.ID, Ancestor2ID: sponsor.SponsorID, Ancestor3ID: sponsor.Ancestor2ID, Depth: sponsor.Depth + 1}
}

// Referral codes: 8 characters from an alphabet without look-alikes (no 0, O, 1, I, L).
const (
	CodeLength   = 8
	CodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
)

// NewCode returns a random referral code. Callers retry on the rare collision.
func NewCode() string {
	b := make([]byte, CodeLength)
	// Rejection sampling keeps every character equally likely.
	limit := byte(256 - 256%len(CodeAlphabet))
	for i := 0; i < CodeLength; {
		var one [1]byte
		rand.Read(one[:]) // never fails (crypto/rand panics rather than return an error)
		if one[0] >= limit {
			continue
		}
		b[i] = CodeAlphabet[int(one[0])%len(CodeAlphabet)]
		i++
	}
	return string(b)
}

// NormalizeCode trims and upper-cases a code typed by a person.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ValidateCode checks a normalized code's shape.
func ValidateCode(s string) error {
	if len(s) != CodeLength {
		return errs.Invalidf("referral_code", "must be %d characters", CodeLength)
	}
	for i := 0; i < len(s); i++ {
		if !strings.Contains(CodeAlphabet, s[i:i+1]) {
			return errs.Invalidf("referral_code", "may use only the letters and digits %s", CodeAlphabet)
		}
	}
	return nil
}
