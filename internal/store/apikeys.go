package store

import (
	"context"
	"fmt"

	"sharemall/internal/account"
	"sharemall/internal/catalog"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// apiKeyPrefixLen is how much of a key is kept in clear to tell keys apart
// ("smk_" and 8 random characters); the rest exists only as a hash.
const apiKeyPrefixLen = 12

// CreateAPIKey makes a new key for a supplier (its owner or an operator,
// signed in, never with another API key; audited). The key is returned once
// and never stored.
func (db *DB) CreateAPIKey(ctx context.Context, actor account.Actor, supplierID int64, name string) (string, *catalog.APIKey, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return "", nil, err
	}
	if err := requireSignedIn(actor, "create"); err != nil {
		return "", nil, err
	}
	name, err := catalog.CheckAPIKeyName(name)
	if err != nil {
		return "", nil, err
	}
	key, hash := account.NewToken(account.APIKeyPrefix)
	k := &catalog.APIKey{SupplierID: supplierID, Name: name, Prefix: key[:apiKeyPrefixLen], CreatedBy: actor.AccountID}
	err = db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.ownedSupplier(ctx, actor, supplierID); err != nil {
			return err
		}
		k.CreatedAt = tx.Now()
		id, err := tx.Insert(ctx, `INSERT INTO api_keys (supplier_id, name, prefix, key_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			supplierID, name, k.Prefix, hash, actor.AccountID, ts(tx.Now()))
		if err != nil {
			return err
		}
		k.ID = id
		return tx.audit(ctx, actor.AccountID, "apikey.create", fmt.Sprintf("supplier:%d", supplierID), nil,
			map[string]any{"id": id, "name": name, "prefix": k.Prefix})
	})
	if err != nil {
		return "", nil, errs.Wrap("store.CreateAPIKey", err)
	}
	return key, k, nil
}

// requireSignedIn refuses key management to an API key: keys are managed
// by a signed-in owner (or operator), so a leaked key cannot revoke the
// others, mint more or survey them.
func requireSignedIn(actor account.Actor, what string) error {
	if actor.APIKeyID != 0 {
		return errs.E(errs.Forbidden, "", "an API key cannot %s API keys; sign in", what)
	}
	return nil
}

// APIKeys lists a supplier's keys, revoked ones included, oldest first
// (its owner or an operator, signed in).
func (db *DB) APIKeys(ctx context.Context, actor account.Actor, supplierID int64) ([]catalog.APIKey, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	if err := requireSignedIn(actor, "list"); err != nil {
		return nil, err
	}
	var out []catalog.APIKey
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.ownedSupplier(ctx, actor, supplierID); err != nil {
			return err
		}
		return tx.Each(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE supplier_id = ? ORDER BY id`, []any{supplierID},
			func(scan func(...any) error) error {
				k, err := scanAPIKey(scan)
				if err == nil {
					out = append(out, *k)
				}
				return err
			})
	})
	return out, errs.Wrap("store.APIKeys", err)
}

// RevokeAPIKey stops a key working at once (its owner or an operator,
// signed in; audited). Revoking a revoked key changes nothing.
func (db *DB) RevokeAPIKey(ctx context.Context, actor account.Actor, supplierID, keyID int64) (*catalog.APIKey, error) {
	if err := actor.Require(account.Supplier, account.Operator); err != nil {
		return nil, err
	}
	if err := requireSignedIn(actor, "revoke"); err != nil {
		return nil, err
	}
	var k *catalog.APIKey
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.ownedSupplier(ctx, actor, supplierID); err != nil {
			return err
		}
		err := tx.One(ctx, "API key", `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ? AND supplier_id = ?`, []any{keyID, supplierID},
			func(scan func(...any) error) error {
				var err error
				k, err = scanAPIKey(scan)
				return err
			})
		if err != nil || k.RevokedAt != nil {
			return err
		}
		now := tx.Now()
		k.RevokedAt = &now
		if _, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, ts(now), keyID); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "apikey.revoke", fmt.Sprintf("supplier:%d", supplierID),
			map[string]any{"id": keyID, "name": k.Name, "prefix": k.Prefix}, nil)
	})
	if err != nil {
		return nil, errs.Wrap("store.RevokeAPIKey", err)
	}
	return k, nil
}

const apiKeyCols = `id, supplier_id, name, prefix, created_by, created_at, last_used_at, revoked_at`

func scanAPIKey(scan func(...any) error) (*catalog.APIKey, error) {
	k := &catalog.APIKey{}
	var created int64
	var used, revoked nullableInt
	if err := scan(&k.ID, &k.SupplierID, &k.Name, &k.Prefix, &k.CreatedBy, &created, &used, &revoked); err != nil {
		return nil, sqldb.MapErr(err)
	}
	k.CreatedAt = fromTS(created)
	if used != 0 {
		t := fromTS(int64(used))
		k.LastUsedAt = &t
	}
	if revoked != 0 {
		t := fromTS(int64(revoked))
		k.RevokedAt = &t
	}
	return k, nil
}
