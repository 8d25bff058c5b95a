package insight

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"sharemall/internal/errs"
)

func TestStartOfPeriods(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		g         Grain
		day, want string
	}{
		{Day, "2026-03-04", "2026-03-04"},
		{Week, "2026-03-04", "2026-03-02"}, // a Wednesday: back to Monday
		{Week, "2026-03-02", "2026-03-02"}, // a Monday
		{Week, "2026-03-08", "2026-03-02"}, // a Sunday ends the ISO week
		{Week, "2026-01-01", "2025-12-29"}, // a week across the new year
		{Month, "2026-03-31", "2026-03-01"},
		{Month, "2024-02-29", "2024-02-01"},
	}
	for _, c := range cases {
		d, _ := time.ParseInLocation(time.DateOnly, c.day, sh)
		if got := FormatDate(Start(c.g, d)); got != c.want {
			t.Errorf("Start(%s, %s) = %s, want %s", c.g, c.day, got, c.want)
		}
	}
	// 2026-01-01 16:30 UTC is 2026-01-02 00:30 in Shanghai: the program's day.
	if got := DayKey(time.Date(2026, 1, 1, 16, 30, 0, 0, time.UTC), sh); got != 20260102 {
		t.Fatalf("DayKey = %d, want 20260102", got)
	}
}

// TestPeriodsCover: the periods of a range are consecutive, start where
// their grain starts, and hold the range's first and last day.
func TestPeriodsCover(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		g := rapid.SampledFrom(Grains).Draw(rt, "grain")
		from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(0, 3000).Draw(rt, "from"))
		to := from.AddDate(0, 0, rapid.IntRange(0, 400).Draw(rt, "days"))
		ps := Periods(g, from, to)
		if len(ps) == 0 || ps[0].After(from) || !Next(g, ps[len(ps)-1]).After(to) {
			rt.Fatalf("%s periods of %v..%v do not hold both ends: %v", g, from, to, ps)
		}
		for i, p := range ps {
			if !Start(g, p).Equal(p) {
				rt.Fatalf("period %v does not start a %s", p, g)
			}
			if i > 0 && !Next(g, ps[i-1]).Equal(p) {
				rt.Fatalf("periods not consecutive: %v then %v", ps[i-1], p)
			}
			if DateOf(Key(p), time.UTC) != p {
				rt.Fatalf("key %d does not round-trip %v", Key(p), p)
			}
		}
	})
}

func TestRefusals(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	cases := []struct {
		name, field string
		err         error
	}{
		{"grain", "grain", func() error { _, err := ParseGrain("year"); return err }()},
		{"metric", "metric", func() error { _, err := ParseMetric("profit"); return err }()},
		{"no metric", "metric", func() error { _, err := ParseMetric(""); return err }()},
		{"dim", "by", func() error { _, err := ParseDim("colour"); return err }()},
		{"date", "from", func() error { _, err := ParseDate("from", "2026-13-01", time.UTC); return err }()},
		{"no date", "to", func() error { _, err := ParseDate("to", "", time.UTC); return err }()},
		{"backwards", "to", CheckRange(Day, d("2026-02-01"), d("2026-01-01"))},
		{"too long", "to", CheckRange(Day, d("2020-01-01"), d("2026-01-01"))},
		{"limit", "limit", func() error { _, err := CheckLimit(MaxBreakdown + 1); return err }()},
	}
	for _, c := range cases {
		if !errs.Is(c.err, errs.Invalid) || errs.FieldOf(c.err) != c.field {
			t.Errorf("%s: %v, want Invalid on %s", c.name, c.err, c.field)
		}
	}
	if err := CheckRange(Month, d("2020-01-01"), d("2026-01-01")); err != nil {
		t.Fatalf("six years of months: %v", err)
	}
	if p := (Point{GMV: 1001, Orders: 2}); p.Value(AverageOrderValue) != 500 || (Point{}).Value(AverageOrderValue) != 0 {
		t.Fatal("average order value")
	}
}
