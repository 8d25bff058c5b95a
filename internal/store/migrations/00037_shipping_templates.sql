-- Shipping templates (issue 13, docs/shipping.md). A supplier's template
-- charges per piece or per weight, by destination region (the rules are
-- JSON: shipping.Template's default rule and rules; the store checks every
-- region exists when it is saved), and may be free above a goods total. A
-- product names its template, or uses its supplier's default; neither
-- means free shipping, as before templates existed. A SKU's weight (grams)
-- is what per-weight templates count; 0 until the supplier sets it.

-- +goose Up
CREATE TABLE shipping_templates (
    id          {{id}},
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    name        TEXT NOT NULL,
    basis       TEXT NOT NULL CHECK (basis IN ('piece', 'weight')),
    rules       TEXT NOT NULL,                         -- JSON: {"default": rule, "rules": [rule…]}
    free_above  BIGINT CHECK (free_above >= 0),        -- NULL: never free
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (supplier_id, name)
);
CREATE INDEX shipping_templates_supplier ON shipping_templates (supplier_id, id);
ALTER TABLE products ADD COLUMN shipping_template_id BIGINT REFERENCES shipping_templates (id);
ALTER TABLE suppliers ADD COLUMN shipping_template_id BIGINT REFERENCES shipping_templates (id);
ALTER TABLE skus ADD COLUMN weight_grams BIGINT NOT NULL DEFAULT 0 CHECK (weight_grams >= 0);

-- +goose Down
ALTER TABLE skus DROP COLUMN weight_grams;
ALTER TABLE suppliers DROP COLUMN shipping_template_id;
ALTER TABLE products DROP COLUMN shipping_template_id;
DROP TABLE shipping_templates;
