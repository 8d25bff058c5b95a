-- Market insight: daily, weekly and monthly rollups folded from events by
-- the insight sweep (insight_fold.go), so that every insight
-- read is bounded by the rollups (periods × keys), never by orders.
-- docs/insight.md defines every figure.
--
-- Periods are days of the program's time zone written as yyyymmdd
-- integers: a day is itself, a week its Monday (ISO weeks), a month its
-- first day. supplier_id 0 is the whole program.

-- +goose Up
-- A sales event is a booking (payment) or a refund; a zero-base booking is
-- told from a refund by this flag, not by the sign of base.
ALTER TABLE sales_events ADD COLUMN refund BOOLEAN NOT NULL DEFAULT FALSE;
-- The insight fold keeps its own mark, so that it folds every event once
-- whatever the team figures' fold did, and folds the history too: events
-- recorded before this migration are unfolded for insight. Refunds before
-- it are the events that lowered a base.
UPDATE sales_events SET refund = TRUE WHERE base < 0;
ALTER TABLE sales_events ADD COLUMN insight_folded BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sales_events_insight ON sales_events (insight_folded, id);
-- Orders paid per supplier: whether another of the order's bookings for
-- the same supplier was folded for insight already.
CREATE INDEX sales_events_order ON sales_events (order_id, supplier_id);

-- Events that are not sales: a line's commission settled (ref: the order
-- line), a withdrawal paid out (ref: the withdrawal), a distributor joined
-- (ref: the distributor). Appended in the transaction that did it and
-- folded once, as sales events are.
CREATE TABLE insight_events (
    id      {{id}},
    kind    TEXT NOT NULL CHECK (kind IN ('settled', 'paid_out', 'joined')),
    ref_id  BIGINT NOT NULL,
    amount  BIGINT NOT NULL DEFAULT 0,
    at      BIGINT NOT NULL,
    folded  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX insight_events_folded ON insight_events (folded, id);
-- The history before this migration, folded by the first sweep.
INSERT INTO insight_events (kind, ref_id, amount, at) SELECT 'joined', id, 0, joined_at FROM distributors;
INSERT INTO insight_events (kind, ref_id, amount, at) SELECT 'paid_out', id, amount, paid_at FROM withdrawals WHERE paid_at IS NOT NULL;
INSERT INTO insight_events (kind, ref_id, amount, at)
    SELECT 'settled', c.line_id, COALESCE((SELECT SUM(s.amount) FROM commission_shares s WHERE s.line_id = c.line_id AND s.kind IN ('tier', 'agent')), 0), c.settled_at
    FROM commission_lines c WHERE c.status = 'settled' AND c.settled_at IS NOT NULL;

-- One row per grain ('day', 'week', 'month'), supplier and period.
CREATE TABLE insight_series (
    grain               TEXT NOT NULL CHECK (grain IN ('day', 'week', 'month')),
    supplier_id         BIGINT NOT NULL,
    period              INTEGER NOT NULL,
    gmv                 BIGINT NOT NULL DEFAULT 0, -- base booked on payment
    orders              BIGINT NOT NULL DEFAULT 0, -- orders paid
    customers           BIGINT NOT NULL DEFAULT 0, -- distinct paying customers in the period
    refunds             BIGINT NOT NULL DEFAULT 0, -- refund events (lines refunded, each time)
    refunded            BIGINT NOT NULL DEFAULT 0, -- base refunded
    new_distributors    BIGINT NOT NULL DEFAULT 0, -- program only
    active_distributors BIGINT NOT NULL DEFAULT 0, -- distinct sellers of a line booked in the period
    commission_booked   BIGINT NOT NULL DEFAULT 0, -- tier commission booked on payment
    commission_reversed BIGINT NOT NULL DEFAULT 0, -- tier commission refunds took back
    commission_settled  BIGINT NOT NULL DEFAULT 0, -- commission settled (after-sale window closed)
    commission_paid_out BIGINT NOT NULL DEFAULT 0, -- withdrawals paid, program only
    PRIMARY KEY (grain, supplier_id, period)
);

-- The customers already counted in a period's paying customers: what makes
-- a week's or a month's count distinct, not a sum of days. Written by the
-- fold only; reads never touch it.
CREATE TABLE insight_buyers (
    grain       TEXT NOT NULL,
    supplier_id BIGINT NOT NULL,
    period      INTEGER NOT NULL,
    customer_id BIGINT NOT NULL,
    PRIMARY KEY (grain, supplier_id, period, customer_id)
);

-- The same for active distributors: the sellers already counted in a
-- period.
CREATE TABLE insight_sellers (
    grain          TEXT NOT NULL,
    supplier_id    BIGINT NOT NULL,
    period         INTEGER NOT NULL,
    distributor_id BIGINT NOT NULL,
    PRIMARY KEY (grain, supplier_id, period, distributor_id)
);

-- Per day, supplier (0: program), dimension and key: the base net of
-- refunds and the commission net of refunds. Dimensions: tier (1..3: base
-- of lines with a beneficiary there, that tier's commission), province and
-- city (region codes of the shipping address), product, category (0:
-- none), warehouse, seller (a distributor's own sales; commission: its
-- tier-1 earnings on them).
CREATE TABLE insight_breakdown (
    supplier_id BIGINT NOT NULL,
    dim         TEXT NOT NULL,
    day         INTEGER NOT NULL,
    key_code    TEXT NOT NULL,
    amount      BIGINT NOT NULL DEFAULT 0,
    commission  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, dim, day, key_code)
);

-- +goose Down
DROP TABLE insight_breakdown;
DROP TABLE insight_sellers;
DROP TABLE insight_buyers;
DROP TABLE insight_series;
DROP TABLE insight_events;
DROP INDEX sales_events_insight;
DROP INDEX sales_events_order;
ALTER TABLE sales_events DROP COLUMN insight_folded;
ALTER TABLE sales_events DROP COLUMN refund;
