package insight

import (
	"testing"
	"time"
)

func TestRatio(t *testing.T) {
	for _, c := range []struct {
		num, den int64
		want     string
	}{
		{0, 0, "0.00"}, {3, 0, "0.00"}, {0, 5, "0.00"}, {1, 3, "0.33"}, {2, 3, "0.67"}, {1, 8, "0.13"},
		{1, 200, "0.01"}, {1, 201, "0.00"}, {5, 2, "2.50"}, {7, 7, "1.00"}, {1000001, 1000000, "1.00"},
	} {
		if got := Ratio(c.num, c.den); got != c.want {
			t.Errorf("Ratio(%d, %d) = %s, want %s", c.num, c.den, got, c.want)
		}
	}
}

func TestMonthsBetween(t *testing.T) {
	d := func(y int, m time.Month) time.Time { return time.Date(y, m, 15, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		from, to time.Time
		want     int
	}{
		{d(2026, 1), d(2026, 1), 0}, {d(2026, 1), d(2026, 2), 1}, {d(2025, 12), d(2026, 1), 1},
		{d(2024, 3), d(2027, 3), 36}, {d(2026, 5), d(2026, 4), -1},
	} {
		if got := MonthsBetween(c.from, c.to); got != c.want {
			t.Errorf("MonthsBetween(%v, %v) = %d, want %d", c.from, c.to, got, c.want)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// 2026-01-31 17:00 UTC is already February 1st in Shanghai.
	if got := MonthKey(time.Date(2026, 1, 31, 17, 0, 0, 0, time.UTC), sh); got != 20260201 {
		t.Errorf("MonthKey = %d, want 20260201", got)
	}
}
