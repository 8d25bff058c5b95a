-- Supplier payouts (issue 13, docs/payouts.md "Supplier settlement"): the
-- operator pays a supplier's settled payable in batches, as it pays
-- distributors' withdrawals. The money moves in the ledger (journals
-- supplier_payout:{id}:hold, :paid, :reject; supplier_payable →
-- supplier_paying → supplier_payouts_paid, or back); these rows record the
-- payouts, the operator's decisions and the batches. Only internal/books
-- writes supplier_payouts and supplier_payout_batches. client_key is the
-- operator's idempotency key: the same key for the same supplier makes one
-- payout.

-- +goose Up
CREATE TABLE supplier_payout_batches (
    id         {{id}},
    status     TEXT NOT NULL CHECK (status IN ('exported', 'paid')),
    created_by BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    paid_at    BIGINT,
    paid_by    BIGINT REFERENCES accounts (id),
    payout_ref TEXT,
    CHECK ((status = 'paid') = (paid_at IS NOT NULL AND payout_ref IS NOT NULL))
);

CREATE TABLE supplier_payouts (
    id          {{id}},
    supplier_id BIGINT NOT NULL REFERENCES suppliers (id),
    currency    TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    status      TEXT NOT NULL CHECK (status IN ('approved', 'exported', 'paid', 'rejected')),
    client_key  TEXT NOT NULL,
    batch_id    BIGINT REFERENCES supplier_payout_batches (id),
    payout_ref  TEXT,
    reason      TEXT NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL REFERENCES accounts (id),
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    decided_by  BIGINT REFERENCES accounts (id),
    paid_at     BIGINT,
    CHECK ((status = 'paid') = (paid_at IS NOT NULL AND payout_ref IS NOT NULL)),
    CHECK ((status IN ('exported', 'paid')) = (batch_id IS NOT NULL)),
    UNIQUE (supplier_id, client_key)
);
CREATE INDEX supplier_payouts_supplier ON supplier_payouts (supplier_id, id);
CREATE INDEX supplier_payouts_status ON supplier_payouts (status, id);
CREATE INDEX supplier_payouts_batch ON supplier_payouts (batch_id);

-- The payout details a supplier payout is paid to, copied from
-- payout_details when it was made (as withdrawal_payout_details).
CREATE TABLE supplier_payout_details (
    payout_id BIGINT PRIMARY KEY REFERENCES supplier_payouts (id),
    owner_id  BIGINT NOT NULL,
    method    TEXT NOT NULL CHECK (method IN ('bank_card', 'alipay', 'wechat')),
    masked    TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    box       TEXT NOT NULL
);
CREATE INDEX supplier_payout_details_key ON supplier_payout_details (key_id);

-- +goose Down
DROP TABLE supplier_payout_details;
DROP TABLE supplier_payouts;
DROP TABLE supplier_payout_batches;
