package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sharemall/internal/account"
	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// CreateAccount stores a new account with the given password hash and roles.
// s must have passed Normalize. A taken email or phone is a Conflict naming it.
func (db *DB) CreateAccount(ctx context.Context, s account.SignUp, passwordHash string, roles ...account.Role) (*account.Account, error) {
	var a *account.Account
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		a, err = tx.createAccount(ctx, s, passwordHash, roles...)
		return err
	})
	return a, errs.Wrap("store.CreateAccount", err)
}

func (tx *Tx) createAccount(ctx context.Context, s account.SignUp, passwordHash string, roles ...account.Role) (*account.Account, error) {
	if s.Email != "" {
		if taken, err := tx.Exists(ctx, `SELECT 1 FROM accounts WHERE email = ?`, s.Email); err != nil {
			return nil, err
		} else if taken {
			return nil, errs.E(errs.Conflict, "email", "is already registered; sign in with it, or use another")
		}
	}
	if s.Phone != "" {
		if taken, err := tx.Exists(ctx, `SELECT 1 FROM accounts WHERE phone = ?`, s.Phone); err != nil {
			return nil, err
		} else if taken {
			return nil, errs.E(errs.Conflict, "phone", "is already registered; sign in with it, or use another")
		}
	}
	id, err := tx.Insert(ctx, `INSERT INTO accounts (email, phone, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		nullString(s.Email), nullString(s.Phone), s.Name, passwordHash, ts(tx.Now()))
	if err != nil {
		// Lost a race with a concurrent sign-up for the same address.
		return nil, sqldb.Relabel(err, errs.Conflict, "email", "is already registered; sign in with it, or use another")
	}
	a := &account.Account{ID: id, Email: s.Email, Phone: s.Phone, Name: s.Name, CreatedAt: tx.Now()}
	for _, r := range roles {
		if err := tx.grantRole(ctx, id, r); err != nil {
			return nil, err
		}
		a.Roles = append(a.Roles, r)
	}
	return a, nil
}

func (tx *Tx) grantRole(ctx context.Context, accountID int64, r account.Role) error {
	held, err := tx.Exists(ctx, `SELECT 1 FROM account_roles WHERE account_id = ? AND role = ?`, accountID, string(r))
	if err != nil || held {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO account_roles (account_id, role, granted_at) VALUES (?, ?, ?)`, accountID, string(r), ts(tx.Now()))
	return err
}

// GrantRole gives an account a role (operator only; audited). Granting a
// role already held changes nothing.
func (db *DB) GrantRole(ctx context.Context, actor account.Actor, accountID int64, r account.Role) error {
	if err := actor.Require(account.Operator); err != nil {
		return err
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.account(ctx, accountID); err != nil {
			return err
		}
		if err := tx.grantRole(ctx, accountID, r); err != nil {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "account.role.grant", fmt.Sprintf("account:%d", accountID), nil, r)
	})
	return errs.Wrap("store.GrantRole", err)
}

// RevokeRole takes a role away (operator only; audited). An operator cannot
// revoke its own operator role, so a program never loses its last operator by accident.
func (db *DB) RevokeRole(ctx context.Context, actor account.Actor, accountID int64, r account.Role) error {
	if err := actor.Require(account.Operator); err != nil {
		return err
	}
	if r == account.Operator && accountID == actor.AccountID {
		return errs.E(errs.Conflict, "role", "an operator cannot revoke its own operator role")
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.account(ctx, accountID); err != nil {
			return err
		}
		n, err := tx.ExecN(ctx, `DELETE FROM account_roles WHERE account_id = ? AND role = ?`, accountID, string(r))
		if err != nil || n == 0 {
			return err
		}
		return tx.audit(ctx, actor.AccountID, "account.role.revoke", fmt.Sprintf("account:%d", accountID), r, nil)
	})
	return errs.Wrap("store.RevokeRole", err)
}

// Account returns an account with its roles.
func (db *DB) Account(ctx context.Context, id int64) (*account.Account, error) {
	var a *account.Account
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		a, err = tx.account(ctx, id)
		return err
	})
	return a, errs.Wrap("store.Account", err)
}

