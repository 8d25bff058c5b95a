-- The campaign rule a line was booked under (docs/simulator.md): a line
-- sold in a campaign paid tier 1 by the campaign's rule, so a replay that
-- is to equal what was booked must know it. kind '' is no campaign; else
-- 'rate' (campaign_rate in basis points) or 'fixed' (campaign_per_unit in
-- minor units). Rows folded before this migration are folded again.

-- +goose Up
ALTER TABLE sim_lines ADD COLUMN campaign_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE sim_lines ADD COLUMN campaign_rate BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sim_lines ADD COLUMN campaign_per_unit BIGINT NOT NULL DEFAULT 0;
UPDATE sales_events SET sim_folded = FALSE
    WHERE sim_folded = TRUE AND line_id IN (SELECT id FROM order_lines WHERE campaign_id IS NOT NULL);

-- +goose Down
ALTER TABLE sim_lines DROP COLUMN campaign_per_unit;
ALTER TABLE sim_lines DROP COLUMN campaign_rate;
ALTER TABLE sim_lines DROP COLUMN campaign_kind;
