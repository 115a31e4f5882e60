-- Who may resume a persistent MQTT session (contract v2, "Sessions belong to an identity"): the broker's
-- owner text, e.g. 'operational:dev-1', 'provisioning:dev-1', 'account:backend', 'plain:anonymous'.
-- Sessions stored before this column existed keep NULL: nobody resumes them, the first CONNECT of their
-- client id starts a fresh session (their queued messages were not addressed to a known identity).
ALTER TABLE broker_sessions ADD COLUMN owner TEXT;
