package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/store"
	"sharemall/internal/testutil"
)

var policy = account.DefaultLoginPolicy

// reserveAll starts n reservations at once (released together) and returns
// how many were let through to a password check; any error other than
// TooMany fails the test.
func reserveAll(t *testing.T, db *store.DB, n int, login, address func(i int) string) int {
	t.Helper()
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		mu      sync.Mutex
		checked int
	)
	for i := range n {
		wg.Go(func() {
			<-start
			_, err := db.ReserveLoginAttempt(context.Background(), login(i), address(i), policy)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				checked++
			case !errs.Is(err, errs.TooMany):
				t.Errorf("attempt %d: %v", i, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return checked
}

func same(s string) func(int) string { return func(int) string { return s } }

func each(format string) func(int) string {
	return func(i int) string { return fmt.Sprintf(format, i) }
}

// TestLoginAttemptsUnderConcurrency sends 50 guesses at once in several
// shapes; exactly the policy's number reach a password check each time,
// because counting and recording are one step. (Before, every one of 50
// concurrent guesses was checked.)
func TestLoginAttemptsUnderConcurrency(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		clock := testutil.NewClock()
		db.Now = clock.Now

		// One name, one address: the name's free failures, then it is slowed.
		if got := reserveAll(t, db, 50, same("ann@example.com"), same("203.0.113.1")); got != policy.NameFree {
			t.Errorf("one name from one address: %d checked, want %d", got, policy.NameFree)
		}
		// One address, a different name each time: the address's hard limit.
		if got := reserveAll(t, db, 50, each("user%d@example.com"), same("203.0.113.2")); got != policy.AddressLimit {
			t.Errorf("one address, many names: %d checked, want %d", got, policy.AddressLimit)
		}
		// One name from 50 addresses that have each failed before (on other
		// names): the name is slowed whatever the address.
		ctx := context.Background()
		for i := range 50 {
			if _, err := db.ReserveLoginAttempt(ctx, fmt.Sprintf("other%d@example.com", i), fmt.Sprintf("198.51.100.%d", i), policy); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(time.Minute)
		if got := reserveAll(t, db, 50, same("bo@example.com"), each("198.51.100.%d")); got != policy.NameFree {
			t.Errorf("one name from many failing addresses: %d checked, want %d", got, policy.NameFree)
		}
	})
}

// TestLoginThrottlePolicy walks one attacker and one owner through the
// policy: the name is slowed (never locked), the attacker's address is
// limited hard, the owner's clean address gets through, and every refusal
// says the real time left.
func TestLoginThrottlePolicy(t *testing.T) {
	testutil.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := testutil.NewClock()
		db.Now = clock.Now
		const victim, attacker, owner = "op@example.com", "203.0.113.9", "198.51.100.7"
		wantWait := func(err error, want time.Duration, field string) {
			t.Helper()
			if !errs.Is(err, errs.TooMany) || errs.RetryAfterOf(err) != want || errs.FieldOf(err) != field {
				t.Fatalf("got %v (retry after %v), want too_many on %q after %v", err, errs.RetryAfterOf(err), field, want)
			}
		}
		for range policy.NameFree {
			if _, err := db.ReserveLoginAttempt(ctx, victim, attacker, policy); err != nil {
				t.Fatal(err)
			}
			clock.Advance(10 * time.Second)
		}
		// The sixth guess had to wait 1 s after the fifth; 10 s have passed.
		if _, err := db.ReserveLoginAttempt(ctx, victim, attacker, policy); err != nil {
			t.Fatalf("sixth guess after the delay: %v", err)
		}
		// The seventh waits 2 s after the sixth.
		clock.Advance(500 * time.Millisecond)
		_, err := db.ReserveLoginAttempt(ctx, victim, attacker, policy)
		wantWait(err, 1500*time.Millisecond, "login")
		clock.Advance(1500 * time.Millisecond)
		if _, err := db.ReserveLoginAttempt(ctx, victim, attacker, policy); err != nil {
			t.Fatalf("seventh guess after its delay: %v", err)
		}

		// The owner, from an address with no failures, is let through at once.
		a, err := db.ReserveLoginAttempt(ctx, victim, owner, policy)
		if err != nil {
			t.Fatalf("owner from a clean address: %v", err)
		}
		if err := db.LoginSucceeded(ctx, a); err != nil {
			t.Fatal(err)
		}
		// Succeeding clears nothing of the attacker's: the eighth guess waits 4 s.
		_, err = db.ReserveLoginAttempt(ctx, victim, attacker, policy)
		wantWait(err, 4*time.Second, "login")

		// The attacker's address has failed at 0, 10, 20, 30, 40, 50 and 52 s;
		// three more (on fresh names) make ten, and it is refused until the
		// oldest leaves the 15-minute window.
		for i := range policy.AddressLimit - 7 {
			if _, err := db.ReserveLoginAttempt(ctx, fmt.Sprintf("x%d@example.com", i), attacker, policy); err != nil {
				t.Fatal(err)
			}
		}
		elapsed := 52 * time.Second
		_, err = db.ReserveLoginAttempt(ctx, "y@example.com", attacker, policy)
		wantWait(err, policy.Window-elapsed, "")
		clock.Advance(policy.Window - elapsed - time.Microsecond)
		_, err = db.ReserveLoginAttempt(ctx, "y@example.com", attacker, policy)
		wantWait(err, time.Microsecond, "")
		clock.Advance(time.Microsecond)
		if _, err := db.ReserveLoginAttempt(ctx, "y@example.com", attacker, policy); err != nil {
			t.Fatalf("after the oldest failure left the window: %v", err)
		}

		// An attempt cancelled before its password was judged is not a failure.
		for i := range policy.AddressLimit + 1 {
			a, err := db.ReserveLoginAttempt(ctx, fmt.Sprintf("w%d@example.com", i), "192.0.2.1", policy)
			if err != nil {
				t.Fatalf("attempt %d after cancelling the others: %v", i, err)
			}
			if err := db.CancelLoginAttempt(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		// What has left the window is forgotten by the next attempt, anyone's.
		clock.Advance(policy.Window)
		if _, err := db.ReserveLoginAttempt(ctx, "last@example.com", "192.0.2.200", policy); err != nil {
			t.Fatal(err)
		}
		if n, err := db.QueryInts(ctx, `SELECT COUNT(*) FROM login_attempts`); err != nil || len(n) != 1 || n[0] != 1 {
			t.Fatalf("login_attempts after the window: %v rows, %v", n, err)
		}
	})
}
