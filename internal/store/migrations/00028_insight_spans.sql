-- Fast breakdowns (docs/insight.md, "Breakdowns"): the day rows of
-- insight_breakdown summed per week, month and year, and per rolling span
-- of the last 1, 7 and 30 days, each with an index by amount so that a
-- breakdown of one such period is one index range, top rows first, not a
-- sum of days × keys. Written by the insight fold with the day rows; the
-- spans are moved on by the sweep when the program's day changes.

-- +goose Up
-- Per week (its Monday), month (its first day) and year (1 January) as
-- yyyymmdd: the sum of the period's day rows per supplier, dimension and
-- key. A row exists when a day row of the period does.
CREATE TABLE insight_breakdown_periods (
    supplier_id BIGINT NOT NULL,
    dim         TEXT NOT NULL,
    grain       TEXT NOT NULL CHECK (grain IN ('week', 'month', 'year')),
    period      INTEGER NOT NULL,
    key_code    TEXT NOT NULL,
    amount      BIGINT NOT NULL DEFAULT 0,
    commission  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, dim, grain, period, key_code)
);
CREATE INDEX insight_breakdown_periods_top ON insight_breakdown_periods (supplier_id, dim, grain, period, amount DESC, key_code);

-- Per rolling span ('d1', 'd7', 'd30': the span's last day, its anchor in
-- insight_breakdown_state, and the days before it): the sum of the span's
-- day rows. last_day is the latest day of those rows; a key whose
-- last_day has left the span has no row in it any more and is deleted.
CREATE TABLE insight_breakdown_spans (
    supplier_id BIGINT NOT NULL,
    dim         TEXT NOT NULL,
    span        TEXT NOT NULL CHECK (span IN ('d1', 'd7', 'd30')),
    key_code    TEXT NOT NULL,
    amount      BIGINT NOT NULL DEFAULT 0,
    commission  BIGINT NOT NULL DEFAULT 0,
    last_day    INTEGER NOT NULL,
    PRIMARY KEY (supplier_id, dim, span, key_code)
);
-- The day rows by day: what moving a span reads.
CREATE INDEX insight_breakdown_day ON insight_breakdown (day);
CREATE INDEX insight_breakdown_spans_top ON insight_breakdown_spans (supplier_id, dim, span, amount DESC, key_code);

-- The spans' anchors (their last day; 0: not built yet, the next sweep
-- builds them) and the first and last days with a day row (0: none), which
-- tell a read the days it may cover with a longer period because they
-- hold nothing.
CREATE TABLE insight_breakdown_state (
    name TEXT PRIMARY KEY CHECK (name IN ('d1', 'd7', 'd30', 'first_day', 'last_day')),
    day  INTEGER NOT NULL
);
INSERT INTO insight_breakdown_state (name, day) VALUES ('d1', 0), ('d7', 0), ('d30', 0);
INSERT INTO insight_breakdown_state (name, day) SELECT 'first_day', COALESCE(MIN(day), 0) FROM insight_breakdown;
INSERT INTO insight_breakdown_state (name, day) SELECT 'last_day', COALESCE(MAX(day), 0) FROM insight_breakdown;

-- The history folded before this migration.
INSERT INTO insight_breakdown_periods (supplier_id, dim, grain, period, key_code, amount, commission)
    SELECT supplier_id, dim, 'month', day / 100 * 100 + 1, key_code, SUM(amount), SUM(commission)
    FROM insight_breakdown GROUP BY supplier_id, dim, day / 100, key_code;
INSERT INTO insight_breakdown_periods (supplier_id, dim, grain, period, key_code, amount, commission)
    SELECT supplier_id, dim, 'year', day / 10000 * 10000 + 101, key_code, SUM(amount), SUM(commission)
    FROM insight_breakdown GROUP BY supplier_id, dim, day / 10000, key_code;
-- +engine sqlite
INSERT INTO insight_breakdown_periods (supplier_id, dim, grain, period, key_code, amount, commission)
    SELECT supplier_id, dim, 'week', monday, key_code, SUM(amount), SUM(commission) FROM (
        SELECT supplier_id, dim, key_code, amount, commission,
            CAST(strftime('%Y%m%d', d, '-' || ((CAST(strftime('%w', d) AS INTEGER) + 6) % 7) || ' days') AS INTEGER) AS monday
        FROM (SELECT b.*, printf('%04d-%02d-%02d', day / 10000, day / 100 % 100, day % 100) AS d FROM insight_breakdown b) b
    ) w GROUP BY supplier_id, dim, monday, key_code;
-- +engine end
-- +engine postgres
INSERT INTO insight_breakdown_periods (supplier_id, dim, grain, period, key_code, amount, commission)
    SELECT supplier_id, dim, 'week', monday, key_code, SUM(amount), SUM(commission) FROM (
        SELECT supplier_id, dim, key_code, amount, commission,
            CAST(to_char(date_trunc('week', to_date(CAST(day AS TEXT), 'YYYYMMDD')), 'YYYYMMDD') AS INTEGER) AS monday
        FROM insight_breakdown
    ) w GROUP BY supplier_id, dim, monday, key_code;
-- +engine end

-- +goose Down
DROP TABLE insight_breakdown_state;
DROP TABLE insight_breakdown_spans;
DROP TABLE insight_breakdown_periods;
DROP INDEX insight_breakdown_day;
