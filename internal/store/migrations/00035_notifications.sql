-- Notifications (issue 13, docs/notifications.md). Nothing in the money
-- paths writes here: the notify sweep reads what those paths already record
-- durably (orders.paid_at, fulfilment_orders.shipped_at and received_at,
-- aftersale_cases.decided_at, commission_lines.booked_at and settled_at,
-- commission_refunds, withdrawals.decided_at, distributors.joined_at) from a
-- watermark per source, and turns each moment into one notify_events row
-- (UNIQUE (kind, ref_id): never twice), one notifications row per person it
-- concerns and one webhook delivery per subscribed endpoint, all in one
-- transaction with the watermark: nothing is lost on a crash.

-- +goose Up
CREATE TABLE notify_events (
    id          {{id}},
    kind        TEXT NOT NULL,
    ref_id      BIGINT NOT NULL,
    supplier_id BIGINT NOT NULL DEFAULT 0, -- the supplier whose goods it concerns (its webhooks see it); 0 for none
    data        TEXT NOT NULL,             -- JSON: the event's details, as webhooks carry them
    at          BIGINT NOT NULL,           -- when it happened (the source's time)
    created_at  BIGINT NOT NULL,           -- when the sweep found it
    UNIQUE (kind, ref_id)
);
CREATE INDEX notify_events_supplier ON notify_events (supplier_id, id);

CREATE TABLE notifications (
    id         {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    event_id   BIGINT NOT NULL REFERENCES notify_events (id),
    amount     BIGINT NOT NULL DEFAULT 0, -- the person's own amount (a commission), 0 when none
    at         BIGINT NOT NULL,           -- the event's time: the list is newest first by (at, id)
    created_at BIGINT NOT NULL,
    read_at    BIGINT,
    UNIQUE (account_id, event_id)
);
CREATE INDEX notifications_account ON notifications (account_id, at, id);

-- Where each source's sweep has read up to (its time column, Unix µs). The
-- sweep reads again from a margin before it, so a transaction that took its
-- time earlier but committed later is still found; UNIQUE (kind, ref_id)
-- keeps the overlap from notifying twice.
CREATE TABLE notify_watermarks (
    source TEXT PRIMARY KEY,
    at     BIGINT NOT NULL
);

-- The sources' time columns, so a sweep reads only what is new.
CREATE INDEX orders_paid_at ON orders (paid_at);
CREATE INDEX fulfilment_shipped_at ON fulfilment_orders (shipped_at);
CREATE INDEX fulfilment_received_at ON fulfilment_orders (received_at);
CREATE INDEX aftersale_decided_at ON aftersale_cases (decided_at);
CREATE INDEX commission_lines_booked_at ON commission_lines (booked_at);
CREATE INDEX commission_lines_settled_at ON commission_lines (settled_at);
CREATE INDEX commission_refunds_at ON commission_refunds (at);
CREATE INDEX withdrawals_decided_at ON withdrawals (decided_at);
CREATE INDEX distributors_joined_at ON distributors (joined_at);

-- +goose Down
DROP INDEX distributors_joined_at;
DROP INDEX withdrawals_decided_at;
DROP INDEX commission_refunds_at;
DROP INDEX commission_lines_settled_at;
DROP INDEX commission_lines_booked_at;
DROP INDEX aftersale_decided_at;
DROP INDEX fulfilment_received_at;
DROP INDEX fulfilment_shipped_at;
DROP INDEX orders_paid_at;
DROP TABLE notify_watermarks;
DROP TABLE notifications;
DROP TABLE notify_events;
