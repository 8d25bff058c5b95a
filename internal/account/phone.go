package account

import (
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"sharemall/internal/errs"
)

// DefaultPhoneRegion is where a number written without its country code is
// read, unless the program says otherwise: Sharemall's first market.
const DefaultPhoneRegion = "CN"

// NormalizePhone reads a phone number as people type it, international
// ("+86 138-0013-8000", "0086 138 0013 8000") or national in region
// ("138 0013 8000" in CN), and returns it in E.164 ("+8613800138000"), the
// one form stored and compared. A number the region's numbering plan does not
// allow is refused naming field. Only digits, spaces and + - ( ) . are taken:
// letters (vanity numbers, "ext. 12") are more often typing mistakes.
func NormalizePhone(field, s, region string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > 32 || strings.ContainsFunc(s, func(r rune) bool {
		return (r < '0' || r > '9') && !strings.ContainsRune(" +-().", r)
	}) {
		return "", phoneError(field, region)
	}
	n, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", phoneError(field, region)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

func phoneError(field, region string) error {
	return errs.Invalidf(field, "is not a valid phone number: give it with its country code (+86 138 0013 8000) or as dialled in %s", region)
}

// CheckPhoneRegion checks a default phone region: a region code the
// numbering plans know, in ISO 3166-1 alpha-2 capitals ("CN", "HK", "US").
func CheckPhoneRegion(field, region string) error {
	if !phonenumbers.GetSupportedRegions()[region] {
		return errs.Invalidf(field, "must be a region code such as CN, HK or US (ISO 3166-1 alpha-2, in capitals), not %q", region)
	}
	return nil
}

// DisplayPhone writes a stored E.164 number as people read it: as dialled at
// home when it is of region ("138 0013 8000"), else with its country code
// ("+852 5123 4567"). Anything that does not parse is shown as stored.
func DisplayPhone(e164, region string) string {
	n, err := phonenumbers.Parse(e164, region)
	if err != nil {
		return e164
	}
	if phonenumbers.GetRegionCodeForNumber(n) == region {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
