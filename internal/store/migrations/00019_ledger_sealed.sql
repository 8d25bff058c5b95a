-- The ledger sealed, and each wallet's withdrawn figure kept beside it.
--
-- journals.entry_count is how many entries a journal was posted with. The
-- database refuses an entry for a journal that already has that many, so
-- once posting has inserted a journal's entries (the same transaction, right
-- after the journal) nothing can be added to it: not to an old journal, nor
-- to this transaction's own a second time. Journals posted before this
-- migration have 0, so they are sealed as they stand. `ledger check`
-- recomputes every journal's digest from its entries and compares the count.
--
-- A ledger account's code, kind, owner and currency never change once it
-- is opened; only its cached balance does.
--
-- wallet_withdrawn is what each distributor has withdrawn for good (its
-- paid withdrawals, fee included), added to in the transaction that books
-- the payout (withdrawal:{id}:paid), so reading a wallet costs the same
-- however many withdrawals other distributors were paid. `ledger check`
-- proves it equals the paid withdrawals.

-- +goose Up
ALTER TABLE journals ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;

CREATE TABLE wallet_withdrawn (
    distributor_id BIGINT PRIMARY KEY REFERENCES distributors (id),
    amount         BIGINT NOT NULL CHECK (amount >= 0)
);
INSERT INTO wallet_withdrawn (distributor_id, amount)
    SELECT distributor_id, SUM(amount) FROM withdrawals WHERE status = 'paid' GROUP BY distributor_id;

-- +engine sqlite
-- +goose StatementBegin
CREATE TRIGGER ledger_entries_sealed BEFORE INSERT ON ledger_entries
WHEN (SELECT COUNT(*) FROM ledger_entries WHERE journal_id = NEW.journal_id)
    >= COALESCE((SELECT entry_count FROM journals WHERE id = NEW.journal_id), 0)
BEGIN SELECT RAISE(ABORT, 'the journal is sealed: it has all its entries; post a correcting journal'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_identity BEFORE UPDATE OF code, kind, owner_id, currency ON ledger_accounts
WHEN NEW.code IS NOT OLD.code OR NEW.kind IS NOT OLD.kind OR NEW.owner_id IS NOT OLD.owner_id OR NEW.currency IS NOT OLD.currency
BEGIN SELECT RAISE(ABORT, 'a ledger account''s code, kind, owner and currency never change; open another account'); END;
-- +goose StatementEnd
-- +engine end

-- +engine postgres
-- One check per INSERT statement (its rows in a transition table), since
-- posting inserts all of a journal's entries in one statement.
-- +goose StatementBegin
CREATE FUNCTION ledger_entries_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER ledger_entries_sealed AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_sealed();
-- +goose StatementBegin
CREATE FUNCTION ledger_account_identity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger account %: its code, kind, owner and currency never change; open another account', OLD.code
        USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_accounts_identity BEFORE UPDATE OF code, kind, owner_id, currency ON ledger_accounts
    FOR EACH ROW WHEN (NEW.code IS DISTINCT FROM OLD.code OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.currency IS DISTINCT FROM OLD.currency)
    EXECUTE FUNCTION ledger_account_identity();
-- +engine end

-- +goose Down
-- +engine sqlite
DROP TRIGGER ledger_accounts_identity;
DROP TRIGGER ledger_entries_sealed;
-- +engine end
-- +engine postgres
DROP TRIGGER ledger_accounts_identity ON ledger_accounts;
DROP FUNCTION ledger_account_identity();
DROP TRIGGER ledger_entries_sealed ON ledger_entries;
DROP FUNCTION ledger_entries_sealed();
-- +engine end
DROP TABLE wallet_withdrawn;
ALTER TABLE journals DROP COLUMN entry_count;
