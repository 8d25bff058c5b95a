-- Packed breakdowns (docs/insight.md, "Breakdowns"): a breakdown of a
-- custom range sums its days per key, and a day of a large program holds a
-- row for each of thousands of distributors; summing them as rows costs a
-- B-tree step per row. A pack is one (supplier, dimension, day or month)'s
-- rows in one value, key-sorted and varint-encoded, which a read decodes
-- and sums in memory: a 60-day range is some 60 values, not 150,000 rows.
-- The rows stay the truth: the fold marks a pack stale in the transaction
-- that changes its rows, the insight sweep rebuilds stale packs from the
-- rows under the fold lock, and a read uses the rows of any piece whose
-- pack is stale. Months are packed once they are over (a month still
-- running is read as its days' packs).

-- +goose Up
-- +engine sqlite
CREATE TABLE insight_breakdown_packs (
    supplier_id BIGINT NOT NULL,
    dim         TEXT NOT NULL,
    grain       TEXT NOT NULL CHECK (grain IN ('day', 'month')),
    period      INTEGER NOT NULL,
    body        BLOB NOT NULL,
    stale       BOOLEAN NOT NULL,
    PRIMARY KEY (supplier_id, dim, grain, period)
);
-- +engine end
-- +engine postgres
CREATE TABLE insight_breakdown_packs (
    supplier_id BIGINT NOT NULL,
    dim         TEXT NOT NULL,
    grain       TEXT NOT NULL CHECK (grain IN ('day', 'month')),
    period      INTEGER NOT NULL,
    body        BYTEA NOT NULL,
    stale       BOOLEAN NOT NULL,
    PRIMARY KEY (supplier_id, dim, grain, period)
);
-- +engine end
-- What the sweep rebuilds: the stale packs, oldest first.
CREATE INDEX insight_breakdown_packs_stale ON insight_breakdown_packs (grain, period) WHERE stale;

-- The history folded before this migration: every day and month with rows,
-- stale, for the sweep to pack.
-- +engine sqlite
INSERT INTO insight_breakdown_packs (supplier_id, dim, grain, period, body, stale)
    SELECT DISTINCT supplier_id, dim, 'day', day, X'', TRUE FROM insight_breakdown;
INSERT INTO insight_breakdown_packs (supplier_id, dim, grain, period, body, stale)
    SELECT DISTINCT supplier_id, dim, 'month', period, X'', TRUE FROM insight_breakdown_periods WHERE grain = 'month';
-- +engine end
-- +engine postgres
INSERT INTO insight_breakdown_packs (supplier_id, dim, grain, period, body, stale)
    SELECT DISTINCT supplier_id, dim, 'day', day, ''::bytea, TRUE FROM insight_breakdown;
INSERT INTO insight_breakdown_packs (supplier_id, dim, grain, period, body, stale)
    SELECT DISTINCT supplier_id, dim, 'month', period, ''::bytea, TRUE FROM insight_breakdown_periods WHERE grain = 'month';
-- +engine end

-- +goose Down
DROP TABLE insight_breakdown_packs;
