package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Header names of a webhook delivery.
const (
	SignatureHeader = "Sharemall-Signature" // t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">
	EventIDHeader   = "Sharemall-Event-Id"  // the event's id: the same on every attempt and replay
)

// Tolerance is how far a signature's timestamp may be from the receiver's
// clock before the receiver should refuse it (a replayed capture).
const Tolerance = 5 * time.Minute

// NewSecret returns a fresh endpoint secret: "whsec_" and 32 random bytes in hex.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// Sign returns the Sharemall-Signature header value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret, ts string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a Sharemall-Signature header as a receiver should: the
// timestamp within Tolerance of now and one v1 signature matching (there
// may be several during a secret's rotation), compared in constant time.
func Verify(secret, header string, body []byte, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("notify: malformed %s header", SignatureHeader)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return fmt.Errorf("notify: signature timestamp %s is outside the %s tolerance", time.Unix(sec, 0).UTC().Format(time.RFC3339), Tolerance)
	}
	want := []byte(mac(secret, ts, body))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), want) {
			return nil
		}
	}
	return fmt.Errorf("notify: no signature matches")
}

// MaxAttempts is how many times a delivery is tried before it is failed.
const MaxAttempts = 8

// Backoff returns how long to wait after the attempt-th failed attempt
// (1-based): 30s doubled each time, capped at 6 hours, then a random
// jitter of up to a quarter added so failed deliveries of one outage do
// not all return at once. The 8th attempt comes about an hour after the first.
func Backoff(attempt int64) time.Duration {
	d := 30 * time.Second
	for i := int64(1); i < attempt && d < 6*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 6*time.Hour)
	j, _ := rand.Int(rand.Reader, big.NewInt(int64(d/4)+1))
	return d + time.Duration(j.Int64())
}
