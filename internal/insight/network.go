package insight

import (
	"time"

	"sharemall/internal/errs"
)

// MaxFirstSaleDays is the last day count the first-sale histogram keeps
// one by one; OverFirstSaleDays counts every later first sale.
const (
	MaxFirstSaleDays  = 366
	OverFirstSaleDays = MaxFirstSaleDays + 1
)

// MaxMonths is the most join months a first-sale query covers.
const MaxMonths = 120

// DeepRow is the depth from which members per depth are summed in one
// row: a tree deeper than that (a long chain) is shown to its 100th
// generation and the rest together, so a read stays small however deep
// the tree grows.
const DeepRow = 100

// Bucket is a range of day counts from joining to the first sale, both
// included; To of the last bucket is OverFirstSaleDays (no end).
type Bucket struct {
	From, To int
	Label    string
}

// Buckets are the first-sale histogram's buckets: 0, 1, 2-3, 4-7, 8-14,
// 15-30, 31-60, 61-90 and more than 90 days.
var Buckets = []Bucket{{0, 0, "0"}, {1, 1, "1"}, {2, 3, "2-3"}, {4, 7, "4-7"}, {8, 14, "8-14"}, {15, 30, "15-30"},
	{31, 60, "31-60"}, {61, 90, "61-90"}, {91, OverFirstSaleDays, ">90"}}

// BucketOf is the index in Buckets of a day count.
func BucketOf(days int) int {
	for i, b := range Buckets {
		if days <= b.To {
			return i
		}
	}
	return len(Buckets) - 1
}

// DaysBetween is the number of calendar days of loc from the day holding
// joined to the day holding sold; 0 when sold is not later, and
// OverFirstSaleDays beyond MaxFirstSaleDays.
func DaysBetween(joined, sold time.Time, loc *time.Location) int {
	j, s := joined.In(loc), sold.In(loc)
	jd := time.Date(j.Year(), j.Month(), j.Day(), 0, 0, 0, 0, time.UTC)
	sd := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, time.UTC)
	n := int(sd.Sub(jd) / (24 * time.Hour))
	switch {
	case n < 0:
		return 0
	case n > MaxFirstSaleDays:
		return OverFirstSaleDays
	}
	return n
}

// Median is the median day count of a histogram (sellers per day count,
// indexed by days 0..OverFirstSaleDays): the day count of the middle
// seller, the lower one of the two middle sellers for an even count. ok is
// false without sellers; a median of OverFirstSaleDays means more than
// MaxFirstSaleDays.
func Median(hist []int64) (days int, ok bool) {
	var n int64
	for _, c := range hist {
		n += c
	}
	if n == 0 {
		return 0, false
	}
	k := (n + 1) / 2 // the k-th seller, 1-based
	for d, c := range hist {
		if k <= c {
			return d, true
		}
		k -= c
	}
	return len(hist) - 1, true
}

// ParseMonth reads a yyyy-mm month as its first day in loc.
func ParseMonth(field, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errs.Invalidf(field, "is required (a month, yyyy-mm)")
	}
	d, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil || d.Year() < 2000 || d.Year() > 9999 {
		return time.Time{}, errs.Invalidf(field, "must be a month, yyyy-mm, from 2000")
	}
	return d, nil
}

// CheckMonths refuses a range of months that runs backwards or holds more
// than MaxMonths.
func CheckMonths(from, to time.Time) error {
	if to.Before(from) {
		return errs.Invalidf("to", "must not be before from")
	}
	if n := len(Periods(Month, from, to)); n > MaxMonths {
		return errs.Invalidf("to", "the range holds %d months; at most %d", n, MaxMonths)
	}
	return nil
}

// FormatMonth is a month as the API and CSV write it: yyyy-mm.
func FormatMonth(d time.Time) string { return d.Format("2006-01") }
