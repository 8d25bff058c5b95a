-- Commission overrides resolve per tier (catalog.Commission): an override
-- sets the tiers it names and every other tier falls back to the next, less
-- specific source (SKU, product, grade, program). Before, an override
-- replaced the whole schedule and the tiers it did not list paid 0.
--
-- Stored form before: {"kind":"rate","tiers":[1000,500]}
-- Stored form after:  {"tiers":[{"kind":"rate","rate_bp":1000},{"kind":"rate","rate_bp":500},{"kind":"rate","rate_bp":0}]}
--
-- Every existing override keeps exactly its meaning: each tier it listed
-- keeps its value and kind, and each tier it did not list, up to the
-- compliance guard's 3, becomes an explicit zero of the same kind, so it
-- still pays 0 rather than falling back. Only rows still in the old form
-- (a top-level "kind") are rewritten, so running this twice changes nothing.

-- +goose Up
-- +engine sqlite
UPDATE products SET commission = json_object('tiers', json_array(
    json_object('kind', json_extract(commission, '$.kind'),
        CASE json_extract(commission, '$.kind') WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
        COALESCE(json_extract(commission, '$.tiers[0]'), 0)),
    json_object('kind', json_extract(commission, '$.kind'),
        CASE json_extract(commission, '$.kind') WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
        COALESCE(json_extract(commission, '$.tiers[1]'), 0)),
    json_object('kind', json_extract(commission, '$.kind'),
        CASE json_extract(commission, '$.kind') WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
        COALESCE(json_extract(commission, '$.tiers[2]'), 0))))
WHERE commission IS NOT NULL AND json_extract(commission, '$.kind') IS NOT NULL;
UPDATE skus SET commission = json_object('tiers', json_array(
    json_object('kind', json_extract(commission, '$.kind'),
        CASE json_extract(commission, '$.kind') WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
        COALESCE(json_extract(commission, '$.tiers[0]'), 0)),
    json_object('kind', json_extract(commission, '$.kind'),
        CASE json_extract(commission, '$.kind') WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
        COALESCE(json_extract(commission, '$.tiers[1]'), 0)),
    json_object('kind', json_extract(commission, '$.kind'),
        CASE json_extract(commission, '$.kind') WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
        COALESCE(json_extract(commission, '$.tiers[2]'), 0))))
WHERE commission IS NOT NULL AND json_extract(commission, '$.kind') IS NOT NULL;
-- +engine end
-- +engine postgres
UPDATE products SET commission = (
    SELECT json_build_object('tiers', json_build_array(
        json_build_object('kind', o->>'kind', CASE o->>'kind' WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
            COALESCE((o->'tiers'->>0)::bigint, 0)),
        json_build_object('kind', o->>'kind', CASE o->>'kind' WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
            COALESCE((o->'tiers'->>1)::bigint, 0)),
        json_build_object('kind', o->>'kind', CASE o->>'kind' WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
            COALESCE((o->'tiers'->>2)::bigint, 0))))::text
    FROM (SELECT products.commission::jsonb AS o) AS old)
WHERE commission IS NOT NULL AND (commission::jsonb->>'kind') IS NOT NULL;
UPDATE skus SET commission = (
    SELECT json_build_object('tiers', json_build_array(
        json_build_object('kind', o->>'kind', CASE o->>'kind' WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
            COALESCE((o->'tiers'->>0)::bigint, 0)),
        json_build_object('kind', o->>'kind', CASE o->>'kind' WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
            COALESCE((o->'tiers'->>1)::bigint, 0)),
        json_build_object('kind', o->>'kind', CASE o->>'kind' WHEN 'fixed' THEN 'per_unit' ELSE 'rate_bp' END,
            COALESCE((o->'tiers'->>2)::bigint, 0))))::text
    FROM (SELECT skus.commission::jsonb AS o) AS old)
WHERE commission IS NOT NULL AND (commission::jsonb->>'kind') IS NOT NULL;
-- +engine end

-- +goose Down
-- Nothing to undo in the schema. Overrides stay in the per-tier form: one
-- that leaves a tier unnamed or mixes kinds has no equivalent in the old
-- form, so code from before this migration cannot read them.
SELECT 1;
