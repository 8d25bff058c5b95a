-- Fraud signals (issue 14, docs/fraud.md). The fraud sweep reads what the
-- other paths already record durably (orders, visits, payout details,
-- distributors, commission lines and refunds) from a watermark per source
-- and records each finding once: UNIQUE (kind, distributor_id,
-- evidence_key), so running it again finds nothing new.
--
-- A signal of a kind whose hold setting is on holds the distributor's
-- settlement while it is open (settlement_holds, a row per distributor held).
-- The settle sweep still settles the line for everyone else; the held
-- distributor's share stays in its pending account, marked settle_held, and
-- moves to its wallet when the last holding signal is reviewed. Holding,
-- releasing and settling all lock the distributor's wallet accounts first
-- (books.LockWallets), which orders them (docs/fraud.md, "Hold and settle").

-- +goose Up
CREATE TABLE fraud_signals (
    id             {{id}},
    kind           TEXT NOT NULL CHECK (kind IN ('self_purchase', 'cluster', 'refund_rate', 'click_spam', 'empty_team')),
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    evidence_key   TEXT NOT NULL,          -- what makes this finding itself: "order:12", "payout:fp1:…", "day:2026-12-03:ip:…"
    evidence       TEXT NOT NULL,          -- JSON: orders, accounts, counts (fraud.Evidence)
    holds          BOOLEAN NOT NULL,       -- whether it holds settlement while open (the kind's setting when found)
    status         TEXT NOT NULL CHECK (status IN ('open', 'dismissed', 'confirmed')),
    detected_at    BIGINT NOT NULL,
    reviewed_at    BIGINT,
    reviewed_by    BIGINT REFERENCES accounts (id),
    review_reason  TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, distributor_id, evidence_key)
);
CREATE INDEX fraud_signals_status ON fraud_signals (status, id);
CREATE INDEX fraud_signals_distributor ON fraud_signals (distributor_id, status);

-- Where each source of the fraud sweep has read up to (Unix µs).
CREATE TABLE fraud_watermarks (
    source TEXT PRIMARY KEY,
    at     BIGINT NOT NULL
);

-- Distributors whose settlement is held (the books' rule: books.SettleLines
-- leaves their shares pending). A row exists while the distributor has an
-- open signal that holds.
CREATE TABLE settlement_holds (
    distributor_id BIGINT PRIMARY KEY REFERENCES distributors (id),
    since          BIGINT NOT NULL
);

-- A distributor's share of a settled line whose money stayed pending
-- because its settlement was held; released by books.ReleaseSettlement.
ALTER TABLE commission_shares ADD COLUMN settle_held BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX commission_shares_settle_held ON commission_shares (beneficiary_id) WHERE settle_held = TRUE;

-- A keyed fingerprint of the payout account (payout.Keyring.Fingerprint:
-- HMAC of the normalised account, never the account itself), so accounts
-- shared between owners can be found without opening a sealed box.
ALTER TABLE payout_details ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
CREATE INDEX payout_details_fingerprint ON payout_details (fingerprint);

-- The client address of a visit, as a keyed hash (HMAC under a key of this
-- database, fraud_keys); '' when not recorded (visits before this
-- migration, or no address known). The address itself is never stored.
ALTER TABLE visits ADD COLUMN ip_hash TEXT NOT NULL DEFAULT '';
-- The fraud sweep reads visits by day (click spam) and by the last month (devices).
CREATE INDEX visits_at ON visits (at);

-- +goose Down
DROP INDEX visits_at;
ALTER TABLE visits DROP COLUMN ip_hash;
DROP INDEX payout_details_fingerprint;
ALTER TABLE payout_details DROP COLUMN fingerprint;
DROP INDEX commission_shares_settle_held;
ALTER TABLE commission_shares DROP COLUMN settle_held;
DROP TABLE settlement_holds;
DROP TABLE fraud_watermarks;
DROP TABLE fraud_signals;
