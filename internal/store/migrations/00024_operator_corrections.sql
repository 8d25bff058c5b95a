-- Operators' manual adjustments of distributors' wallets (issue 12). The
-- money moves in the ledger (journal adjustment:{distributor}:{key}, whose
-- memo is the reason); this row records who decided it, why, and how much
-- of it met the wallet's debt. Only internal/books writes it. client_key is
-- the operator's idempotency key: the same key for the same distributor
-- books once.

-- +goose Up
CREATE TABLE wallet_adjustments (
    id             {{id}},
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    client_key     TEXT NOT NULL,
    direction      TEXT NOT NULL CHECK (direction IN ('credit', 'debit')),
    currency       TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    to_debt        BIGINT NOT NULL CHECK (to_debt >= 0 AND to_debt <= amount),
    reason         TEXT NOT NULL,
    journal_key    TEXT NOT NULL UNIQUE,
    created_by     BIGINT NOT NULL REFERENCES accounts (id),
    created_at     BIGINT NOT NULL,
    UNIQUE (distributor_id, client_key)
);

-- The optional review of products (program setting product_review): a
-- product is sold only while review = 'approved'. Products that exist are
-- approved; with review on, a new or edited product is 'pending' until an
-- operator decides.
ALTER TABLE products ADD COLUMN review TEXT NOT NULL DEFAULT 'approved' CHECK (review IN ('pending', 'approved', 'rejected'));
ALTER TABLE products ADD COLUMN review_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE products DROP COLUMN review_reason;
ALTER TABLE products DROP COLUMN review;
DROP TABLE wallet_adjustments;
