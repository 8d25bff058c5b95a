-- Team and sales figures, kept as rollups so that every read is a constant
-- number of indexed look-ups however large the tree.
--
-- Booking a line and each refund of it append one sales_events row in the
-- same transaction (one INSERT: payment never walks the upline). The
-- figures sweep folds unfolded events into the rollups in batches, under
-- the fold lock (figures_state 'fold'), and marks them folded in the same
-- transaction, so each event is folded exactly once whatever the number of
-- runners and whatever order concurrent payments commit in.
--
-- Amounts are minor units of the program's currency; base is the
-- commission base (retail price × quantity − discount), net of refunds.
-- supplier_id 0 and region '' mean a line booked without an order line
-- (ledger tests); such events still count in the seller's figures.

-- +goose Up
CREATE TABLE sales_events (
    id           {{id}},
    line_id      BIGINT NOT NULL,
    order_id     BIGINT NOT NULL,
    seller_id    BIGINT NOT NULL DEFAULT 0,  -- tier 1; 0 when no distributor sold the line
    supplier_id  BIGINT NOT NULL DEFAULT 0,
    region       TEXT NOT NULL DEFAULT '',   -- the order's ship_region
    new_order    BOOLEAN NOT NULL,           -- first line of its order: counts the order once
    base         BIGINT NOT NULL,            -- change of the line's base (negative for a refund)
    tier1_id     BIGINT NOT NULL DEFAULT 0,  -- the snapshot's beneficiaries
    tier2_id     BIGINT NOT NULL DEFAULT 0,
    tier3_id     BIGINT NOT NULL DEFAULT 0,
    tier1_amount BIGINT NOT NULL DEFAULT 0,  -- change of each tier's commission
    tier2_amount BIGINT NOT NULL DEFAULT 0,
    tier3_amount BIGINT NOT NULL DEFAULT 0,
    at           BIGINT NOT NULL,
    folded       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sales_events_folded ON sales_events (folded, id);

-- One row per distributor with any sale in itself or its team. depthK_sales
-- are the sales of members K levels below; team_sales of members at every
-- depth (own sales excluded). grade_due: figures changed since the grades
-- sweep last looked.
CREATE TABLE distributor_sales (
    distributor_id BIGINT PRIMARY KEY REFERENCES distributors (id),
    own_sales      BIGINT NOT NULL DEFAULT 0,
    own_orders     BIGINT NOT NULL DEFAULT 0,
    depth1_sales   BIGINT NOT NULL DEFAULT 0,
    depth2_sales   BIGINT NOT NULL DEFAULT 0,
    depth3_sales   BIGINT NOT NULL DEFAULT 0,
    team_sales     BIGINT NOT NULL DEFAULT 0,
    grade_due      BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX distributor_sales_grade_due ON distributor_sales (grade_due, distributor_id);

-- Per supplier and tier: the base of lines with a tier-K beneficiary and
-- the commission tier K earns on them. Tier 0 is every line.
CREATE TABLE sales_by_tier (
    supplier_id BIGINT NOT NULL,
    tier        INTEGER NOT NULL CHECK (tier BETWEEN 0 AND 3),
    base        BIGINT NOT NULL DEFAULT 0,
    commission  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, tier)
);

-- Per supplier and region code at every level of the shipping address
-- (country, province, city, district).
CREATE TABLE sales_by_region (
    supplier_id BIGINT NOT NULL,
    region_code TEXT NOT NULL,
    base        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, region_code)
);

-- fold: a row every fold and grades sweep updates first, so they run one
-- at a time on PostgreSQL as on SQLite. The others remember what the
-- grades sweep last saw (see grades_upgrade.go).
CREATE TABLE figures_state (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO figures_state (name, value) VALUES ('fold', 0), ('grades_signature', 0), ('members_seen', 0);

-- +goose Down
DROP TABLE figures_state;
DROP TABLE sales_by_region;
DROP TABLE sales_by_tier;
DROP TABLE distributor_sales;
DROP TABLE sales_events;
