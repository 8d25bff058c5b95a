-- Payout details (issue 13, docs/payouts.md): where a distributor or a
-- supplier is paid, sealed with AES-256-GCM under the operator's payout
-- keys (internal/payout). box is base64 of nonce || ciphertext || tag;
-- key_id names the key that sealed it; the owner ("distributor:7") is the
-- associated data, so a box copied onto another row does not open. masked
-- is the masked view as JSON (card's last four, first and last character
-- of an account, a name's first character), what pages and the API show
-- without opening the box.

-- +goose Up
CREATE TABLE payout_details (
    owner_kind TEXT NOT NULL CHECK (owner_kind IN ('distributor', 'supplier')),
    owner_id   BIGINT NOT NULL,
    method     TEXT NOT NULL CHECK (method IN ('bank_card', 'alipay', 'wechat')),
    masked     TEXT NOT NULL,
    key_id     TEXT NOT NULL,
    box        TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (owner_kind, owner_id)
);
CREATE INDEX payout_details_key ON payout_details (key_id);

-- The payout details a withdrawal will be paid to, copied from
-- payout_details when it was requested (the same box, the same owner), so
-- a later change of details never redirects money already asked for. A
-- withdrawal requested without details has no row.
CREATE TABLE withdrawal_payout_details (
    withdrawal_id BIGINT PRIMARY KEY REFERENCES withdrawals (id),
    owner_id      BIGINT NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('bank_card', 'alipay', 'wechat')),
    masked        TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    box           TEXT NOT NULL
);
CREATE INDEX withdrawal_payout_details_key ON withdrawal_payout_details (key_id);

-- +goose Down
DROP TABLE withdrawal_payout_details;
DROP TABLE payout_details;
