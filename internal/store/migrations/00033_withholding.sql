-- Withholding (issue 13, docs/payouts.md "Withholding"): the tax kept back
-- from a withdrawal at the program's withholding rate when it was
-- requested. The bank pays net − withheld; the tax is booked when the
-- withdrawal is paid (journal withdrawal:{id}:withholding, withdrawals_paid
-- → tax_withheld), never before, so a rejected withdrawal returns its whole
-- amount. Only internal/books writes withdrawals.

-- +goose Up
ALTER TABLE withdrawals ADD COLUMN withheld BIGINT NOT NULL DEFAULT 0 CHECK (withheld >= 0);
CREATE INDEX withdrawals_paid_at ON withdrawals (paid_at);

-- +goose Down
DROP INDEX withdrawals_paid_at;
ALTER TABLE withdrawals DROP COLUMN withheld;
