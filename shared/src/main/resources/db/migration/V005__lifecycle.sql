-- Device lifecycle: renewal warnings. renewal_warned_at is set once per certificate, by a conditional
-- UPDATE (... WHERE renewal_warned_at IS NULL), so that of several nodes checking at once only one
-- audits the warning.
ALTER TABLE certificates ADD COLUMN renewal_warned_at BIGINT;
