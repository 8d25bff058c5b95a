package store_test

import (
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

// TestWithdrawalDayIsTheProgramsDay: the daily limit (here 1) counts the
// requests of the program's day, midnight to midnight in its time zone
// (Asia/Shanghai, UTC+8, by default), not of the UTC day.
func TestWithdrawalDayIsTheProgramsDay(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		f := newWdFixture(t, db)
		f.rules(100, 0, 1)
		d, me := f.distributor("Dora")
		f.fund(d, 5000)
		at := func(day, hour, minute int) {
			t.Helper()
			f.clock.Advance(time.Date(2026, 1, day, hour, minute, 0, 0, time.UTC).Sub(f.clock.Now()))
		}
		refused := func(when string, retry time.Duration) {
			t.Helper()
			_, err := db.RequestWithdrawal(f.ctx, me, d, 100, "")
			if errs.CodeOf(err) != errs.TooMany || errs.FieldOf(err) != "daily_limit" || !strings.Contains(errs.MessageOf(err), "Asia/Shanghai") {
				t.Fatalf("%s: got %v, want the daily limit of the Shanghai day", when, err)
			}
			if got := errs.RetryAfterOf(err); got != retry {
				t.Fatalf("%s: retry after %v, want %v (Shanghai's next midnight)", when, got, retry)
			}
		}

		at(2, 15, 30) // 23:30 on 2 Jan in Shanghai
		f.request(me, d, 100, "")
		at(2, 16, 30) // 00:30 on 3 Jan in Shanghai: a new day there, the same UTC day
		f.request(me, d, 100, "")
		at(2, 23, 30) // 07:30 on 3 Jan in Shanghai: counts toward Shanghai's 3 Jan
		refused("23:30 UTC", 16*time.Hour+30*time.Minute)
		at(3, 0, 30) // 08:30 on 3 Jan in Shanghai: a new UTC day, the same Shanghai day
		refused("00:30 UTC the next day", 15*time.Hour+30*time.Minute)
		at(3, 16, 0) // midnight of 4 Jan in Shanghai
		f.request(me, d, 100, "")
		if f.rows() != 3 {
			t.Fatalf("%d withdrawals, want 3", f.rows())
		}

		// In UTC the same requests fall into UTC days.
		s, err := db.Settings(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		s.TimeZone = "UTC"
		if _, err := db.UpdateSettings(f.ctx, f.op, s, s.Version); err != nil {
			t.Fatal(err)
		}
		at(3, 23, 59) // the UTC day of the 16:00 request
		if _, err := db.RequestWithdrawal(f.ctx, me, d, 100, ""); errs.FieldOf(err) != "daily_limit" || !strings.Contains(errs.MessageOf(err), "midnight UTC") {
			t.Fatalf("in UTC: %v", err)
		}
		at(4, 0, 0)
		f.request(me, d, 100, "")
	})
}
