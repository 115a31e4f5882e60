-- Contract v2, "Device identity is bound": who may speak for a device id.

-- The tenant an LDevID CA belongs to: an individual enrollment that names no trust anchor accepts only
-- LDevIDs chaining to an anchor of its own tenant.
ALTER TABLE trust_anchors ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';

-- The one anchor (trust_anchors.id) an individual enrollment accepts; null: any anchor of its tenant.
ALTER TABLE enrollments ADD COLUMN trust_anchor_id TEXT;
CREATE INDEX enrollments_trust_anchor ON enrollments (trust_anchor_id);

-- What a device is bound to since its first successful provisioning: the anchor its LDevID chained to
-- (by id and by the SHA-256 fingerprint of the anchor certificate, which is what is compared) and the
-- LDevID's fingerprint. A request with another anchor or LDevID waits for an operator.
ALTER TABLE devices ADD COLUMN bound_anchor_id TEXT;
ALTER TABLE devices ADD COLUMN bound_anchor_fingerprint TEXT;
ALTER TABLE devices ADD COLUMN bound_ldevid_fingerprint TEXT;
ALTER TABLE devices ADD COLUMN bound_at BIGINT;

-- Devices provisioned before this migration are bound to the LDevID they were provisioned with (a
-- PROVISIONED row holds exactly that one); their anchor is bound on their next provisioning.
UPDATE devices SET bound_ldevid_fingerprint = ldevid_fingerprint, bound_at = provisioned_at
  WHERE state = 'PROVISIONED' AND ldevid_fingerprint IS NOT NULL AND provisioned_at IS NOT NULL;

-- What a request presented beyond the LDevID fingerprint, so that an operator's approval binds the
-- device to exactly that (and the device row shows its LDevID).
ALTER TABLE provisioning_requests ADD COLUMN anchor_id TEXT;
ALTER TABLE provisioning_requests ADD COLUMN anchor_fingerprint TEXT;
ALTER TABLE provisioning_requests ADD COLUMN ldevid_serial TEXT;
ALTER TABLE provisioning_requests ADD COLUMN ldevid_issuer TEXT;
