package insight

import (
	"fmt"
	"time"
)

// Funnel is the share funnel of a period (or a sum of periods): each step's
// count (docs/insight.md, "Fission").
type Funnel struct {
	Period   time.Time // the period's first day; zero for a sum
	Links    int64     // share links made
	Visits   int64     // links opened and posters scanned
	Visitors int64     // unique visitors: first visits per distributor, product and period
	Bindings int64     // customers bound or re-bound by a touch
	Orders   int64     // orders placed through a distributor
	Paid     int64     // of those, paid
	Settled  int64     // of those, completed (every line settled)
}

// FunnelSteps names the steps in funnel order, as the API and CSV do.
var FunnelSteps = []string{"links", "visits", "visitors", "bindings", "orders", "paid", "settled"}

// Steps is the funnel's counts in FunnelSteps' order.
func (f Funnel) Steps() []int64 {
	return []int64{f.Links, f.Visits, f.Visitors, f.Bindings, f.Orders, f.Paid, f.Settled}
}

// Add adds g's counts to f.
func (f *Funnel) Add(g Funnel) {
	f.Links += g.Links
	f.Visits += g.Visits
	f.Visitors += g.Visitors
	f.Bindings += g.Bindings
	f.Orders += g.Orders
	f.Paid += g.Paid
	f.Settled += g.Settled
}

// MaxRetentionMonths is the last month after joining that cohort
// retention counts (k = 0..MaxRetentionMonths).
const MaxRetentionMonths = 36

// InviteWindow is how soon after its sponsor a member must join to count
// in the sponsor cohort's 30-day viral coefficient.
const InviteWindow = 30 * 24 * time.Hour

// MonthsBetween is how many calendar months from's month is before to's
// (0 in the same month; negative when to is earlier).
func MonthsBetween(from, to time.Time) int {
	return (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month())
}

// MonthKey is the yyyymmdd key of the first day of t's month in loc.
func MonthKey(t time.Time, loc *time.Location) int {
	return Key(Start(Month, DateOf(DayKey(t, loc), loc)))
}

// Ratio writes num/den with two decimals, rounded half up, computed on
// integers (exact for any counts); "0.00" when den is 0.
func Ratio(num, den int64) string {
	if den <= 0 || num <= 0 {
		return "0.00"
	}
	hundredths := (num*200 + den) / (2 * den)
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}
