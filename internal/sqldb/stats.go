package sqldb

// BatchStats reports the writes waiting for the batcher and the commits it
// made; ok is false where writes are not batched (PostgreSQL). For tests.
func (db *DB) BatchStats() (waiting, commits int64, ok bool) {
	if db.batch == nil {
		return 0, 0, false
	}
	return db.batch.waiting.Load(), db.batch.commits.Load(), true
}

// Prepared reports whether q is prepared in the writer's (write) or the
// readers' statement cache; false on PostgreSQL, which has none. For tests.
func (db *DB) Prepared(q string, write bool) bool {
	c := db.readStmts
	if write {
		c = db.writeStmts
	}
	st, _ := c.get(q)
	return st != nil
}
