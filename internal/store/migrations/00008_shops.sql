-- Shops, share links, visits, customer binding and distributor coupons.

-- +goose Up
CREATE TABLE shops (
    distributor_id BIGINT PRIMARY KEY REFERENCES distributors (id),
    name           TEXT NOT NULL,
    avatar_url     TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- The products a distributor picked; position orders the shop.
CREATE TABLE shop_items (
    distributor_id BIGINT NOT NULL REFERENCES shops (distributor_id),
    product_id     BIGINT NOT NULL REFERENCES products (id),
    position       INTEGER NOT NULL DEFAULT 0,
    added_at       BIGINT NOT NULL,
    PRIMARY KEY (distributor_id, product_id)
);
CREATE INDEX shop_items_product ON shop_items (product_id);

-- A distributor's own price for a SKU: between retail and the SKU's ceiling,
-- only where the supplier allows markup. No row: the retail price. A stored
-- price is checked when set; if the supplier later raises retail above it,
-- lowers the ceiling below it or stops markup, the price in force is retail
-- until the distributor sets a new one (store.effectivePrice, the same rule
-- as checkout's). Rows go when the product leaves the shop.
CREATE TABLE shop_prices (
    distributor_id BIGINT NOT NULL REFERENCES shops (distributor_id),
    sku_id         BIGINT NOT NULL REFERENCES skus (id),
    price          BIGINT NOT NULL CHECK (price >= 0),
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (distributor_id, sku_id)
);

-- Share links carry the distributor: /s/{code} (the shop) or a product.
CREATE TABLE share_links (
    code           TEXT PRIMARY KEY,
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    product_id     BIGINT REFERENCES products (id),
    channel        TEXT NOT NULL CHECK (channel IN ('link', 'poster')),
    created_at     BIGINT NOT NULL
);
-- One link per distributor, product and channel. NULLs are distinct in a
-- plain UNIQUE, so the shop link (product_id NULL) is keyed on COALESCE.
CREATE UNIQUE INDEX share_links_once ON share_links (distributor_id, COALESCE(product_id, 0), channel);

-- Every touch: a link opened, a poster scanned, a coupon entered.
CREATE TABLE visits (
    id                  {{id}},
    distributor_id      BIGINT NOT NULL REFERENCES distributors (id),
    channel             TEXT NOT NULL CHECK (channel IN ('link', 'poster', 'coupon')),
    link_code           TEXT REFERENCES share_links (code),
    coupon_code         TEXT,
    product_id          BIGINT REFERENCES products (id),
    customer_account_id BIGINT REFERENCES accounts (id),
    visitor             TEXT NOT NULL DEFAULT '',
    at                  BIGINT NOT NULL
);
CREATE INDEX visits_customer ON visits (customer_account_id, at);
CREATE INDEX visits_visitor ON visits (visitor, at);
CREATE INDEX visits_distributor ON visits (distributor_id, at);

-- Which distributor a customer belongs to, under the program's binding mode.
CREATE TABLE bindings (
    customer_account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    distributor_id      BIGINT NOT NULL REFERENCES distributors (id),
    visit_id            BIGINT REFERENCES visits (id),
    mode                TEXT NOT NULL,
    bound_at            BIGINT NOT NULL,
    locked_until        BIGINT
);
CREATE INDEX bindings_distributor ON bindings (distributor_id);

-- Every binding decision, kept: it explains attribution and is audited.
CREATE TABLE binding_events (
    id                      {{id}},
    customer_account_id     BIGINT NOT NULL REFERENCES accounts (id),
    distributor_id          BIGINT NOT NULL REFERENCES distributors (id),
    previous_distributor_id BIGINT REFERENCES distributors (id),
    visit_id                BIGINT REFERENCES visits (id),
    outcome                 TEXT NOT NULL,
    reason                  TEXT NOT NULL,
    at                      BIGINT NOT NULL
);
CREATE INDEX binding_events_customer ON binding_events (customer_account_id, id);

-- A distributor's coupon: attributes the order to it and discounts it.
-- kind amount: value is minor units off the order; kind percent: value is bp.
CREATE TABLE coupons (
    id             {{id}},
    code           TEXT NOT NULL UNIQUE,
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    kind           TEXT NOT NULL CHECK (kind IN ('amount', 'percent')),
    value          BIGINT NOT NULL CHECK (value > 0),
    min_order      BIGINT NOT NULL DEFAULT 0 CHECK (min_order >= 0),
    max_uses       BIGINT CHECK (max_uses IS NULL OR max_uses > 0),
    used           BIGINT NOT NULL DEFAULT 0 CHECK (used >= 0),
    valid_from     BIGINT,
    valid_until    BIGINT,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     BIGINT NOT NULL,
    CHECK (max_uses IS NULL OR used <= max_uses)
);
CREATE INDEX coupons_distributor ON coupons (distributor_id, id);

-- +goose Down
DROP TABLE coupons;
DROP TABLE binding_events;
DROP TABLE bindings;
DROP TABLE visits;
DROP TABLE share_links;
DROP TABLE shop_prices;
DROP TABLE shop_items;
DROP TABLE shops;
