package io.zto.broker;

/**
 * Who an MQTT session belongs to (contract section 9, "Sessions belong to an identity"). A session, with
 * its subscriptions and queued messages, is resumed only by a CONNECT of the same owner; it is stored
 * with the session so that it holds after a restart and on another cluster node.
 *
 * <p>The owner is a short text: {@code operational:<deviceId>} or
 * {@code provisioning:<deviceId>:<LDevID fingerprint>} for a certificate login (the listener kind matters: a
 * device's provisioning session never becomes its operational one; and on the provisioning listener another
 * LDevID with the same device id, say of a foreign CA, is another owner and never inherits what was queued
 * for the first), {@code account:<name>} for a service account (on whichever listener it logs in: the
 * same credentials and allow lists), {@code plain:anonymous} for the anonymous clients of the plain
 * development listener (who cannot be told apart). Device ids never contain {@code :}.
 */
final class SessionOwner {

  private static final String ACCOUNT = "account:";

  private SessionOwner() {}

  /** The owner of the sessions {@code identity} opens. */
  static String of(Identity identity) {
    if (identity.deviceId() != null && identity.listener() == Identity.Listener.PROVISIONING) {
      return provisioning(identity.deviceId(), identity.certificateFingerprint());
    }
    if (identity.deviceId() != null) {
      return device(identity.listener(), identity.deviceId());
    }
    if (identity.account() != null) {
      return ACCOUNT + identity.account();
    }
    return identity.listener().label() + ":anonymous";
  }

  /** The owner of the sessions of device {@code deviceId} on {@code listener}. */
  static String device(Identity.Listener listener, String deviceId) {
    return listener.label() + ":" + deviceId;
  }

  /** The owner of the provisioning sessions of device {@code deviceId} with the LDevID of that fingerprint. */
  static String provisioning(String deviceId, String ldevidFingerprint) {
    return device(Identity.Listener.PROVISIONING, deviceId) + ":" + ldevidFingerprint;
  }

  /** Whether {@code owner} is a provisioning session of device {@code deviceId}, whatever its LDevID. */
  static boolean provisioningOf(String owner, String deviceId) {
    return owner != null && owner.startsWith(device(Identity.Listener.PROVISIONING, deviceId) + ":");
  }

  /**
   * Whether {@code identity} may resume a session held by {@code owner}. A session without an owner
   * (stored before owners were recorded) is resumed by nobody: whoever connects first starts anew.
   */
  static boolean resumes(Identity identity, String owner) {
    return owner != null && owner.equals(of(identity));
  }
}
