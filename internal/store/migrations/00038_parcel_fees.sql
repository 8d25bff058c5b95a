-- Shipping fees on orders (issue 13, docs/shipping.md). Each fulfilment
-- order (a parcel) keeps the fee checkout charged and how it was reached
-- (JSON shipping.Fee), so a template changed later changes no order; the
-- order keeps their sum. orders.total stays what the goods cost after the
-- discount (its CHECK is unchanged): the customer pays total + shipping.
--
-- parcel_fees is a paid parcel's fee in the books, like a commission line:
-- booked to the supplier's pending account on payment (book:parcel:{id}),
-- moved to its payable when the parcel's lines have all settled
-- (settle:parcel:{id}), or reversed when every line of the parcel is
-- refunded (refund:parcel:{id}); amount is what is left of the fee (fee or 0).

-- +goose Up
ALTER TABLE orders ADD COLUMN shipping BIGINT NOT NULL DEFAULT 0 CHECK (shipping >= 0);
ALTER TABLE fulfilment_orders ADD COLUMN shipping_fee BIGINT NOT NULL DEFAULT 0 CHECK (shipping_fee >= 0);
ALTER TABLE fulfilment_orders ADD COLUMN shipping_basis TEXT NOT NULL DEFAULT '';

CREATE TABLE parcel_fees (
    fulfilment_id BIGINT PRIMARY KEY REFERENCES fulfilment_orders (id),
    order_id      BIGINT NOT NULL REFERENCES orders (id),
    supplier_id   BIGINT NOT NULL REFERENCES suppliers (id),
    currency      TEXT NOT NULL,
    fee           BIGINT NOT NULL CHECK (fee > 0),
    amount        BIGINT NOT NULL CHECK (amount = fee OR amount = 0),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'settled')),
    refund_key    TEXT NOT NULL DEFAULT '',            -- the refund that took the fee back, '' while none has
    booked_at     BIGINT NOT NULL,
    settled_at    BIGINT,
    refunded_at   BIGINT
);
CREATE INDEX parcel_fees_order ON parcel_fees (order_id);
CREATE INDEX parcel_fees_supplier ON parcel_fees (supplier_id, status);

-- +goose Down
DROP TABLE parcel_fees;
ALTER TABLE fulfilment_orders DROP COLUMN shipping_basis;
ALTER TABLE fulfilment_orders DROP COLUMN shipping_fee;
ALTER TABLE orders DROP COLUMN shipping;
