package sqldb

import (
	"database/sql"
	"time"
)

// Times are stored as Unix microseconds in UTC (see the first migration).

// TS is t as stored.
func TS(t time.Time) int64 { return t.UTC().UnixMicro() }

// FromTS is a stored time.
func FromTS(v int64) time.Time { return time.UnixMicro(v).UTC() }

// NullInt stores 0 as NULL.
func NullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }

// NullString stores "" as NULL.
func NullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
