-- Withdrawals and payout batches. The money itself moves in the ledger
-- (journals withdrawal:{id}:request, :paid, :reject); these rows record the
-- requests, the operator's decisions and the bank batches.
-- client_key is the request's Idempotency-Key, NULL when none was sent: the
-- plain UNIQUE (distributor_id, client_key) then never clashes, on both
-- engines, because NULLs are distinct.

-- +goose Up
CREATE TABLE withdrawal_batches (
    id         {{id}},
    status     TEXT NOT NULL CHECK (status IN ('exported', 'paid')),
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    paid_at    BIGINT,
    paid_by    BIGINT REFERENCES accounts (id),
    payout_ref TEXT,
    CHECK ((status = 'paid') = (paid_at IS NOT NULL AND payout_ref IS NOT NULL))
);

CREATE TABLE withdrawals (
    id             {{id}},
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    currency       TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    fee            BIGINT NOT NULL CHECK (fee >= 0),
    net            BIGINT NOT NULL CHECK (net > 0),
    status         TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'paid', 'rejected')),
    client_key     TEXT,
    payout_ref     TEXT,
    batch_id       BIGINT REFERENCES withdrawal_batches (id),
    reason         TEXT NOT NULL DEFAULT '',
    requested_at   BIGINT NOT NULL,
    decided_at     BIGINT,
    decided_by     BIGINT REFERENCES accounts (id),
    paid_at        BIGINT,
    CHECK (fee + net = amount),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL AND payout_ref IS NOT NULL)),
    UNIQUE (distributor_id, client_key)
);
CREATE INDEX withdrawals_status ON withdrawals (status, id);
CREATE INDEX withdrawals_distributor ON withdrawals (distributor_id, requested_at);
CREATE INDEX withdrawals_batch ON withdrawals (batch_id);

-- +goose Down
DROP TABLE withdrawals;
DROP TABLE withdrawal_batches;
