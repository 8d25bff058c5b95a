-- After-sale cases: a customer asks for some quantity of one order line back,
-- as a refund only or as a return and refund; the supplier decides.
--
-- amount is what the case gives back of what was paid: the line's base and
-- markup are each refunded in proportion to quantity, cumulatively, so after
-- refunding r of q units the line has given back floor(paid_part × r / q) of
-- each part; the last unit takes the remainder and a full refund is exact.
-- An active case (open, or approved and waiting for the return) holds the
-- line's settlement; there is at most one per line.

-- +goose Up
CREATE TABLE aftersale_cases (
    id                  {{id}},
    order_id            BIGINT NOT NULL REFERENCES orders (id),
    order_line_id       BIGINT NOT NULL REFERENCES order_lines (id),
    fulfilment_id       BIGINT NOT NULL REFERENCES fulfilment_orders (id),
    supplier_id         BIGINT NOT NULL REFERENCES suppliers (id),
    customer_account_id BIGINT NOT NULL REFERENCES accounts (id),
    opened_by           BIGINT NOT NULL REFERENCES accounts (id), -- the customer, or an operator for it
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
    returned_at         BIGINT, -- the customer gave the return's tracking
    return_received_at  BIGINT, -- the supplier received the goods back
    refunded_at         BIGINT,
    cancelled_at        BIGINT,
    refund_ref          TEXT NOT NULL DEFAULT '', -- the provider's payment reference refunded
    CHECK (amount = base_refund + markup_refund)
);
CREATE UNIQUE INDEX aftersale_one_active ON aftersale_cases (order_line_id) WHERE status IN ('open', 'approved');
CREATE INDEX aftersale_customer ON aftersale_cases (customer_account_id, id);
CREATE INDEX aftersale_supplier ON aftersale_cases (supplier_id, status, id);
CREATE INDEX aftersale_order ON aftersale_cases (order_id, id);
CREATE INDEX aftersale_status ON aftersale_cases (status, id);

-- +goose Down
DROP TABLE aftersale_cases;
