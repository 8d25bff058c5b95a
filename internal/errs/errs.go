// Package errs is Sharemall's error type: every error a user can see has a
// code from a small fixed set, the field it is about (when there is one) and
// a reason a person can act on. Adapters map codes to their own statuses;
// only Internal errors are logged as faults.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Code is the kind of an error. The set is small on purpose: callers branch
// on codes, never on messages.
type Code string

const (
	Invalid      Code = "invalid"      // the request is wrong; nothing changed
	NotFound     Code = "not_found"    // no such thing, or not visible to the caller
	Conflict     Code = "conflict"     // clashes with the current state (duplicate, wrong status)
	Unauthorized Code = "unauthorized" // who is calling is unknown
	Forbidden    Code = "forbidden"    // the caller may not do this
	TooMany      Code = "too_many"     // rate limited; try later
	TooLarge     Code = "too_large"    // the request body is over the limit
	Unavailable  Code = "unavailable"  // a dependency (the database) is down
	Internal     Code = "internal"     // a fault of ours
)

// BadMethod: the path exists, but not with the method asked (HTTP's 405).
const BadMethod Code = "method_not_allowed"

// Error is a domain error. Op says where it happened (for logs), Field names
// the input it is about, Message says why in words fit for the caller.
type Error struct {
	Op      string
	Code    Code
	Field   string
	Message string
	Err     error // the underlying cause, never shown to callers
	// RetryAfter is, for TooMany, how long until the same request may
	// succeed; 0 when that is not known.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := ""
	if e.Op != "" {
		s = e.Op + ": "
	}
	s += string(e.Code)
	if e.Field != "" {
		s += " " + e.Field
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error with a code, the field it is about and a reason.
func E(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalidf is the common case: a field failed a rule.
func Invalidf(field, format string, args ...any) *Error {
	return E(Invalid, field, format, args...)
}

// Wrap records where an error passed through. A domain error keeps its code
// (a copy is made so shared sentinel values are never mutated); any other
// error becomes Internal.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		c := *e
		if c.Op == "" {
			c.Op = op
		} else {
			c.Op = op + ": " + c.Op
		}
		return &c
	}
	return &Error{Op: op, Code: Internal, Err: err}
}

// CodeOf returns the code of err: its own if it is a domain error, Internal otherwise.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// FieldOf returns the field a domain error names, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// MessageOf returns the caller-facing reason. Internal errors never leak their cause.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "internal error"
}

// TooManyFor is a TooMany error that says when to try again.
func TooManyFor(retry time.Duration, field, format string, args ...any) *Error {
	e := E(TooMany, field, format, args...)
	e.RetryAfter = retry
	return e
}

// RetryAfterOf returns how long a TooMany error asks the caller to wait, or 0.
func RetryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.Code == TooMany {
		return e.RetryAfter
	}
	return 0
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
