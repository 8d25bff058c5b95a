// Package insight holds the rules of market insight that are not SQL: the
// calendar of periods (days, ISO weeks and months of the program's time
// zone), the figures a series shows, the dimensions of a breakdown, and
// the checks of a query. docs/insight.md defines every figure.
package insight

import (
	"time"

	"sharemall/internal/errs"
)

// Grain is the length of a series' periods.
type Grain string

const (
	Day   Grain = "day"
	Week  Grain = "week" // ISO weeks: Monday to Sunday
	Month Grain = "month"
)

// Grains are the grains the rollups keep.
var Grains = []Grain{Day, Week, Month}

// Metric is a figure a series shows.
type Metric string

const (
	GMV                Metric = "gmv"       // base booked on payment
	Orders             Metric = "orders"    // orders paid
	Customers          Metric = "customers" // distinct paying customers in the period
	AverageOrderValue  Metric = "aov"       // gmv / orders, rounded down
	Refunds            Metric = "refunds"   // refund events
	Refunded           Metric = "refunded"  // base refunded
	NetGMV             Metric = "net_gmv"   // gmv − refunded
	NewDistributors    Metric = "new_distributors"
	Distributors       Metric = "distributors"        // the network's size at the period's end
	ActiveDistributors Metric = "active_distributors" // distinct sellers of a line booked in the period
	CommissionBooked   Metric = "commission_booked"
	CommissionReversed Metric = "commission_reversed"
	CommissionSettled  Metric = "commission_settled"
	CommissionPaidOut  Metric = "commission_paid_out"
)

// Metrics lists every metric in the order reports show them.
var Metrics = []Metric{GMV, Orders, Customers, AverageOrderValue, Refunds, Refunded, NetGMV, NewDistributors, Distributors,
	ActiveDistributors, CommissionBooked, CommissionReversed, CommissionSettled, CommissionPaidOut}

// ProgramOnly tells the metrics kept for the whole program only: joining
// and withdrawing belong to no supplier.
func (m Metric) ProgramOnly() bool {
	return m == NewDistributors || m == Distributors || m == CommissionPaidOut
}

// Money tells the metrics that are amounts (minor units).
func (m Metric) Money() bool {
	switch m {
	case Orders, Customers, Refunds, NewDistributors, Distributors, ActiveDistributors:
		return false
	}
	return true
}

// Dim is what a breakdown groups by.
type Dim string

const (
	ByTier        Dim = "tier"
	ByProvince    Dim = "province"
	ByCity        Dim = "city"
	ByProduct     Dim = "product"
	ByCategory    Dim = "category"
	ByWarehouse   Dim = "warehouse"
	ByDistributor Dim = "distributor" // the seller: top distributors
	ByGrade       Dim = "grade"       // the seller's grade when the line was booked (0: none)
)

// Dims lists every dimension.
var Dims = []Dim{ByTier, ByProvince, ByCity, ByProduct, ByCategory, ByWarehouse, ByDistributor, ByGrade}

// Limits of a query: a series has at most MaxPoints periods, a breakdown
// at most MaxBreakdown rows.
const (
	MaxPoints        = 800
	MaxBreakdown     = 1000
	DefaultBreakdown = 50
)

// Point is one period of a series: every figure of the period.
type Point struct {
	Period             time.Time // the period's first day, midnight in the program's time zone
	GMV                int64
	Orders             int64
	Customers          int64
	Refunds            int64
	Refunded           int64
	NewDistributors    int64
	Distributors       int64 // derived at read time: every distributor who joined before the period's end
	ActiveDistributors int64
	CommissionBooked   int64
	CommissionReversed int64
	CommissionSettled  int64
	CommissionPaidOut  int64
}

// Value is the point's figure m; the average order value is derived (0
// without orders), never stored.
func (p Point) Value(m Metric) int64 {
	switch m {
	case GMV:
		return p.GMV
	case Orders:
		return p.Orders
	case Customers:
		return p.Customers
	case AverageOrderValue:
		if p.Orders == 0 {
			return 0
		}
		return p.GMV / p.Orders
	case Refunds:
		return p.Refunds
	case Refunded:
		return p.Refunded
	case NetGMV:
		return p.GMV - p.Refunded
	case NewDistributors:
		return p.NewDistributors
	case Distributors:
		return p.Distributors
	case ActiveDistributors:
		return p.ActiveDistributors
	case CommissionBooked:
		return p.CommissionBooked
	case CommissionReversed:
		return p.CommissionReversed
	case CommissionSettled:
		return p.CommissionSettled
	case CommissionPaidOut:
		return p.CommissionPaidOut
	}
	return 0
}

