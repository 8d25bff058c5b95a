-- Carts kept on the server, and each account's address book.
--
-- A cart belongs to a signed-in account or to an anonymous browser's
-- visitor token (the sharemall_visitor cookie), never both. Its row is what
-- concurrent writes to one cart lock (a no-op UPDATE), so the line limit and
-- a merge on sign-in hold under PostgreSQL's READ COMMITTED; updated_at is
-- the last change, for a later sweep of abandoned anonymous carts. A cart
-- line is one SKU with its quantity; prices are never stored here, they are
-- computed when the cart is read, as checkout computes them.
--
-- An address book holds at most one default address per account (the
-- partial unique index); the store keeps exactly one while any exist.

-- +goose Up
CREATE TABLE carts (
    id         {{id}},
    account_id BIGINT UNIQUE REFERENCES accounts (id),
    visitor    TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((account_id IS NULL) <> (visitor IS NULL))
);

CREATE TABLE cart_lines (
    id         {{id}},
    cart_id    BIGINT NOT NULL REFERENCES carts (id),
    sku_id     BIGINT NOT NULL REFERENCES skus (id),
    quantity   BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    added_at   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (cart_id, sku_id)
);

CREATE TABLE addresses (
    id          {{id}},
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,              -- E.164
    region_code TEXT NOT NULL REFERENCES regions (code), -- a region with no children
    address     TEXT NOT NULL,
    is_default  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX addresses_account ON addresses (account_id, id);
CREATE UNIQUE INDEX addresses_one_default ON addresses (account_id) WHERE is_default = TRUE;

-- +goose Down
DROP TABLE addresses;
DROP TABLE cart_lines;
DROP TABLE carts;
