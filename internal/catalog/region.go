package catalog

import (
	"strings"

	"sharemall/internal/errs"
)

// Region is a country, province, city or district. Codes are dot paths, one
// segment per level: "CN", "CN.44", "CN.44.03", "CN.44.03.05" (below the
// country, the digit pairs of the GB/T 2260 code 440305).
type Region struct {
	Code       string
	ParentCode string // "" for a country
	Level      int    // 1 country, 2 province, 3 city, 4 district
	Name       string
}

// MaxRegionLevel is the deepest level: a district.
const MaxRegionLevel = 4

// ParseRegionCode checks the format of a region code (not that it exists):
// two upper-case letters, then up to three segments of two digits.
func ParseRegionCode(field, code string) (string, error) {
	if !validRegionCode(code) {
		return "", errs.Invalidf(field, "must be a region code like CN, CN.44, CN.44.03 or CN.44.03.05")
	}
	return code, nil
}

func validRegionCode(code string) bool {
	segs := strings.Split(code, ".")
	if len(segs) > MaxRegionLevel {
		return false
	}
	for i, s := range segs {
		if len(s) != 2 {
			return false
		}
		for j := 0; j < 2; j++ {
			c := s[j]
			if i == 0 && (c < 'A' || c > 'Z') || i > 0 && (c < '0' || c > '9') {
				return false
			}
		}
		if i > 0 && s == "00" { // GB/T 2260 never numbers a division 00
			return false
		}
	}
	return true
}

// Level is the depth of a well-formed code: 1 for "CN", 4 for "CN.44.03.05".
func Level(code string) int { return strings.Count(code, ".") + 1 }

// ParentCode is the code one level up, "" for a country.
func ParentCode(code string) string {
	i := strings.LastIndexByte(code, '.')
	if i < 0 {
		return ""
	}
	return code[:i]
}

// Covers reports whether area is code itself or one of its ancestors: a
// warehouse serving "CN.44" serves "CN.44.03.05", not "CN.4" nor "CN.45".
func Covers(area, code string) bool {
	return area == code || (area != "" && strings.HasPrefix(code, area) && len(code) > len(area) && code[len(area)] == '.')
}
