-- What a cluster of nodes over one database needs beyond the domain tables.

-- One row per duty that must have one owner at a time (e.g. 'crl': renewing the platform's CRL).
-- holder is a node id; expires_at is epoch millis on the database's clock, so nodes' clocks may differ.
CREATE TABLE leader_leases (
  name        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  expires_at  BIGINT NOT NULL,
  acquired_at BIGINT NOT NULL
);

-- Material every node must share (CA keystore, operator token, factory provisioning credentials),
-- sealed with the cluster secret (AES-256-GCM, key from PBKDF2); the database never sees it in clear.
CREATE TABLE cluster_material (
  name       TEXT PRIMARY KEY,
  sealed     ${bytes} NOT NULL,
  created_at BIGINT NOT NULL
);
