-- Fission (issue 12): the share funnel, the viral coefficient and cohort
-- retention, folded by the insight sweep (insight_funnel.go) from funnel
-- events appended in the transaction that did each step. docs/insight.md,
-- "Fission", defines every figure.
--
-- Periods are yyyymmdd keys of the program's days as in 00023; a cohort
-- and an active month are their month's first day.

-- +goose Up
-- One row per step: link (a share link made), visit (a link opened or a
-- poster scanned; visitor: 'v:' and the browser token, or 'a:' and the
-- signed-in account, '' for neither), binding (a customer bound or
-- re-bound to the distributor by a touch), order (placed), paid, settled
-- (the order completed), joined (a distributor joined; sponsor_id its
-- sponsor). An order step has one row per distinct product of the order
-- with a seller; first_program marks one row of the order (it counts in
-- the distributor's and the totals rows) and first_supplier one row per
-- supplier of the order. Other steps are one row, both marks TRUE.
CREATE TABLE funnel_events (
    id             {{id}},
    step           TEXT NOT NULL CHECK (step IN ('link', 'visit', 'binding', 'order', 'paid', 'settled', 'joined')),
    distributor_id BIGINT NOT NULL,
    product_id     BIGINT NOT NULL DEFAULT 0,
    supplier_id    BIGINT NOT NULL DEFAULT 0,
    sponsor_id     BIGINT NOT NULL DEFAULT 0,
    visitor        TEXT NOT NULL DEFAULT '',
    first_program  BOOLEAN NOT NULL DEFAULT TRUE,
    first_supplier BOOLEAN NOT NULL DEFAULT TRUE,
    at             BIGINT NOT NULL,
    folded         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX funnel_events_folded ON funnel_events (folded, id);

-- The history, folded by the first sweep.
INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, at)
    SELECT 'link', l.distributor_id, COALESCE(l.product_id, 0), COALESCE(p.supplier_id, 0), l.created_at
    FROM share_links l LEFT JOIN products p ON p.id = l.product_id;
INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, visitor, at)
    SELECT 'visit', v.distributor_id, COALESCE(v.product_id, 0), COALESCE(p.supplier_id, 0),
        CASE WHEN v.visitor <> '' THEN 'v:' || v.visitor
             WHEN v.customer_account_id IS NOT NULL THEN 'a:' || CAST(v.customer_account_id AS TEXT) ELSE '' END, v.at
    FROM visits v LEFT JOIN products p ON p.id = v.product_id WHERE v.channel <> 'coupon';
INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, at)
    SELECT 'binding', e.distributor_id, COALESCE(v.product_id, 0), COALESCE(p.supplier_id, 0), e.at
    FROM binding_events e LEFT JOIN visits v ON v.id = e.visit_id LEFT JOIN products p ON p.id = v.product_id
    WHERE e.outcome IN ('bound', 'rebound');
INSERT INTO funnel_events (step, distributor_id, sponsor_id, at)
    SELECT 'joined', id, COALESCE(sponsor_id, 0), joined_at FROM distributors;
INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, first_program, first_supplier, at)
    SELECT DISTINCT 'order', o.seller_id, l.product_id, l.supplier_id,
        l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id),
        l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id AND m.supplier_id = l.supplier_id),
        o.created_at
    FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.seller_id IS NOT NULL;
INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, first_program, first_supplier, at)
    SELECT DISTINCT 'paid', o.seller_id, l.product_id, l.supplier_id,
        l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id),
        l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id AND m.supplier_id = l.supplier_id),
        o.paid_at
    FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.seller_id IS NOT NULL AND o.paid_at IS NOT NULL;
-- An order completed before this migration settled when its last line did.
INSERT INTO funnel_events (step, distributor_id, product_id, supplier_id, first_program, first_supplier, at)
    SELECT DISTINCT 'settled', o.seller_id, l.product_id, l.supplier_id,
        l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id),
        l.product_id = (SELECT MIN(m.product_id) FROM order_lines m WHERE m.order_id = o.id AND m.supplier_id = l.supplier_id),
        COALESCE((SELECT MAX(c.settled_at) FROM commission_lines c WHERE c.order_id = o.id), o.paid_at)
    FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.seller_id IS NOT NULL AND o.status = 'completed';

-- The funnel per supplier (0: the program), grain, period, distributor (0:
-- all) and product (0: all). Rows are kept per distributor (product 0),
-- per product (distributor 0) and for the totals (both 0), never per pair.
CREATE TABLE insight_funnel (
    supplier_id    BIGINT NOT NULL,
    grain          TEXT NOT NULL CHECK (grain IN ('day', 'week', 'month')),
    distributor_id BIGINT NOT NULL,
    product_id     BIGINT NOT NULL,
    period         INTEGER NOT NULL,
    links          BIGINT NOT NULL DEFAULT 0,
    visits         BIGINT NOT NULL DEFAULT 0,
    visitors       BIGINT NOT NULL DEFAULT 0,
    bindings       BIGINT NOT NULL DEFAULT 0,
    orders         BIGINT NOT NULL DEFAULT 0,
    paid           BIGINT NOT NULL DEFAULT 0,
    settled        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (supplier_id, grain, distributor_id, product_id, period)
);

-- The visitors already counted per grain, period, distributor and product
-- (a unique visitor is the first visit of one in a period). Written by the
-- fold only; reads never touch it.
CREATE TABLE funnel_visitors (
    grain          TEXT NOT NULL,
    period         INTEGER NOT NULL,
    distributor_id BIGINT NOT NULL,
    product_id     BIGINT NOT NULL,
    visitor        TEXT NOT NULL,
    PRIMARY KEY (grain, period, distributor_id, product_id, visitor)
);

-- Per monthly join cohort: how many joined, and how many members they
-- invited joined within 30 days of their sponsor, and ever.
CREATE TABLE insight_cohorts (
    cohort     INTEGER PRIMARY KEY,
    joined     BIGINT NOT NULL DEFAULT 0,
    invited_30 BIGINT NOT NULL DEFAULT 0,
    invited    BIGINT NOT NULL DEFAULT 0
);

-- The cohort's distributors who sold in each month: the set (written by
-- the fold only) and its counts per months since the cohort (k = 0..36).
CREATE TABLE cohort_activity (
    cohort         INTEGER NOT NULL,
    distributor_id BIGINT NOT NULL,
    active_month   INTEGER NOT NULL,
    PRIMARY KEY (cohort, distributor_id, active_month)
);
CREATE TABLE insight_retention (
    cohort INTEGER NOT NULL,
    k      INTEGER NOT NULL,
    active BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (cohort, k)
);

-- +goose Down
DROP TABLE insight_retention;
DROP TABLE cohort_activity;
DROP TABLE insight_cohorts;
DROP TABLE funnel_visitors;
DROP TABLE insight_funnel;
DROP TABLE funnel_events;
