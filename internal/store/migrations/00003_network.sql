-- Grades and the distributor network.
--
-- The referral tree is stored so that every read the product needs is a
-- constant number of indexed look-ups, whatever the depth or size:
--   * sponsor_id, ancestor2_id, ancestor3_id: the upline up to the tier cap
--     (3) on the row itself, so an order's upline is one primary-key read;
--   * team_size and depth1..3_count: counters of active members below,
--     kept in the same transaction as every join, approval or move;
--   * the three ancestor columns are indexed, so members at depth 1, 2 or 3
--     below anyone are one index range, paged by id.
-- depth is the generation (0 for a distributor without sponsor).
-- network_lock has one row; every change to the tree's shape or counters
-- updates it first, so those changes run one at a time on PostgreSQL as
-- they do on SQLite, and counters read by one change are never stale.

-- +goose Up
CREATE TABLE grades (
    id                 {{id}},
    name               TEXT NOT NULL UNIQUE,
    rank               INTEGER NOT NULL UNIQUE CHECK (rank >= 0),
    tier1_rate_bp      BIGINT CHECK (tier1_rate_bp IS NULL OR tier1_rate_bp BETWEEN 0 AND 10000),
    own_sales_min      BIGINT NOT NULL DEFAULT 0 CHECK (own_sales_min >= 0),
    team_sales_min     BIGINT NOT NULL DEFAULT 0 CHECK (team_sales_min >= 0),
    direct_members_min BIGINT NOT NULL DEFAULT 0 CHECK (direct_members_min >= 0),
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE distributors (
    id            {{id}},
    account_id    BIGINT NOT NULL UNIQUE REFERENCES accounts (id),
    referral_code TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'suspended')),
    sponsor_id    BIGINT REFERENCES distributors (id),
    ancestor2_id  BIGINT REFERENCES distributors (id),
    ancestor3_id  BIGINT REFERENCES distributors (id),
    depth         BIGINT NOT NULL DEFAULT 0 CHECK (depth >= 0),
    grade_id      BIGINT REFERENCES grades (id),
    team_size     BIGINT NOT NULL DEFAULT 0 CHECK (team_size >= 0),
    depth1_count  BIGINT NOT NULL DEFAULT 0 CHECK (depth1_count >= 0),
    depth2_count  BIGINT NOT NULL DEFAULT 0 CHECK (depth2_count >= 0),
    depth3_count  BIGINT NOT NULL DEFAULT 0 CHECK (depth3_count >= 0),
    joined_at     BIGINT NOT NULL,
    reviewed_at   BIGINT,
    CHECK (sponsor_id IS NULL OR sponsor_id <> id)
);
CREATE INDEX distributors_sponsor ON distributors (sponsor_id, id);
CREATE INDEX distributors_ancestor2 ON distributors (ancestor2_id, id);
CREATE INDEX distributors_ancestor3 ON distributors (ancestor3_id, id);
CREATE INDEX distributors_status ON distributors (status, id);

CREATE TABLE network_lock (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO network_lock (id, version) VALUES (1, 0);

-- +goose Down
DROP TABLE network_lock;
DROP TABLE distributors;
DROP TABLE grades;
