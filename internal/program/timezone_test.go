package program

import (
	"encoding/json"
	"testing"
	"time"

	"sharemall/internal/errs"
)

func TestTimeZoneSetting(t *testing.T) {
	if s := Default(); s.TimeZone != "Asia/Shanghai" || s.Location().String() != "Asia/Shanghai" {
		t.Fatalf("default zone %q", s.TimeZone)
	}
	for _, ok := range []string{"Asia/Shanghai", "UTC", "Europe/Berlin", "America/New_York"} {
		s := Default()
		s.TimeZone = ok
		if err := s.Validate(); err != nil {
			t.Fatalf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Local", "Mars/Olympus", "asia/shanghai ", "+08:00"} {
		s := Default()
		s.TimeZone = bad
		if err := s.Validate(); errs.CodeOf(err) != errs.Invalid || errs.FieldOf(err) != "time_zone" {
			t.Fatalf("%q: got %v, want invalid time_zone", bad, err)
		}
	}
	// Settings saved before the zone existed read as the default.
	s := Default()
	if err := json.Unmarshal([]byte(`{"currency":"CNY","tiers":2}`), s); err != nil || s.TimeZone != DefaultTimeZone {
		t.Fatalf("old settings: %q %v", s.TimeZone, err)
	}
}

// TestDayIsTheProgramsDay: 23:30 UTC on 2 January is 07:30 on 3 January in
// Shanghai, so it belongs to Shanghai's 3 January, which began at 16:00 UTC
// on the 2nd; in UTC it belongs to the 2nd. A day with a daylight-saving
// change is 23 hours long.
func TestDayIsTheProgramsDay(t *testing.T) {
	at := time.Date(2026, 1, 2, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		zone       string
		start, end time.Time
	}{
		{"Asia/Shanghai", time.Date(2026, 1, 2, 16, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 16, 0, 0, 0, time.UTC)},
		{"UTC", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"America/New_York", time.Date(2026, 1, 2, 5, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 5, 0, 0, 0, time.UTC)},
	} {
		s := Default()
		s.TimeZone = tc.zone
		start, end := s.Day(at)
		if !start.Equal(tc.start) || !end.Equal(tc.end) {
			t.Fatalf("%s: day of %v is %v to %v, want %v to %v", tc.zone, at, start, end, tc.start, tc.end)
		}
	}
	s := Default()
	s.TimeZone = "America/New_York"
	start, end := s.Day(time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC))
	if end.Sub(start) != 23*time.Hour {
		t.Fatalf("the day clocks spring forward lasts %v", end.Sub(start))
	}
}
