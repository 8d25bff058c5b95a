-- Regions, suppliers and their API keys, categories, products, SKUs,
-- warehouses with service areas, and stock.
--
-- Region codes are dot-separated paths, one segment per level: "CN" (country,
-- ISO 3166-1), "CN.44" (province), "CN.44.03" (city), "CN.44.03.05"
-- (district); below the country the segments are the pairs of digits of the
-- six-digit administrative division code (GB/T 2260 440305 → CN.44.03.05).
-- A region covers every code that starts with its code and a dot.

-- +goose Up
CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    parent_code TEXT REFERENCES regions (code),
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    name        TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code);

CREATE TABLE suppliers (
    id               {{id}},
    owner_account_id BIGINT NOT NULL UNIQUE REFERENCES accounts (id),
    name             TEXT NOT NULL UNIQUE,
    contact_email    TEXT NOT NULL DEFAULT '',
    contact_phone    TEXT NOT NULL DEFAULT '',
    allow_markup     BOOLEAN NOT NULL DEFAULT TRUE,
    status           TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'rejected', 'suspended')),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX suppliers_status ON suppliers (status);

CREATE TABLE api_keys (
    id           {{id}},
    supplier_id  BIGINT NOT NULL REFERENCES suppliers (id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_by   BIGINT NOT NULL REFERENCES accounts (id),
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_supplier ON api_keys (supplier_id);

CREATE TABLE categories (
    id        {{id}},
    parent_id BIGINT REFERENCES categories (id),
    name      TEXT NOT NULL,
    slug      TEXT NOT NULL UNIQUE
);

CREATE TABLE products (
    id          {{id}},
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    category_id BIGINT REFERENCES categories (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    images      TEXT NOT NULL DEFAULT '[]',  -- JSON array of image URLs
    commission  TEXT,                        -- JSON override, see catalog.Commission
    on_sale     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX products_supplier ON products (supplier_id, id);
CREATE INDEX products_category ON products (category_id, id);

CREATE TABLE skus (
    id            {{id}},
    product_id    BIGINT NOT NULL REFERENCES products (id),
    code          TEXT NOT NULL,
    options       TEXT NOT NULL DEFAULT '{}',  -- JSON object, e.g. {"colour":"red","size":"M"}
    retail_price  BIGINT NOT NULL CHECK (retail_price >= 0),
    price_ceiling BIGINT CHECK (price_ceiling IS NULL OR price_ceiling >= retail_price),
    commission    TEXT,
    on_sale       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (product_id, code)
);

CREATE TABLE warehouses (
    id          {{id}},
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    name        TEXT NOT NULL,
    region_code TEXT NOT NULL REFERENCES regions (code),
    priority    INTEGER NOT NULL DEFAULT 0,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (supplier_id, name)
);

CREATE TABLE warehouse_areas (
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    PRIMARY KEY (warehouse_id, region_code)
);
CREATE INDEX warehouse_areas_region ON warehouse_areas (region_code);

CREATE TABLE stock (
    warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),
    sku_id       BIGINT NOT NULL REFERENCES skus (id),
    on_hand      BIGINT NOT NULL CHECK (on_hand >= 0),
    reserved     BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (warehouse_id, sku_id)
);
CREATE INDEX stock_sku ON stock (sku_id);

-- +goose Down
DROP TABLE stock;
DROP TABLE warehouse_areas;
DROP TABLE warehouses;
DROP TABLE skus;
DROP TABLE products;
DROP TABLE categories;
DROP TABLE api_keys;
DROP TABLE suppliers;
DROP TABLE regions;
