package program

import (
	"sync"
	"time"
	_ "time/tzdata" // every zone is known even on a machine without zoneinfo

	"sharemall/internal/errs"
)

// DefaultTimeZone is where the program's days are counted unless the
// operator chooses another zone.
const DefaultTimeZone = "Asia/Shanghai"

// zones caches loaded locations by name: LoadLocation parses zone data on
// every call.
var zones sync.Map

func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}

// checkTimeZone accepts an IANA zone name ("Asia/Shanghai", "UTC"). An
// empty name and "Local" are refused: both mean the server's own zone,
// which differs from one machine to the next.
func checkTimeZone(name string) error {
	if name == "" || name == "Local" {
		return errs.Invalidf("time_zone", "must be an IANA time zone name such as %s or UTC", DefaultTimeZone)
	}
	if _, err := loadZone(name); err != nil {
		return errs.Invalidf("time_zone", "%q is not an IANA time zone name (such as %s or UTC)", name, DefaultTimeZone)
	}
	return nil
}

// Location is the program's time zone: where its days begin and end.
// Settings that were never validated fall back to DefaultTimeZone.
func (s *Settings) Location() *time.Location {
	if s.TimeZone != "" && s.TimeZone != "Local" {
		if loc, err := loadZone(s.TimeZone); err == nil {
			return loc
		}
	}
	loc, err := loadZone(DefaultTimeZone)
	if err != nil {
		panic(err) // time/tzdata is linked in: this cannot happen
	}
	return loc
}

// Day returns the program day that holds t: its first instant and the first
// instant of the next day, midnight to midnight in the program's time zone
// (23 or 25 hours apart where daylight saving time changes).
func (s *Settings) Day(t time.Time) (start, end time.Time) {
	loc := s.Location()
	local := t.In(loc)
	start = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	return start, start.AddDate(0, 0, 1)
}
