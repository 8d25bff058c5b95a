-- Campaigns (issue 14, docs/campaigns.md): for a period [starts_at, ends_at)
-- a boosted tier-1 rule, an optional customer price and an optional stock
-- limit on chosen SKUs. supplier_id is the supplier that runs it, NULL for
-- the operator's (any supplier's products). A product chosen as a whole is
-- stored as its SKUs at the time of saving (campaign_items), each with the
-- campaign price, if any. sold counts the units that unpaid and paid orders
-- hold under the campaign: checkout adds to it with a conditional UPDATE
-- (sold + quantity <= stock_limit), cancelling an unpaid order takes its
-- units back. Ending a campaign sets ends_at (and, for one not started yet,
-- starts_at) to the moment it was ended. version counts edits; an order's
-- snapshot records the id and version it was placed under.

-- +goose Up
CREATE TABLE campaigns (
    id             {{id}},
    supplier_id    BIGINT REFERENCES suppliers (id),
    created_by     BIGINT NOT NULL REFERENCES accounts (id),
    name           TEXT NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    tier1_kind     TEXT NOT NULL CHECK (tier1_kind IN ('rate', 'fixed')),
    tier1_rate     BIGINT NOT NULL DEFAULT 0 CHECK (tier1_rate >= 0 AND tier1_rate <= 10000),
    tier1_per_unit BIGINT NOT NULL DEFAULT 0 CHECK (tier1_per_unit >= 0),
    stock_limit    BIGINT CHECK (stock_limit > 0),
    sold           BIGINT NOT NULL DEFAULT 0 CHECK (sold >= 0),
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CHECK (ends_at >= starts_at)
);
CREATE INDEX campaigns_period ON campaigns (ends_at, starts_at);
CREATE INDEX campaigns_supplier ON campaigns (supplier_id, ends_at);

CREATE TABLE campaign_items (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    sku_id      BIGINT NOT NULL REFERENCES skus (id),
    product_id  BIGINT NOT NULL REFERENCES products (id),
    price       BIGINT CHECK (price > 0),
    PRIMARY KEY (campaign_id, sku_id)
);
CREATE INDEX campaign_items_sku ON campaign_items (sku_id);

-- +goose Down
DROP TABLE campaign_items;
DROP TABLE campaigns;
