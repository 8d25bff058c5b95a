-- Payment gateways (issue 13, docs/payments.md). A payment carries our own
-- reference (the out_trade_no every provider is given), unique across
-- providers, and the way it is paid (redirect, qr, jsapi) with what the
-- payer needs to pay it (started: the QR code's text or the app bridge's
-- signed parameters, as JSON). provider_ref stays the provider's id of the
-- payment; until a provider tells it (WeChat Pay's transaction_id comes
-- with the notification) it holds our reference.
--
-- payment_events dedupes verified notifications by the provider's event
-- id: the row is written in the transaction that applies the
-- notification, so a replay finds it and changes nothing.
--
-- A refund effect names its payment (payment_id) so that a payment's
-- refunds can be listed, and keeps what the provider last said of it
-- (remote_status: pending, done, failed; remote_ref: the provider's id of
-- the refund).

-- +goose Up
ALTER TABLE payments ADD COLUMN reference TEXT;
ALTER TABLE payments ADD COLUMN method TEXT NOT NULL DEFAULT 'redirect' CHECK (method IN ('redirect', 'qr', 'jsapi'));
ALTER TABLE payments ADD COLUMN started TEXT NOT NULL DEFAULT '';
UPDATE payments SET reference = provider_ref;
CREATE UNIQUE INDEX payments_reference ON payments (reference);
CREATE INDEX payments_open ON payments (status, created_at);

CREATE TABLE payment_events (
    id        {{id}},
    provider  TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('payment', 'refund', 'query')),
    reference TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    at        BIGINT NOT NULL,
    UNIQUE (provider, event_id)
);

ALTER TABLE effects ADD COLUMN payment_id BIGINT;
ALTER TABLE effects ADD COLUMN remote_status TEXT NOT NULL DEFAULT '';
ALTER TABLE effects ADD COLUMN remote_ref TEXT NOT NULL DEFAULT '';
-- +engine sqlite
UPDATE effects SET payment_id = json_extract(payload, '$.payment_id') WHERE kind = 'refund';
-- +engine end
-- +engine postgres
UPDATE effects SET payment_id = (payload::json->>'payment_id')::BIGINT WHERE kind = 'refund';
-- +engine end
CREATE INDEX effects_payment ON effects (payment_id);

-- +goose Down
DROP INDEX effects_payment;
ALTER TABLE effects DROP COLUMN remote_ref;
ALTER TABLE effects DROP COLUMN remote_status;
ALTER TABLE effects DROP COLUMN payment_id;
DROP TABLE payment_events;
DROP INDEX payments_open;
DROP INDEX payments_reference;
ALTER TABLE payments DROP COLUMN started;
ALTER TABLE payments DROP COLUMN method;
ALTER TABLE payments DROP COLUMN reference;
