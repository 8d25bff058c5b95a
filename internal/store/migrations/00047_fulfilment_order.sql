-- Costs found profiling checkout on PostgreSQL at a million distributors
-- (issue 15, docs/benchmarks.md):
--
-- An order's parcels are read and updated by the order (every order page,
-- the payment's release of its parcels, the customer's and seller's order
-- lists), and fulfilment_orders had no index on order_id: PostgreSQL
-- scanned the parcels of every order in the status asked for, SQLite the
-- whole table, a cost that grows with the history.
--
-- commission_lines had two indexes on booked_at (00035's
-- commission_lines_booked_at and 00042's commission_lines_booked), both
-- kept up on every booking; the second goes.
--
-- PostgreSQL's sealing check joined the statement's new entries to
-- journals, a join the planner may make by hashing the whole journals
-- table (it did, once per posting, while the table was small, and
-- PL/pgSQL keeps that plan for the connection's life). It now looks each
-- journal up by its key, the same check.

-- +goose Up
CREATE INDEX fulfilment_order ON fulfilment_orders (order_id);
DROP INDEX commission_lines_booked;
-- +engine postgres
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_entries_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sealed BIGINT;
BEGIN
    SELECT n.journal_id INTO sealed
    FROM (SELECT DISTINCT journal_id FROM new_entries) n
    WHERE (SELECT COUNT(*) FROM ledger_entries e WHERE e.journal_id = n.journal_id)
        > (SELECT j.entry_count FROM journals j WHERE j.id = n.journal_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal % is sealed: it has all its entries; post a correcting journal', sealed
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +engine end

-- +goose Down
-- +engine postgres
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_entries_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sealed BIGINT;
BEGIN
    SELECT n.journal_id INTO sealed
    FROM (SELECT DISTINCT journal_id FROM new_entries) n JOIN journals j ON j.id = n.journal_id
    WHERE (SELECT COUNT(*) FROM ledger_entries e WHERE e.journal_id = n.journal_id) > j.entry_count
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal % is sealed: it has all its entries; post a correcting journal', sealed
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +engine end
CREATE INDEX commission_lines_booked ON commission_lines (booked_at);
DROP INDEX fulfilment_order;
