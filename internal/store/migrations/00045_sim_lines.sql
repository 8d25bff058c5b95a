-- The commission cost simulator's inputs, one compact row per booked order
-- line (docs/simulator.md): who its snapshot paid, what it sold, the
-- seller's grade when it was booked, its amounts after refunds and the
-- shares booked on it after refunds. Derived, never the truth: folded from
-- sales_events (a booking or a refund of the line) by recomputing the row
-- from commission_lines, commission_shares and order_lines, so that a
-- replay reads one row a line in line order, without joins or JSON.

-- +goose Up
ALTER TABLE sales_events ADD COLUMN sim_folded BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX sales_events_sim ON sales_events (sim_folded, id);

CREATE TABLE sim_lines (
    line_id     {{id}},                  -- the order line (commission_lines.line_id)
    booked_at   BIGINT NOT NULL,
    currency    TEXT NOT NULL,
    tiers       INTEGER NOT NULL,        -- how many tiers the snapshot paid
    supplier_id BIGINT NOT NULL,
    seller_id   BIGINT NOT NULL,         -- tier 1; 0 for none
    tier2_id    BIGINT NOT NULL,         -- the snapshot's upline; 0 for nobody
    tier3_id    BIGINT NOT NULL,
    agent_id    BIGINT NOT NULL,         -- the regional agent; 0 for none
    product_id  BIGINT NOT NULL,
    sku_id      BIGINT NOT NULL,
    grade_id    BIGINT NOT NULL,         -- the seller's grade when booked; 0 for none
    base        BIGINT NOT NULL,         -- after refunds
    markup      BIGINT NOT NULL,
    quantity    BIGINT NOT NULL,
    tier1       BIGINT NOT NULL,         -- the shares as they stand after refunds
    tier2       BIGINT NOT NULL,
    tier3       BIGINT NOT NULL,
    agent       BIGINT NOT NULL,
    platform    BIGINT NOT NULL,
    supplier    BIGINT NOT NULL,
    seller_markup BIGINT NOT NULL
);
CREATE INDEX sim_lines_booked_at ON sim_lines (booked_at);

-- One row every fold takes first, so that folds run one at a time: a fold
-- that read a line before a refund never writes over one that read it after.
CREATE TABLE sim_fold_lock (id INTEGER PRIMARY KEY);
INSERT INTO sim_fold_lock (id) VALUES (1);

-- +goose Down
DROP TABLE sim_fold_lock;
DROP TABLE sim_lines;
DROP INDEX sales_events_sim;
ALTER TABLE sales_events DROP COLUMN sim_folded;
