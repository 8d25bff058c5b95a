-- Network insight (issue 12): members per depth, time from joining to
-- first sale, and sales by the seller's grade. docs/insight.md ("Network")
-- defines every figure; insight_network.go folds them.
--
-- Periods are written as in 00023: a month is its first day, yyyymmdd, in
-- the program's time zone when the event is folded.

-- +goose Up
-- What changed the active members at a depth, appended in the transaction
-- that did it: a distributor joined (members 1 when it is active at once,
-- 0 when it waits for review), was approved (+1), suspended (-1) or
-- reinstated (+1), or was moved with its team: one 'move' row per depth
-- its active members left (negative) and reached (positive). depth is the
-- generation (0: no sponsor).
CREATE TABLE network_events (
    id             {{id}},
    kind           TEXT NOT NULL CHECK (kind IN ('join', 'approve', 'suspend', 'reinstate', 'move')),
    distributor_id BIGINT NOT NULL,
    depth          BIGINT NOT NULL CHECK (depth >= 0),
    members        BIGINT NOT NULL,
    at             BIGINT NOT NULL,
    folded         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX network_events_folded ON network_events (folded, id);

-- Per month and depth: distributors who joined at that depth in the month
-- (whatever their review), and the change of the active members there.
-- The active members at a depth at a month's end are the sum of members
-- over the months up to it. Depths from 100 on are kept in the row of
-- depth 100 (insight.DeepRow), so a read is months × 101 rows at most.
CREATE TABLE insight_depths (
    period  INTEGER NOT NULL,
    depth   BIGINT NOT NULL,
    joined  BIGINT NOT NULL DEFAULT 0,
    members BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (period, depth)
);

-- Each distributor's first sale as seller (the earliest booking folded),
-- written by the insight fold; folded = FALSE until the histogram counts
-- it. cohort and days are what the histogram counted it as (NULL before),
-- so an earlier booking folded later moves it.
CREATE TABLE insight_first_sellers (
    distributor_id BIGINT PRIMARY KEY,
    sold_at        BIGINT NOT NULL,
    cohort         INTEGER,
    days           INTEGER,
    folded         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX insight_first_sellers_folded ON insight_first_sellers (folded, distributor_id);

-- Per join month (cohort) and day count (calendar days of the program from
-- the join to the first sale; 367 stands for more than 366): how many
-- distributors made their first sale then.
CREATE TABLE insight_first_sale (
    cohort  INTEGER NOT NULL,
    days    INTEGER NOT NULL CHECK (days >= 0 AND days <= 367),
    sellers BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (cohort, days)
);

-- The seller's grade when the line was booked (0: none, or no seller); a
-- refund carries its booking's.
ALTER TABLE sales_events ADD COLUMN seller_grade BIGINT NOT NULL DEFAULT 0;

-- The history. Every distributor joined at its depth of today (moves
-- before this migration are not known); approved at reviewed_at; a
-- suspended one suspended when the audit log says (its join otherwise).
INSERT INTO network_events (kind, distributor_id, depth, members, at)
    SELECT 'join', id, depth, CASE WHEN reviewed_at IS NULL AND status IN ('active', 'suspended') THEN 1 ELSE 0 END, joined_at
    FROM distributors;
INSERT INTO network_events (kind, distributor_id, depth, members, at)
    SELECT 'approve', id, depth, 1, reviewed_at FROM distributors
    WHERE reviewed_at IS NOT NULL AND status IN ('active', 'suspended');
INSERT INTO network_events (kind, distributor_id, depth, members, at)
    SELECT 'suspend', d.id, d.depth, -1, COALESCE((SELECT MAX(a.at) FROM audit_log a
        WHERE a.action = 'distributor.suspend' AND a.subject = 'distributor:' || CAST(d.id AS TEXT)), d.joined_at)
    FROM distributors d WHERE d.status = 'suspended';
-- First sales: every seller's earliest booking, counted by the first sweep.
INSERT INTO insight_first_sellers (distributor_id, sold_at)
    SELECT e.seller_id, MIN(e.at) FROM sales_events e JOIN distributors d ON d.id = e.seller_id
    WHERE e.refund = FALSE AND e.seller_id <> 0 GROUP BY e.seller_id;
-- Grades: the events recorded so far carry the seller's grade of today,
-- and the breakdown by grade of the days already folded is the breakdown
-- by seller summed by that grade.
UPDATE sales_events SET seller_grade = COALESCE((SELECT d.grade_id FROM distributors d WHERE d.id = sales_events.seller_id), 0)
    WHERE seller_id <> 0;
INSERT INTO insight_breakdown (supplier_id, dim, day, key_code, amount, commission)
    SELECT b.supplier_id, 'grade', b.day, CAST(COALESCE(d.grade_id, 0) AS TEXT), SUM(b.amount), SUM(b.commission)
    FROM insight_breakdown b JOIN distributors d ON d.id = CAST(b.key_code AS BIGINT)
    WHERE b.dim = 'distributor'
    GROUP BY b.supplier_id, b.day, COALESCE(d.grade_id, 0);

-- +goose Down
DELETE FROM insight_breakdown WHERE dim = 'grade';
ALTER TABLE sales_events DROP COLUMN seller_grade;
DROP TABLE insight_first_sale;
DROP TABLE insight_first_sellers;
DROP TABLE insight_depths;
DROP TABLE network_events;
