-- Items background work could not do. A sweep that fails on one item
-- records it here and goes on with the rest; the sweep leaves the item alone
-- until next_attempt_at, then tries it again (backoff doubles per attempt,
-- up to a cap: see store/job_failures.go). An item that then succeeds, or
-- is no longer due, loses its row in the same transaction.
--
-- The record is generic, kind + item, so that any background work can use
-- it: kind is what failed (a sweep's name, or "sweep" for a whole sweep,
-- whose item is then the sweep's name), item names the thing within its kind
-- (an order, commission line, sales event or distributor id, as text).

-- +goose Up
CREATE TABLE job_failures (
    kind             TEXT NOT NULL,
    item             TEXT NOT NULL,
    attempts         BIGINT NOT NULL CHECK (attempts >= 1),
    last_error       TEXT NOT NULL,
    first_failed_at  BIGINT NOT NULL,
    last_failed_at   BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    PRIMARY KEY (kind, item)
);
CREATE INDEX job_failures_next ON job_failures (kind, next_attempt_at);

-- +goose Down
DROP TABLE job_failures;
