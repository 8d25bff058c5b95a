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

// NullableInt scans a nullable integer as 0.
type NullableInt int64

func (n *NullableInt) Scan(v any) error {
	var x sql.NullInt64
	if err := x.Scan(v); err != nil {
		return err
	}
	*n = NullableInt(x.Int64)
	return nil
}

// NullableString scans a nullable text as "".
type NullableString string

func (n *NullableString) Scan(v any) error {
	var x sql.NullString
	if err := x.Scan(v); err != nil {
		return err
	}
	*n = NullableString(x.String)
	return nil
}

// Args turns ids into query arguments.
func Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
