-- The effects outbox, and refunds that are owed before they are made.
--
-- A call to an outside provider (a refund now; payouts and webhooks later)
-- is recorded as an effect in the same transaction as the state that needs
-- it, then executed after the commit, by the request that made it and by
-- the effects sweep, with the effect's idempotency key, until the provider
-- confirms: never lost across a crash, never made twice (the provider
-- treats the key as idempotent, and the effect is marked done once).
--
-- status: due (to be made; last_error says why the last attempt failed, if
-- it did), done (the provider confirmed), failed (the provider refused it
-- for good: it waits for a person, see docs/money.md). claimed_until: an
-- executor calling the provider holds the effect until then, so another
-- server does not call at the same time; one that crashed lets go when it
-- passes. amount and currency are the money the effect moves (refunds: what
-- goes back), so `ledger check` can prove the suspense account refunds_due
-- holds exactly what the due and failed refunds owe.
--
-- Payments gain refund_due (a late or double payment, owed back whole) and
-- refunded_amount (what has gone back of the payment, after-sale refunds
-- included); after-sale cases gain refund_due (decided and booked, the
-- provider's refund not yet confirmed; the case still holds its line).
-- SQLite cannot change a CHECK constraint, so it rebuilds both tables.
--
-- What the code before this left: a payment marked refunded was refunded
-- (or so it thought) whole; a refunded case gave back its amount of its
-- order's payment. An approved refund_only case whose provider refund
-- failed stays approved: approving it again books it and makes the
-- refund due.

-- +goose Up
CREATE TABLE effects (
    id              {{id}},
    kind            TEXT NOT NULL,              -- refund
    idempotency_key TEXT NOT NULL UNIQUE,       -- the provider's key: payment:{id}, case:{id}
    provider        TEXT NOT NULL,              -- who executes it: a payment provider's name
    payload         TEXT NOT NULL,              -- JSON: what the executor needs (refund: provider_ref, payment_id, case_id)
    amount          BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),
    currency        TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('due', 'done', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0), -- failed attempts
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    first_failed_at BIGINT,
    last_failed_at  BIGINT,
    done_at         BIGINT
);
CREATE INDEX effects_due ON effects (status, next_attempt_at);

-- +engine sqlite
CREATE TABLE payments_next (
    id              {{id}},
    order_id        BIGINT NOT NULL REFERENCES orders (id),
    provider        TEXT NOT NULL,
    provider_ref    TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount >= 0),
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'refund_due', 'refunded')),
    created_at      BIGINT NOT NULL,
    paid_at         BIGINT,
    refunded_at     BIGINT,
    refunded_amount BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
    UNIQUE (provider, provider_ref)
);
INSERT INTO payments_next (id, order_id, provider, provider_ref, amount, currency, status, created_at, paid_at, refunded_at, refunded_amount)
    SELECT id, order_id, provider, provider_ref, amount, currency, status, created_at, paid_at, refunded_at,
        CASE WHEN status = 'refunded' THEN amount
        ELSE min(amount, (SELECT COALESCE(SUM(c.amount), 0) FROM aftersale_cases c
            WHERE c.order_id = payments.order_id AND c.status = 'refunded' AND c.refund_ref = payments.provider_ref)) END
    FROM payments;
DROP TABLE payments;
ALTER TABLE payments_next RENAME TO payments;
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE aftersale_cases_next (
    id                  {{id}},
    order_id            BIGINT NOT NULL REFERENCES orders (id),
    order_line_id       BIGINT NOT NULL REFERENCES order_lines (id),
    fulfilment_id       BIGINT NOT NULL REFERENCES fulfilment_orders (id),
    supplier_id         BIGINT NOT NULL REFERENCES suppliers (id),
    customer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    opened_by           BIGINT NOT NULL REFERENCES accounts (id),
    kind                TEXT NOT NULL CHECK (kind IN ('refund_only', 'return_refund')),
    quantity            BIGINT NOT NULL CHECK (quantity > 0),
    amount              BIGINT NOT NULL CHECK (amount >= 0),
    base_refund         BIGINT NOT NULL CHECK (base_refund >= 0),
    markup_refund       BIGINT NOT NULL CHECK (markup_refund >= 0),
    currency            TEXT NOT NULL,
    reason              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('open', 'approved', 'refund_due', 'rejected', 'refunded', 'cancelled')),
    decision_note       TEXT NOT NULL DEFAULT '',
    decided_by          BIGINT REFERENCES accounts (id),
    return_carrier      TEXT NOT NULL DEFAULT '',
    return_tracking     TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    decided_at          BIGINT,
    returned_at         BIGINT,
    return_received_at  BIGINT,
    refunded_at         BIGINT,
    cancelled_at        BIGINT,
    refund_ref          TEXT NOT NULL DEFAULT '',
    CHECK (amount = base_refund + markup_refund)
);
INSERT INTO aftersale_cases_next SELECT * FROM aftersale_cases;
DROP TABLE aftersale_cases;
ALTER TABLE aftersale_cases_next RENAME TO aftersale_cases;
CREATE UNIQUE INDEX aftersale_one_active ON aftersale_cases (order_line_id) WHERE status IN ('open', 'approved', 'refund_due');
CREATE INDEX aftersale_customer ON aftersale_cases (customer_account_id, id);
CREATE INDEX aftersale_supplier ON aftersale_cases (supplier_id, status, id);
CREATE INDEX aftersale_order ON aftersale_cases (order_id, id);
CREATE INDEX aftersale_status ON aftersale_cases (status, id);
-- +engine end

