package store

import (
	"database/sql"
	"time"

	"sharemall/internal/sqldb"
)

// Times are stored as Unix microseconds in UTC (sqldb.TS).

func ts(t time.Time) int64 { return sqldb.TS(t) }

func fromTS(v int64) time.Time { return sqldb.FromTS(v) }

func fromNullTS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromTS(v.Int64)
	return &t
}

func nullTS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ts(*t), Valid: true}
}

func nullString(s string) sql.NullString { return sqldb.NullString(s) }

func nullInt(v int64) sql.NullInt64 { return sqldb.NullInt(v) }

// nullableInt scans a nullable integer as 0 (sqldb.NullableInt).
type nullableInt = sqldb.NullableInt

// nullableString scans a nullable text as "" (sqldb.NullableString).
type nullableString = sqldb.NullableString
