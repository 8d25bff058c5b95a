-- Accounts, roles, sessions, login throttling, the audit log and program settings.
-- Times are BIGINT Unix microseconds (UTC) on both engines: one comparison
-- semantics, no driver-specific time parsing. Money is BIGINT minor units,
-- rates are BIGINT basis points.

-- +goose Up
CREATE TABLE accounts (
    id            {{id}},
    email         TEXT UNIQUE,
    phone         TEXT UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

CREATE TABLE account_roles (
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role       TEXT NOT NULL CHECK (role IN ('operator', 'supplier', 'distributor', 'customer')),
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, role)
);

-- Session and API tokens are stored only as SHA-256 hashes.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE login_failures (
    id         {{id}},
    identifier TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX login_failures_identifier ON login_failures (identifier, at);

CREATE TABLE audit_log (
    id               {{id}},
    at               BIGINT NOT NULL,
    actor_account_id BIGINT REFERENCES accounts (id),
    action           TEXT NOT NULL,
    subject          TEXT NOT NULL,
    old_value        TEXT,
    new_value        TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Every change of the program's rules is a new version; orders will snapshot
-- the version they were priced under.
CREATE TABLE program_settings (
    version    BIGINT PRIMARY KEY,
    settings   TEXT NOT NULL,
    changed_by BIGINT REFERENCES accounts (id),
    changed_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE program_settings;
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE account_roles;
DROP TABLE accounts;
