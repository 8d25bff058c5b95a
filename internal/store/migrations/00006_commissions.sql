-- Commissions booked on order lines. The ledger holds the money; these
-- tables say why: the snapshot taken at checkout, the line as paid and as it
-- stands after refunds, and every party's share. line_id is the order
-- line's id; its foreign key comes with the orders (issue 4).
--
-- booked_* is the line as paid (what a repeated booking is compared with);
-- base, markup, quantity are the current, net amounts after refunds.
-- commission_shares.amount is the current share; booked_amount what was
-- booked. A share can grow after a partial refund (a nearer tier no longer
-- fills the cap), so amount may exceed booked_amount.

-- +goose Up
CREATE TABLE commission_lines (
    line_id         BIGINT PRIMARY KEY,
    order_id        BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    snapshot        TEXT NOT NULL,
    booked_base     BIGINT NOT NULL CHECK (booked_base >= 0),
    booked_markup   BIGINT NOT NULL CHECK (booked_markup >= 0),
    booked_quantity BIGINT NOT NULL CHECK (booked_quantity >= 0),
    paid            BIGINT NOT NULL CHECK (paid >= 0),
    base            BIGINT NOT NULL CHECK (base >= 0),
    markup          BIGINT NOT NULL CHECK (markup >= 0),
    quantity        BIGINT NOT NULL CHECK (quantity >= 0),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'settled')),
    held            BOOLEAN NOT NULL DEFAULT FALSE,
    booked_at       BIGINT NOT NULL,
    settled_at      BIGINT
);
CREATE INDEX commission_lines_order ON commission_lines (order_id, line_id);
CREATE INDEX commission_lines_status ON commission_lines (status, line_id);

-- id is a surrogate for paging (?after=); (line_id, party) is the natural key.
CREATE TABLE commission_shares (
    id             {{id}},
    line_id        BIGINT NOT NULL REFERENCES commission_lines (line_id),
    order_id       BIGINT NOT NULL,
    party          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('tier', 'markup', 'agent', 'platform', 'supplier')),
    tier           INTEGER NOT NULL DEFAULT 0,
    beneficiary_id BIGINT NOT NULL DEFAULT 0,
    booked_amount  BIGINT NOT NULL CHECK (booked_amount >= 0),
    amount         BIGINT NOT NULL CHECK (amount >= 0),
    UNIQUE (line_id, party)
);
CREATE INDEX commission_shares_beneficiary ON commission_shares (beneficiary_id, kind, id);
CREATE INDEX commission_shares_order ON commission_shares (order_id, id);

CREATE TABLE commission_refunds (
    id             {{id}},
    line_id        BIGINT NOT NULL REFERENCES commission_lines (line_id),
    refund_key     TEXT NOT NULL,
    base_after     BIGINT NOT NULL CHECK (base_after >= 0),
    markup_after   BIGINT NOT NULL CHECK (markup_after >= 0),
    quantity_after BIGINT NOT NULL CHECK (quantity_after >= 0),
    refunded       BIGINT NOT NULL CHECK (refunded >= 0),
    at             BIGINT NOT NULL,
    UNIQUE (line_id, refund_key)
);

-- +goose Down
DROP TABLE commission_refunds;
DROP TABLE commission_shares;
DROP TABLE commission_lines;