// DayKey is the day t falls on in loc, as the rollups store it: yyyymmdd.
func DayKey(t time.Time, loc *time.Location) int {
	l := t.In(loc)
	return l.Year()*10000 + int(l.Month())*100 + l.Day()
}

// DateOf is the midnight of a yyyymmdd key in loc.
func DateOf(key int, loc *time.Location) time.Time {
	return time.Date(key/10000, time.Month(key/100%100), key%100, 0, 0, 0, 0, loc)
}

// Start is the first day of the grain's period holding day d (a midnight
// in its location): d itself, its ISO week's Monday, its month's first.
func Start(g Grain, d time.Time) time.Time {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, d.Location())
	switch g {
	case Week:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case Month:
		return d.AddDate(0, 0, 1-d.Day())
	}
	return d
}

// Next is the first day of the period after the one starting at start.
func Next(g Grain, start time.Time) time.Time {
	switch g {
	case Week:
		return start.AddDate(0, 0, 7)
	case Month:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// Key is the yyyymmdd key of a date.
func Key(d time.Time) int { return d.Year()*10000 + int(d.Month())*100 + d.Day() }

// Periods are the starts of the grain's periods that meet [from, to]
// (days, both included): the first holds from, the last holds to.
func Periods(g Grain, from, to time.Time) []time.Time {
	var out []time.Time
	for p := Start(g, from); !p.After(to); p = Next(g, p) {
		out = append(out, p)
	}
	return out
}

// ParseGrain reads a grain; "" is a day.
func ParseGrain(s string) (Grain, error) {
	for _, g := range Grains {
		if string(g) == s {
			return g, nil
		}
	}
	if s == "" {
		return Day, nil
	}
	return "", errs.Invalidf("grain", "must be day, week or month")
}

// ParseMetric reads a metric.
func ParseMetric(s string) (Metric, error) {
	for _, m := range Metrics {
		if string(m) == s {
			return m, nil
		}
	}
	if s == "" {
		return "", errs.Invalidf("metric", "is required")
	}
	return "", errs.Invalidf("metric", "must be one of %v", Metrics)
}

// ParseDim reads a breakdown's dimension.
func ParseDim(s string) (Dim, error) {
	for _, d := range Dims {
		if string(d) == s {
			return d, nil
		}
	}
	if s == "" {
		return "", errs.Invalidf("by", "is required")
	}
	return "", errs.Invalidf("by", "must be one of %v", Dims)
}

// ParseDate reads a yyyy-mm-dd day in loc.
func ParseDate(field, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, errs.Invalidf(field, "is required (a date, yyyy-mm-dd)")
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil || d.Year() < 2000 || d.Year() > 9999 {
		return time.Time{}, errs.Invalidf(field, "must be a date, yyyy-mm-dd, from 2000")
	}
	return d, nil
}

// CheckRange refuses a range that runs backwards or holds more periods of
// the grain than a series shows.
func CheckRange(g Grain, from, to time.Time) error {
	if to.Before(from) {
		return errs.Invalidf("to", "must not be before from")
	}
	if n := len(Periods(g, from, to)); n > MaxPoints {
		return errs.Invalidf("to", "the range holds %d %ss; at most %d", n, g, MaxPoints)
	}
	return nil
}

// CheckLimit is a breakdown's row limit: 0 is the default.
func CheckLimit(limit int) (int, error) {
	switch {
	case limit == 0:
		return DefaultBreakdown, nil
	case limit < 0 || limit > MaxBreakdown:
		return 0, errs.Invalidf("limit", "must be 1 to %d", MaxBreakdown)
	}
	return limit, nil
}

// FormatDate is a period's first day as the API and CSV write it.
func FormatDate(d time.Time) string { return d.Format(time.DateOnly) }
