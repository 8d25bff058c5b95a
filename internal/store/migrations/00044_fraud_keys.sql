-- Keys the fraud signals hash with (issue 14, docs/fraud.md): one random
-- secret per name, made by the store on first use, so a visit's client
-- address is kept only as an HMAC under a key of this database
-- (visits.ip_hash) and cannot be recovered by hashing every address.

-- +goose Up
CREATE TABLE fraud_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE fraud_keys;
