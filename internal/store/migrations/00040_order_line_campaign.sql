-- The campaign an order line was placed under (issue 14, docs/campaigns.md),
-- NULL for none. The line's snapshot records the campaign's rule; this
-- column is what cancelling an unpaid order reads to give the units back
-- to the campaign's stock limit, and what the campaign's figures count.

-- +goose Up
ALTER TABLE order_lines ADD COLUMN campaign_id BIGINT REFERENCES campaigns (id);
CREATE INDEX order_lines_campaign ON order_lines (campaign_id);

-- +goose Down
DROP INDEX order_lines_campaign;
ALTER TABLE order_lines DROP COLUMN campaign_id;