func (tx *Tx) account(ctx context.Context, id int64) (*account.Account, error) {
	a := &account.Account{ID: id}
	var email, phone nullableString
	var created int64
	if err := tx.Get(ctx, "account", `SELECT email, phone, name, disabled, created_at FROM accounts WHERE id = ?`,
		[]any{id}, &email, &phone, &a.Name, &a.Disabled, &created); err != nil {
		return nil, err
	}
	a.Email, a.Phone, a.CreatedAt = string(email), string(phone), fromTS(created)
	roles, err := tx.roles(ctx, id)
	a.Roles = roles
	return a, err
}

func (tx *Tx) roles(ctx context.Context, accountID int64) ([]account.Role, error) {
	rows, err := tx.Query(ctx, `SELECT role FROM account_roles WHERE account_id = ?`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	held := map[account.Role]bool{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, sqldb.MapErr(err)
		}
		held[account.Role(r)] = true
	}
	var out []account.Role
	for _, r := range account.Roles { // stable order
		if held[r] {
			out = append(out, r)
		}
	}
	return out, sqldb.MapErr(rows.Err())
}

// Credentials is what login needs to check a password.
type Credentials struct {
	AccountID    int64
	PasswordHash string
	Disabled     bool
}

// CredentialsFor finds the account signing in by email or phone.
func (db *DB) CredentialsFor(ctx context.Context, email, phone string) (*Credentials, error) {
	c := &Credentials{}
	err := db.Read(ctx, func(tx *Tx) error {
		col, v := "email", email
		if email == "" {
			col, v = "phone", phone
		}
		return tx.Get(ctx, "account", `SELECT id, password_hash, disabled FROM accounts WHERE `+col+` = ?`,
			[]any{v}, &c.AccountID, &c.PasswordHash, &c.Disabled)
	})
	if err != nil {
		return nil, errs.Wrap("store.CredentialsFor", err)
	}
	return c, nil
}

// SetPassword replaces an account's password hash and ends all its sessions.
func (db *DB) SetPassword(ctx context.Context, accountID int64, hash string) error {
	return errs.Wrap("store.SetPassword", db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = ? WHERE id = ?`, hash, accountID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = ?`, accountID)
		return err
	}))
}

