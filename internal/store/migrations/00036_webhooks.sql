-- Outgoing webhooks (issue 13, docs/notifications.md). An endpoint belongs
-- to the program (supplier_id NULL: the operator's, every event) or to a
-- supplier (the events of its own goods). The notify sweep adds one
-- webhook_deliveries row per subscribed endpoint in the transaction that
-- records the event; the webhook sweep claims a due delivery (claimed_by,
-- claimed_until, attempts + 1 in one conditional UPDATE), posts it outside
-- any transaction, and records the attempt only while its claim is still
-- the delivery's (claimed_by and attempts unchanged). A claim that lapses
-- (a crashed server) makes the delivery due again.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id          {{id}},
    supplier_id BIGINT REFERENCES suppliers (id),
    url         TEXT NOT NULL,
    event_types TEXT NOT NULL,         -- space-separated kinds, or '*' for all
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    secret      TEXT NOT NULL,         -- the HMAC key; shown once, when made or rotated
    created_by  BIGINT NOT NULL REFERENCES accounts (id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_supplier ON webhook_endpoints (supplier_id, id);

CREATE TABLE webhook_deliveries (
    id            {{id}},
    endpoint_id   BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    event_id      BIGINT NOT NULL REFERENCES notify_events (id),
    replay_of     BIGINT REFERENCES webhook_deliveries (id), -- the delivery an operator replayed
    status        TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       BIGINT NOT NULL,   -- due from then (backoff)
    claimed_by    TEXT NOT NULL DEFAULT '',
    claimed_until BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    ended_at      BIGINT            -- delivered or given up
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id            {{id}},
    delivery_id   BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    attempt       BIGINT NOT NULL,
    executor      TEXT NOT NULL,
    at            BIGINT NOT NULL,
    status_code   BIGINT NOT NULL DEFAULT 0, -- 0 when no response came
    latency_ms    BIGINT NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    response      TEXT NOT NULL DEFAULT '',  -- the first 512 bytes of the response body
    next_at       BIGINT,                    -- the retry the backoff chose; NULL when none
    UNIQUE (delivery_id, attempt)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
