package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// clientAddressKey carries the client's network address to RecordVisit.
type clientAddressKey struct{}

// WithClientAddress returns ctx carrying the client's network address (as
// the server's limits key it: an IPv4 address or an IPv6 /64), which
// RecordVisit keeps as a keyed hash for the click-spam signal
// (docs/fraud.md). The address itself is never stored.
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddressKey{}, addr)
}

func clientAddressOf(ctx context.Context) string {
	a, _ := ctx.Value(clientAddressKey{}).(string)
	return a
}

// fraudKeyVisitAddress names the key client addresses are hashed under.
const fraudKeyVisitAddress = "visit_address"

// addressHash is addr as an HMAC-SHA256 under this database's visit
// address key (made at random on first use), 128 bits in hex; "" for "".
func (tx *Tx) addressHash(ctx context.Context, addr string) (string, error) {
	if addr == "" {
		return "", nil
	}
	key, err := tx.fraudKey(ctx, fraudKeyVisitAddress)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(addr))
	return hex.EncodeToString(m.Sum(nil)[:16]), nil
}

// fraudKey returns the secret named name, making it on first use (of two
// transactions making it at once, the first's commit wins and the second
// reads it).
func (tx *Tx) fraudKey(ctx context.Context, name string) ([]byte, error) {
	var secret string
	err := tx.Each(ctx, `SELECT secret FROM fraud_keys WHERE name = ?`, []any{name}, func(scan func(...any) error) error { return scan(&secret) })
	if err != nil {
		return nil, err
	}
	if secret == "" {
		b := make([]byte, 32)
		rand.Read(b)
		if _, err := tx.Exec(ctx, `INSERT INTO fraud_keys (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, base64.StdEncoding.EncodeToString(b), ts(tx.Now())); err != nil {
			return nil, err
		}
		if err := tx.Get(ctx, "fraud key", `SELECT secret FROM fraud_keys WHERE name = ?`, []any{name}, &secret); err != nil {
			return nil, err
		}
	}
	return base64.StdEncoding.DecodeString(secret)
}
