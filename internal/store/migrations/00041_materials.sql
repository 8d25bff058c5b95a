-- Marketing materials (issue 14, docs/materials.md): pictures and copy in
-- Chinese and/or English for one product, published by the operator (any
-- product) or the product's supplier, shared by distributors with their own
-- link. supplier_id is the product's supplier, kept for scoping the
-- supplier's list. campaign_id names a campaign but has no foreign key yet:
-- campaigns are another change's tables; the key is added when both meet.
--
-- A visit that came through a material's link keeps the material
-- (visits.material_id), so the material's funnel counts its visits and the
-- orders they brought.

-- +goose Up
CREATE TABLE materials (
    id          {{id}},
    product_id  BIGINT NOT NULL REFERENCES products (id),
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    campaign_id BIGINT,
    images      TEXT NOT NULL DEFAULT '[]', -- JSON list of picture URLs, the first the cover
    copy_zh     TEXT NOT NULL DEFAULT '',
    copy_en     TEXT NOT NULL DEFAULT '',
    published   BOOLEAN NOT NULL DEFAULT FALSE,
    created_by  BIGINT NOT NULL REFERENCES accounts (id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX materials_supplier ON materials (supplier_id, id);
CREATE INDEX materials_published ON materials (published, id);

ALTER TABLE visits ADD COLUMN material_id BIGINT REFERENCES materials (id);
CREATE INDEX visits_material ON visits (material_id, at);

-- +goose Down
DROP INDEX visits_material;
ALTER TABLE visits DROP COLUMN material_id;
DROP TABLE materials;
