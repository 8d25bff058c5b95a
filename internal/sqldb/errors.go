package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"sharemall/internal/errs"
)

// MapErr turns driver errors into domain codes at the storage boundary.
// Constraint violations become Conflict or Invalid; callers that know which
// field a constraint guards re-label the error with that field (Relabel).
func MapErr(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &errs.Error{Code: errs.Unavailable, Message: "request cancelled or timed out", Err: err}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &errs.Error{Code: errs.NotFound, Message: "not found", Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &errs.Error{Code: errs.Conflict, Message: "already exists", Err: err}
		case "23503":
			return &errs.Error{Code: errs.Invalid, Message: "refers to something that does not exist, or is still referred to", Err: err}
		case "23514", "23502", "22001", "22003", "22P02":
			return &errs.Error{Code: errs.Invalid, Message: "value breaks a rule of the database", Err: err}
		case "23001": // restrict_violation: raised by triggers that keep rows immutable
			return &errs.Error{Code: errs.Conflict, Message: "refused by the database", Err: err}
		case "40001", "40P01":
			return &errs.Error{Code: errs.Conflict, Message: "concurrent update; retry", Err: err}
		case "57P01", "57P02", "57P03", "08000", "08003", "08006":
			return &errs.Error{Code: errs.Unavailable, Message: "database unavailable", Err: err}
		}
		return &errs.Error{Code: errs.Internal, Err: err}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &errs.Error{Code: errs.Conflict, Message: "already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &errs.Error{Code: errs.Invalid, Message: "refers to something that does not exist, or is still referred to", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &errs.Error{Code: errs.Invalid, Message: "value breaks a rule of the database", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			return &errs.Error{Code: errs.Conflict, Message: "refused by the database", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &errs.Error{Code: errs.Unavailable, Message: "database busy; retry", Err: err}
		}
		return &errs.Error{Code: errs.Internal, Err: err}
	}
	return &errs.Error{Code: errs.Internal, Err: err}
}

// ConstraintName returns the name of the violated constraint when the
// driver reports one (PostgreSQL), or the "table.column" list SQLite reports.
func ConstraintName(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		msg := se.Error()
		if i := strings.LastIndex(msg, "failed: "); i >= 0 {
			return msg[i+len("failed: "):]
		}
	}
	return ""
}

// Relabel gives a constraint error the field and reason a caller can act on.
// It leaves every other error unchanged.
func Relabel(err error, code errs.Code, field, message string) error {
	if errs.CodeOf(err) != code {
		return err
	}
	return &errs.Error{Code: code, Field: field, Message: message, Err: err}
}
