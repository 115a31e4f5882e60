-- EST enrollments waiting for an operator (profiles with approval: manual). One row per device, profile
-- and public key: a retry of the same CSR finds it; once approved, the retry is issued and the serial kept.
CREATE TABLE est_requests (
  id               TEXT PRIMARY KEY,
  device_id        TEXT NOT NULL,
  profile          TEXT NOT NULL,
  operation        TEXT NOT NULL,
  public_key_hash  TEXT NOT NULL,
  subject          TEXT NOT NULL,
  status           TEXT NOT NULL,
  reason           TEXT,
  decided_by       TEXT,
  decided_at       BIGINT,
  issued_serial    TEXT,
  created_at       BIGINT NOT NULL,
  UNIQUE (device_id, profile, public_key_hash)
);
CREATE INDEX est_requests_status ON est_requests (status, created_at);
