-- The distributor rankings (this week's, this month's top sellers and
-- earners; see ranking_read.go) read the sales events of one period: this
-- index makes that one range of the period's events instead of the table.
-- +goose Up
CREATE INDEX sales_events_at ON sales_events (at);

-- +goose Down
DROP INDEX sales_events_at;
