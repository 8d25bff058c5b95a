-- The double-entry ledger. Entries and journals are immutable: the database
-- itself refuses UPDATE and DELETE on them (triggers on both engines);
-- corrections are new journals. ledger_accounts.balance is a cache of
-- SUM(credits) − SUM(debits), updated in the same transaction as the
-- entries; `sharemall ledger check` proves the two agree.

-- +goose Up
CREATE TABLE ledger_accounts (
    id         {{id}},
    code       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    owner_id   BIGINT,
    currency   TEXT NOT NULL,
    balance    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_accounts_owner ON ledger_accounts (kind, owner_id);

CREATE TABLE journals (
    id              {{id}},
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    memo            TEXT NOT NULL DEFAULT '',
    currency        TEXT NOT NULL,
    digest          TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX journals_kind ON journals (kind, id);

CREATE TABLE ledger_entries (
    id         {{id}},
    journal_id BIGINT NOT NULL REFERENCES journals (id),
    account_id BIGINT NOT NULL REFERENCES ledger_accounts (id),
    direction  TEXT NOT NULL CHECK (direction IN ('D', 'C')),
    amount     BIGINT NOT NULL CHECK (amount > 0),
    currency   TEXT NOT NULL
);
CREATE INDEX ledger_entries_journal ON ledger_entries (journal_id);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);

-- +engine sqlite
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable; post a correcting journal'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable; post a correcting journal'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER journals_no_update BEFORE UPDATE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are immutable; post a correcting journal'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER journals_no_delete BEFORE DELETE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are immutable; post a correcting journal'); END;
-- +goose StatementEnd
-- +engine end

-- +engine postgres
-- +goose StatementBegin
CREATE FUNCTION ledger_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is immutable; post a correcting journal', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER journals_immutable BEFORE UPDATE OR DELETE ON journals
    FOR EACH ROW EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();
CREATE TRIGGER journals_no_truncate BEFORE TRUNCATE ON journals
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_immutable();
-- +engine end

-- +goose Down
-- +engine postgres
DROP TRIGGER journals_no_truncate ON journals;
DROP TRIGGER ledger_entries_no_truncate ON ledger_entries;
DROP TRIGGER journals_immutable ON journals;
DROP TRIGGER ledger_entries_immutable ON ledger_entries;
DROP FUNCTION ledger_immutable();
-- +engine end
DROP TABLE ledger_entries;
DROP TABLE journals;
DROP TABLE ledger_accounts;
