-- The MQTT broker's persistent state: sessions with an expiry, their subscriptions, the QoS 1/2 messages
-- queued for them, and retained messages. Clean sessions are never written.

-- One persistent session; expires_at is set while it is offline (epoch millis), null while connected.
CREATE TABLE broker_sessions (
  client_id      TEXT PRIMARY KEY,
  expiry_seconds BIGINT NOT NULL,
  node           TEXT,
  expires_at     BIGINT,
  updated_at     BIGINT NOT NULL
);

-- filter is the raw filter ($share/... included); options is JSON (qos, noLocal, retainAsPublished, ...).
CREATE TABLE broker_subscriptions (
  client_id TEXT NOT NULL,
  filter    TEXT NOT NULL,
  options   TEXT NOT NULL,
  PRIMARY KEY (client_id, filter)
);

-- Messages waiting for an offline session, in seq order; message is the broker's JSON of the message.
CREATE TABLE broker_queue (
  seq       ${identity},
  client_id TEXT NOT NULL,
  message   TEXT NOT NULL
);
CREATE INDEX broker_queue_client ON broker_queue (client_id, seq);

-- The last retained message per topic; expires_at null when it never expires.
CREATE TABLE broker_retained (
  topic      TEXT PRIMARY KEY,
  message    TEXT NOT NULL,
  expires_at BIGINT
);