-- +engine postgres
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'paid', 'failed', 'refund_due', 'refunded'));
ALTER TABLE payments ADD COLUMN refunded_amount BIGINT NOT NULL DEFAULT 0;
UPDATE payments SET refunded_amount = CASE WHEN status = 'refunded' THEN amount
    ELSE LEAST(amount, (SELECT COALESCE(SUM(c.amount), 0) FROM aftersale_cases c
        WHERE c.order_id = payments.order_id AND c.status = 'refunded' AND c.refund_ref = payments.provider_ref)) END;
ALTER TABLE payments ADD CONSTRAINT payments_refunded_amount_check CHECK (refunded_amount >= 0 AND refunded_amount <= amount);

ALTER TABLE aftersale_cases DROP CONSTRAINT aftersale_cases_status_check;
ALTER TABLE aftersale_cases ADD CONSTRAINT aftersale_cases_status_check
    CHECK (status IN ('open', 'approved', 'refund_due', 'rejected', 'refunded', 'cancelled'));
DROP INDEX aftersale_one_active;
CREATE UNIQUE INDEX aftersale_one_active ON aftersale_cases (order_line_id) WHERE status IN ('open', 'approved', 'refund_due');
-- +engine end

-- +goose Down
-- Effects still due would be lost with their table, and payments or cases
-- owing a refund could not be stored: refuse rather than drop them.
-- +engine sqlite
CREATE TABLE effects_down_guard (ok INTEGER CHECK (ok = 1));
INSERT INTO effects_down_guard SELECT CASE WHEN EXISTS (SELECT 1 FROM effects WHERE status <> 'done')
    OR EXISTS (SELECT 1 FROM payments WHERE status = 'refund_due')
    OR EXISTS (SELECT 1 FROM aftersale_cases WHERE status = 'refund_due') THEN 0 ELSE 1 END;
DROP TABLE effects_down_guard;
CREATE TABLE payments_prev (
    id           {{id}},
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    provider     TEXT NOT NULL,
    provider_ref TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'refunded')),
    created_at   BIGINT NOT NULL,
    paid_at      BIGINT,
    refunded_at  BIGINT,
    UNIQUE (provider, provider_ref)
);
INSERT INTO payments_prev SELECT id, order_id, provider, provider_ref, amount, currency, status, created_at, paid_at, refunded_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_prev RENAME TO payments;
CREATE INDEX payments_order ON payments (order_id);
CREATE TABLE aftersale_cases_prev (
    id                  {{id}},
    order_id            BIGINT NOT NULL REFERENCES orders (id),
    order_line_id       BIGINT NOT NULL REFERENCES order_lines (id),
    fulfilment_id       BIGINT NOT NULL REFERENCES fulfilment_orders (id),
    supplier_id         BIGINT NOT NULL REFERENCES suppliers (id),
    customer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    opened_by           BIGINT NOT NULL REFERENCES accounts (id),
    kind                TEXT NOT NULL CHECK (kind IN ('refund_only', 'return_refund')),
    quantity            BIGINT NOT NULL CHECK (quantity > 0),
    amount              BIGINT NOT NULL CHECK (amount >= 0),
    base_refund         BIGINT NOT NULL CHECK (base_refund >= 0),
    markup_refund       BIGINT NOT NULL CHECK (markup_refund >= 0),
    currency            TEXT NOT NULL,
    reason              TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'refunded', 'cancelled')),
    decision_note       TEXT NOT NULL DEFAULT '',
    decided_by          BIGINT REFERENCES accounts (id),
    return_carrier      TEXT NOT NULL DEFAULT '',
    return_tracking     TEXT NOT NULL DEFAULT '',
    created_at          BIGINT NOT NULL,
    decided_at          BIGINT,
    returned_at         BIGINT,
    return_received_at  BIGINT,
    refunded_at         BIGINT,
    cancelled_at        BIGINT,
    refund_ref          TEXT NOT NULL DEFAULT '',
    CHECK (amount = base_refund + markup_refund)
);
INSERT INTO aftersale_cases_prev SELECT * FROM aftersale_cases;
DROP TABLE aftersale_cases;
ALTER TABLE aftersale_cases_prev RENAME TO aftersale_cases;
CREATE UNIQUE INDEX aftersale_one_active ON aftersale_cases (order_line_id) WHERE status IN ('open', 'approved');
CREATE INDEX aftersale_customer ON aftersale_cases (customer_account_id, id);
CREATE INDEX aftersale_supplier ON aftersale_cases (supplier_id, status, id);
CREATE INDEX aftersale_order ON aftersale_cases (order_id, id);
CREATE INDEX aftersale_status ON aftersale_cases (status, id);
-- +engine end
-- +engine postgres
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM effects WHERE status <> 'done') OR EXISTS (SELECT 1 FROM payments WHERE status = 'refund_due')
        OR EXISTS (SELECT 1 FROM aftersale_cases WHERE status = 'refund_due') THEN
        RAISE EXCEPTION 'refunds are still due: let the effects sweep finish them before migrating down';
    END IF;
END
$$;
-- +goose StatementEnd
DROP INDEX aftersale_one_active;
CREATE UNIQUE INDEX aftersale_one_active ON aftersale_cases (order_line_id) WHERE status IN ('open', 'approved');
ALTER TABLE aftersale_cases DROP CONSTRAINT aftersale_cases_status_check;
ALTER TABLE aftersale_cases ADD CONSTRAINT aftersale_cases_status_check
    CHECK (status IN ('open', 'approved', 'rejected', 'refunded', 'cancelled'));
ALTER TABLE payments DROP CONSTRAINT payments_refunded_amount_check;
ALTER TABLE payments DROP COLUMN refunded_amount;
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'paid', 'failed', 'refunded'));
-- +engine end
DROP TABLE effects;
