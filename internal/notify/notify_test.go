package notify

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"sharemall/internal/errs"
)

func TestSignVerify(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	now := time.Unix(1_800_000_000, 0)
	h := Sign("whsec_a", now, body)
	if h != "t=1800000000,v1="+mac("whsec_a", "1800000000", body) {
		t.Fatalf("header %q", h)
	}
	for _, c := range []struct {
		name, secret, header string
		body                 []byte
		at                   time.Time
		ok                   bool
	}{
		{"good", "whsec_a", h, body, now, true},
		{"within tolerance", "whsec_a", h, body, now.Add(Tolerance), true},
		{"too old", "whsec_a", h, body, now.Add(Tolerance + time.Second), false},
		{"from the future", "whsec_a", h, body, now.Add(-Tolerance - time.Second), false},
		{"other secret", "whsec_b", h, body, now, false},
		{"body changed", "whsec_a", h, []byte(`{"id":"evt_2"}`), now, false},
		{"rotation: one of two matches", "whsec_a", h + ",v1=00", body, now, true},
		{"no signature", "whsec_a", "t=1800000000", body, now, false},
		{"no timestamp", "whsec_a", "v1=00", body, now, false},
	} {
		if err := Verify(c.secret, c.header, c.body, c.at); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	for attempt, base := range map[int64]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 7: 32 * time.Minute, 12: 6 * time.Hour, 40: 6 * time.Hour} {
		for range 50 {
			if d := Backoff(attempt); d < base || d > base+base/4 {
				t.Fatalf("Backoff(%d) = %s, want %s plus up to a quarter", attempt, d, base)
			}
		}
	}
}

func TestParseTypes(t *testing.T) {
	if k, err := ParseTypes(" * ", false); err != nil || k != nil || JoinTypes(k) != "*" {
		t.Fatalf("* = %v %v", k, err)
	}
	k, err := ParseTypes("order.paid,order.shipped order.paid", false)
	if err != nil || JoinTypes(k) != "order.paid order.shipped" {
		t.Fatalf("= %v %v", k, err)
	}
	if _, err := ParseTypes("order.paid", true); errs.FieldOf(err) != "event_types" {
		t.Fatalf("supplier order.paid: %v", err)
	}
	if _, err := ParseTypes("order.eaten", false); errs.FieldOf(err) != "event_types" {
		t.Fatalf("unknown: %v", err)
	}
}

func TestPrivate(t *testing.T) {
	for s, want := range map[string]bool{"127.0.0.1": true, "10.0.0.1": true, "192.168.1.1": true, "172.16.0.1": true, "169.254.169.254": true,
		"::1": true, "fc00::1": true, "fe80::1": true, "0.0.0.0": true, "100.64.0.1": true, "::ffff:127.0.0.1": true,
		"93.184.215.14": false, "2606:4700::1111": false} {
		if got := Private(netip.MustParseAddr(s)); got != want {
			t.Errorf("Private(%s) = %v", s, got)
		}
	}
	if err := CheckURL(context.Background(), "http://127.0.0.1/h", true); err != nil {
		t.Fatalf("allowed private: %v", err)
	}
}

// The sender refuses a private address when it connects, whatever the
// URL's check said (a name may resolve elsewhere later).
func TestSenderRefusesPrivateOnConnect(t *testing.T) {
	r := NewSender(2*time.Second, false).Send(context.Background(), Post{URL: "http://127.0.0.1:1/h", Secret: "s", EventID: "evt_1", Body: []byte("{}")}, time.Now())
	if r.OK() || r.Status != 0 || !strings.Contains(r.Err, "refused to connect to private address") {
		t.Fatalf("result %+v", r)
	}
}
