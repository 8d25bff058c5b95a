-- The audit export (issue 14, docs/audit-export.md) reads a period of
-- binding decisions, commission lines, withdrawals and supplier payouts by
-- their time; these indexes let it read a period without a table scan
-- (commission refunds have theirs from 00035).

-- +goose Up
CREATE INDEX binding_events_at ON binding_events (at);
CREATE INDEX commission_lines_booked ON commission_lines (booked_at);
CREATE INDEX withdrawals_requested ON withdrawals (requested_at);
CREATE INDEX supplier_payouts_created ON supplier_payouts (created_at);

-- +goose Down
DROP INDEX supplier_payouts_created;
DROP INDEX withdrawals_requested;
DROP INDEX commission_lines_booked;
DROP INDEX binding_events_at;
