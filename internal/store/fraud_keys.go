package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"sharemall/internal/payout"
	"sharemall/internal/sqldb"
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

// fingerprintFill is how many payout details without a fingerprint one
// sweep run fills.
const fingerprintFill = 200

// fillFingerprints gives payout details saved before fingerprints existed
// theirs (payout.Keyring.Fingerprint), opening each sealed box with the
// configured keys; without keys, or for a box no key opens, it leaves the
// row as it is. A row changed meanwhile is left for the next run. It
// returns how many it filled.
func (db *DB) fillFingerprints(ctx context.Context) (int, error) {
	if db.payoutKeys == nil {
		return 0, nil
	}
	type row struct {
		kind   string
		id     int64
		sealed payout.Sealed
	}
	var rows []row
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.Each(ctx, `SELECT owner_kind, owner_id, key_id, box FROM payout_details WHERE fingerprint = '' ORDER BY owner_kind, owner_id LIMIT ?`,
			[]any{fingerprintFill}, func(scan func(...any) error) error {
				var r row
				err := scan(&r.kind, &r.id, &r.sealed.KeyID, &r.sealed.Box)
				rows = append(rows, r)
				return sqldb.MapErr(err)
			})
	})
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	n := 0
	err = db.Write(ctx, func(tx *Tx) error {
		for _, r := range rows {
			d, err := db.payoutKeys.Open(payout.Owner(r.kind, r.id), r.sealed)
			if err != nil {
				continue // no key opens it: `sharemall payout-keys` is the place to see why
			}
			fp := db.payoutKeys.Fingerprint(d)
			if fp == "" {
				continue
			}
			c, err := tx.ExecN(ctx, `UPDATE payout_details SET fingerprint = ? WHERE owner_kind = ? AND owner_id = ? AND box = ? AND fingerprint = ''`,
				fp, r.kind, r.id, r.sealed.Box)
			if err != nil {
				return err
			}
			n += int(c)
		}
		return nil
	})
	return n, err
}
