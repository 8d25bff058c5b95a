-- Regional agents, orders, their lines and fulfilment orders, payments.
--
-- An order is what a customer pays for in one checkout. It splits into one
-- fulfilment order per warehouse that ships part of it. Each line records at
-- checkout the commission snapshot (seller, upline, every rate, the rules'
-- version), so later changes never change an existing order.

-- +goose Up
-- One agent per area; the most specific area of a shipping address wins.
CREATE TABLE regional_agents (
    region_code    TEXT PRIMARY KEY REFERENCES regions (code),
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    granted_by     BIGINT REFERENCES accounts (id),
    granted_at     BIGINT NOT NULL
);
CREATE INDEX regional_agents_distributor ON regional_agents (distributor_id);

CREATE TABLE orders (
    id                  {{id}},
    customer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    seller_id           BIGINT REFERENCES distributors (id), -- the attributed distributor; NULL for none
    attribution         TEXT NOT NULL,                      -- JSON: which visit, binding or coupon won, and why
    coupon_id           BIGINT REFERENCES coupons (id),
    currency            TEXT NOT NULL,
    goods_total         BIGINT NOT NULL CHECK (goods_total >= 0), -- before the discount
    discount            BIGINT NOT NULL DEFAULT 0 CHECK (discount >= 0),
    total               BIGINT NOT NULL CHECK (total >= 0),       -- what the customer pays
    ship_region         TEXT NOT NULL REFERENCES regions (code),
    ship_name           TEXT NOT NULL,
    ship_phone          TEXT NOT NULL,
    ship_address        TEXT NOT NULL,
    settings_version    BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('unpaid', 'paid', 'cancelled', 'completed')),
    created_at          BIGINT NOT NULL,
    pay_by              BIGINT NOT NULL,                    -- unpaid orders are cancelled after this
    paid_at             BIGINT,
    cancelled_at        BIGINT,
    CHECK (total = goods_total - discount)
);
CREATE INDEX orders_customer ON orders (customer_account_id, id);
CREATE INDEX orders_seller ON orders (seller_id, id);
CREATE INDEX orders_status ON orders (status, pay_by);

-- Checkout's Idempotency-Key: the same key and body return the same order.
CREATE TABLE checkout_keys (
    customer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    idempotency_key     TEXT NOT NULL,
    request_hash        TEXT NOT NULL,
    order_id            BIGINT NOT NULL REFERENCES orders (id),
    created_at          BIGINT NOT NULL,
    PRIMARY KEY (customer_account_id, idempotency_key)
);

CREATE TABLE fulfilment_orders (
    id              {{id}},
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    supplier_id     BIGINT NOT NULL REFERENCES suppliers (id),
    warehouse_id    BIGINT NOT NULL REFERENCES warehouses (id),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'released', 'shipped', 'received', 'cancelled')),
    carrier         TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL DEFAULT '',
    released_at     BIGINT,
    shipped_at      BIGINT,
    received_at     BIGINT,
    UNIQUE (order_id, warehouse_id)
);
CREATE INDEX fulfilment_supplier ON fulfilment_orders (supplier_id, status, id);
CREATE INDEX fulfilment_status ON fulfilment_orders (status, shipped_at);

CREATE TABLE order_lines (
    id             {{id}},
    order_id       BIGINT NOT NULL REFERENCES orders (id),
    fulfilment_id  BIGINT NOT NULL REFERENCES fulfilment_orders (id),
    sku_id         BIGINT NOT NULL REFERENCES skus (id),
    product_id     BIGINT NOT NULL REFERENCES products (id),
    supplier_id    BIGINT NOT NULL REFERENCES suppliers (id),
    warehouse_id   BIGINT NOT NULL REFERENCES warehouses (id),
    title          TEXT NOT NULL,
    quantity       BIGINT NOT NULL CHECK (quantity > 0),
    unit_retail    BIGINT NOT NULL CHECK (unit_retail >= 0),
    unit_price     BIGINT NOT NULL CHECK (unit_price >= unit_retail),
    discount       BIGINT NOT NULL DEFAULT 0 CHECK (discount >= 0), -- the order discount allocated to this line
    base           BIGINT NOT NULL CHECK (base >= 0),   -- unit_retail × quantity − discount: the commission base
    markup         BIGINT NOT NULL CHECK (markup >= 0), -- (unit_price − unit_retail) × quantity
    snapshot       TEXT NOT NULL                        -- JSON commission.Snapshot
);
CREATE INDEX order_lines_order ON order_lines (order_id, id);
CREATE INDEX order_lines_fulfilment ON order_lines (fulfilment_id);

CREATE TABLE payments (
    id           {{id}},
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'refunded')),
    created_at   BIGINT NOT NULL,
    paid_at      BIGINT,
    refunded_at  BIGINT, -- a payment that arrived for a cancelled (or already paid) order is refunded
    UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_order ON payments (order_id);

-- Every callback a provider sent, accepted or refused: evidence for disputes.
CREATE TABLE payment_callbacks (
    id           {{id}},
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    payload      TEXT NOT NULL,
    outcome      TEXT NOT NULL, -- applied, duplicate, late_payment, double_payment, bad_signature, bad_payload, bad_amount, unknown_payment
    at           BIGINT NOT NULL
);
CREATE INDEX payment_callbacks_ref ON payment_callbacks (provider, provider_ref);

-- A provider's signing secret when none is configured: made on first use and
-- kept, so callbacks signed before a restart still verify after it.
CREATE TABLE provider_secrets (
    provider   TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE provider_secrets;
DROP TABLE payment_callbacks;
DROP TABLE payments;
DROP TABLE order_lines;
DROP TABLE fulfilment_orders;
DROP TABLE checkout_keys;
DROP TABLE orders;
DROP TABLE regional_agents;
