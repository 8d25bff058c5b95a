package sqldb

import "context"

// A transaction carries what its owner needs until it ends: values by key
// (Value), and work to do as its last statements (BeforeCommit). The engine
// gives them no meaning.

type value struct {
	key, v any
}

type beforeCommit struct {
	key any
	fn  func(ctx context.Context) error
}

// Value returns the value stored under key in this transaction, or nil.
func (tx *Tx) Value(key any) any {
	for _, kv := range tx.values {
		if kv.key == key {
			return kv.v
		}
	}
	return nil
}

// SetValue stores v under key for the rest of this transaction.
func (tx *Tx) SetValue(key, v any) {
	for i, kv := range tx.values {
		if kv.key == key {
			tx.values[i].v = v
			return
		}
	}
	tx.values = append(tx.values, value{key, v})
}

// BeforeCommit makes fn run once as the transaction's last work, after the
// function given to Write has returned nil and before the commit; an error
// from fn rolls the transaction back (a batched one to its savepoint) and is
// the write's error. A key registered before keeps its first fn. Hooks run
// in the order they were first registered.
func (tx *Tx) BeforeCommit(key any, fn func(ctx context.Context) error) {
	for _, b := range tx.before {
		if b.key == key {
			return
		}
	}
	tx.before = append(tx.before, beforeCommit{key, fn})
}

// runBeforeCommit runs the hooks registered with BeforeCommit, including
// those a hook registers, and forgets them.
func (tx *Tx) runBeforeCommit(ctx context.Context) error {
	for i := 0; i < len(tx.before); i++ {
		if err := tx.before[i].fn(ctx); err != nil {
			return err
		}
	}
	tx.before = nil
	return nil
}

// ExecAside runs a statement that commits at once, whatever becomes of this
// transaction: on PostgreSQL on a small pool of its own, so that no
// transaction waits on rows this one created and has not committed; the
// next statement of this transaction sees its rows (READ COMMITTED). On
// SQLite, which has one writer, in this transaction. Only for rows that may
// outlive a rollback harmlessly.
func (tx *Tx) ExecAside(ctx context.Context, q string, args ...any) error {
	if tx.aside != nil {
		tx.pg.trips.Add(1)
		_, err := tx.aside.ExecContext(ctx, rebind(tx.engine, q), args...)
		return MapErr(err)
	}
	_, err := tx.Exec(ctx, q, args...)
	return err
}