// CreateSession stores a session token's hash for an account.
func (db *DB) CreateSession(ctx context.Context, accountID int64, tokenHash string, ttl time.Duration) (expires time.Time, err error) {
	err = db.Write(ctx, func(tx *Tx) error {
		expires = tx.Now().Add(ttl)
		// Sweep this account's expired sessions while we are here, so the table does not grow forever.
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = ? AND expires_at <= ?`, accountID, ts(tx.Now())); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			tokenHash, accountID, ts(tx.Now()), ts(expires))
		return err
	})
	return expires, errs.Wrap("store.CreateSession", err)
}

// DeleteSession ends a session. Ending one that does not exist is not an error.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return errs.Wrap("store.DeleteSession", db.Write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
		return err
	}))
}

var errBadToken = errs.E(errs.Unauthorized, "", "session expired or not valid; sign in again")

// ActorBySession resolves a session token's hash into the actor behind it.
func (db *DB) ActorBySession(ctx context.Context, tokenHash string) (account.Actor, error) {
	// Every request asks this: one statement, outside any transaction (a
	// single SELECT reads one snapshot on both engines).
	var a account.Actor
	var expires int64
	var disabled bool
	var roles int64
	var sid, did nullableInt
	err := db.ReadRow(ctx, "session", actorBySession, []any{tokenHash}, &a.AccountID, &expires, &disabled, &roles, &sid, &did)
	if errs.Is(err, errs.NotFound) || (err == nil && (expires <= ts(db.Now()) || disabled)) {
		err = errBadToken
	}
	if err != nil {
		return account.Actor{}, errs.Wrap("store.ActorBySession", err)
	}
	for i, r := range account.Roles {
		if roles&(1<<i) != 0 {
			a.Roles = append(a.Roles, r)
		}
	}
	a.SupplierID, a.DistributorID = int64(sid), int64(did)
	return a, nil
}

// actorBySession reads a session with its account's roles as a bit set
// (bit i: account.Roles[i]) and the supplier and distributor it runs.
var actorBySession = func() string {
	var b strings.Builder
	b.WriteString(`SELECT s.account_id, s.expires_at, a.disabled,
		(SELECT COALESCE(SUM(CASE r.role`)
	for i, r := range account.Roles {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", r, 1<<i)
	}
	b.WriteString(` ELSE 0 END), 0) FROM account_roles r WHERE r.account_id = s.account_id),
		(SELECT id FROM suppliers WHERE owner_account_id = s.account_id),
		(SELECT id FROM distributors WHERE account_id = s.account_id)
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?`)
	return b.String()
}()

// ActorByAPIKey resolves a supplier API key's hash. The actor acts only as
// that supplier, and only while the supplier is approved.
func (db *DB) ActorByAPIKey(ctx context.Context, keyHash string) (account.Actor, error) {
	var a account.Actor
	var lastUsed nullableInt
	var now time.Time
	err := db.Read(ctx, func(tx *Tx) error {
		now = tx.Now()
		var revoked nullableInt
		var status string
		err := tx.Get(ctx, "api key", `SELECT k.id, k.supplier_id, k.revoked_at, k.last_used_at, s.owner_account_id, s.status FROM api_keys k
			JOIN suppliers s ON s.id = k.supplier_id WHERE k.key_hash = ?`, []any{keyHash},
			&a.APIKeyID, &a.SupplierID, &revoked, &lastUsed, &a.AccountID, &status)
		if errs.Is(err, errs.NotFound) || (err == nil && revoked != 0) {
			return errs.E(errs.Unauthorized, "", "API key not valid or revoked")
		}
		if err != nil {
			return err
		}
		if status != "approved" {
			return errs.E(errs.Forbidden, "", "supplier is %s; its API keys work only while it is approved", status)
		}
		a.Roles = []account.Role{account.Supplier}
		return nil
	})
	if err != nil {
		return a, errs.Wrap("store.ActorByAPIKey", err)
	}
	// Record use at most once a minute, so a busy integration does not turn
	// every read into a write.
	if int64(lastUsed) < ts(now.Add(-time.Minute)) {
		err = db.Write(ctx, func(tx *Tx) error {
			_, err := tx.Exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, ts(tx.Now()), a.APIKeyID)
			return err
		})
	}
	return a, errs.Wrap("store.ActorByAPIKey", err)
}

// fillActor loads the roles and the supplier and distributor an account runs.
func (tx *Tx) fillActor(ctx context.Context, a *account.Actor) error {
	roles, err := tx.roles(ctx, a.AccountID)
	if err != nil {
		return err
	}
	a.Roles = roles
	var sid, did nullableInt
	if err := tx.Get(ctx, "account", `SELECT
		(SELECT id FROM suppliers WHERE owner_account_id = ?),
		(SELECT id FROM distributors WHERE account_id = ?)`, []any{a.AccountID, a.AccountID}, &sid, &did); err != nil {
		return err
	}
	a.SupplierID, a.DistributorID = int64(sid), int64(did)
	return nil
}

// ActorFor builds the actor for an account (used after sign-up and by the command line).
func (db *DB) ActorFor(ctx context.Context, accountID int64) (account.Actor, error) {
	a := account.Actor{AccountID: accountID}
	err := db.Read(ctx, func(tx *Tx) error {
		if _, err := tx.account(ctx, accountID); err != nil {
			return err
		}
		return tx.fillActor(ctx, &a)
	})
	return a, errs.Wrap("store.ActorFor", err)
}

// HasOperator reports whether any account holds the operator role.
func (db *DB) HasOperator(ctx context.Context) (bool, error) {
	var ok bool
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		ok, err = tx.Exists(ctx, `SELECT 1 FROM account_roles WHERE role = 'operator'`)
		return err
	})
	return ok, errs.Wrap("store.HasOperator", err)
}

// Accounts lists accounts in id order (operator only).
func (db *DB) Accounts(ctx context.Context, actor account.Actor, after int64, limit int) ([]*account.Account, error) {
	if err := actor.Require(account.Operator); err != nil {
		return nil, err
	}
	var out []*account.Account
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM accounts WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return sqldb.MapErr(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return sqldb.MapErr(err)
		}
		for _, id := range ids {
			a, err := tx.account(ctx, id)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	})
	return out, errs.Wrap("store.Accounts", err)
}
