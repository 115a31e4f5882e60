package io.zto.broker;

/**
 * Who a connection authenticated as.
 *
 * @param listener the listener it came in on
 * @param deviceId the device id from its certificate, or null (anonymous, service account)
 * @param certificateSerial lowercase hex serial of its client certificate, or null
 * @param certificateFingerprint SHA-256 of its client certificate, or null
 * @param issuerFingerprint SHA-256 of the CA certificate that issued it, or null
 * @param certificatePem its client certificate, PEM (the LDevID on the provisioning listener), or null
 */
public record Identity(Listener listener, String deviceId, String certificateSerial, String certificateFingerprint,
                       String issuerFingerprint, String certificatePem, Acl acl) {

  /** The three listeners. */
  public enum Listener {
    OPERATIONAL, PROVISIONING, PLAIN;

    public String label() {
      return name().toLowerCase();
    }
  }

  public static Identity anonymous(Listener listener, Acl acl) {
    return new Identity(listener, null, null, null, null, null, acl);
  }
}
