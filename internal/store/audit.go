package store

import (
	"context"
	"encoding/json"
	"time"

	"sharemall/internal/errs"
	"sharemall/internal/sqldb"
)

// AuditEntry is one line of the audit log: who changed what, when, from what to what.
type AuditEntry struct {
	ID             int64
	At             time.Time
	ActorAccountID int64 // 0 for the system (jobs, the command line)
	Action         string
	Subject        string
	Old, New       json.RawMessage // nil when there was no old or new value
}

// audit writes an audit line in the caller's transaction, so a change and
// its record commit together or not at all.
func (tx *Tx) audit(ctx context.Context, actorID int64, action, subject string, old, new any) error {
	o, err := jsonOrNull(old)
	if err != nil {
		return err
	}
	n, err := jsonOrNull(new)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, actor_account_id, action, subject, old_value, new_value)
		VALUES (?, ?, ?, ?, ?, ?)`, ts(tx.Now()), nullInt(actorID), action, subject, o, n)
	return err
}

func jsonOrNull(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errs.Wrap("store.audit", err)
	}
	return string(b), nil
}

// AuditFilter selects audit lines in the order they were written.
type AuditFilter struct {
	Action  string // exact action, "" for all
	AfterID int64  // page: lines after this id
	Limit   int    // at most 1000; 0 means 100
}

// AuditLog lists audit lines.
func (db *DB) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var out []AuditEntry
	err := db.Read(ctx, func(tx *Tx) error {
		q := `SELECT id, at, actor_account_id, action, subject, old_value, new_value FROM audit_log WHERE 1=1`
		var args []any
		if f.Action != "" {
			q += ` AND action = ?`
			args = append(args, f.Action)
		}
		if f.AfterID > 0 {
			q += ` AND id > ?`
			args = append(args, f.AfterID)
		}
		q += ` ORDER BY id LIMIT ?`
		args = append(args, f.Limit)
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e AuditEntry
			var at int64
			var actor nullableInt
			var o, n nullableString
			if err := rows.Scan(&e.ID, &at, &actor, &e.Action, &e.Subject, &o, &n); err != nil {
				return sqldb.MapErr(err)
			}
			e.At, e.ActorAccountID = fromTS(at), int64(actor)
			if o != "" {
				e.Old = json.RawMessage(o)
			}
			if n != "" {
				e.New = json.RawMessage(n)
			}
			out = append(out, e)
		}
		return sqldb.MapErr(rows.Err())
	})
	return out, errs.Wrap("store.AuditLog", err)
}
