-- Leases for background sweeps. A sweep runs on the server holding its
-- lease, so several servers do not repeat the same scan; correctness never
-- depends on the lease, because every item a sweep touches changes state
-- with a conditional UPDATE that only one transaction can win.

-- +goose Up
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL DEFAULT '',
    held_until BIGINT NOT NULL DEFAULT 0,
    last_run   BIGINT,
    last_count BIGINT NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE job_leases;
