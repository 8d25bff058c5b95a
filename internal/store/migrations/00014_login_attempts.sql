-- Login throttling by client address as well as by login name. Each row is a
-- failed login or an attempt whose password is being checked right now: an
-- attempt is recorded before its password is checked, in the same
-- transaction that counts, so concurrent guesses cannot all pass the count.
-- A good password deletes the row again. The old per-name failures are only
-- throttling state (15 minutes long), so they are dropped, not carried over.

-- +goose Up
DROP TABLE login_failures;

CREATE TABLE login_attempts (
    id      {{id}},
    login   TEXT NOT NULL,
    address TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);
CREATE INDEX login_attempts_at ON login_attempts (at);

-- +goose Down
DROP TABLE login_attempts;

CREATE TABLE login_failures (
    id         {{id}},
    identifier TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX login_failures_identifier ON login_failures (identifier, at);
