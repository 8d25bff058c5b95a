-- Every run of the ledger check (issue 12): on demand from the console or
-- the command line, and hourly by the ledger sweep, so the console shows
-- when the books were last proved sound and what was found. The check
-- itself reads the journals (books.Check); this table only records runs.

-- +goose Up
CREATE TABLE ledger_checks (
    id        {{id}},
    by_source TEXT NOT NULL CHECK (by_source IN ('console', 'command', 'sweep')),
    at        BIGINT NOT NULL,    -- when the check finished
    took_ms   BIGINT NOT NULL,
    problems  BIGINT NOT NULL,    -- how many problems it found
    detail    TEXT NOT NULL       -- the first problems, one per line
);
CREATE INDEX ledger_checks_at ON ledger_checks (at);

-- +goose Down
DROP TABLE ledger_checks;
