package io.zto.broker;

import io.zto.shared.trust.VerifiedPath;
import java.util.List;

/**
 * Who a connection authenticated as.
 *
 * @param listener the listener it came in on
 * @param deviceId the device id from its certificate, or null (anonymous, service account)
 * @param account the service account's name, or null (devices, anonymous)
 * @param certificateFingerprint SHA-256 of its client certificate, or null
 * @param path each certificate of the verified path (leaf first, no anchor) as serial and verified issuer;
 *     empty without a certificate. Kept small on purpose: one per open connection.
 * @param chainPem the presented chain as verified (leaf first), PEM, on the provisioning listener (it is
 *     handed to the provisioning service); else null
 * @param acl what it may publish and subscribe to
 */
public record Identity(Listener listener, String deviceId, String account, String certificateFingerprint,
                       List<Issued> path, String chainPem, Acl acl) {

  /** One certificate of the verified path: its serial (lowercase hex) and the issuer that verified it. */
  public record Issued(String serial, String issuerFingerprint) {}

  /** The three listeners. */
  public enum Listener {
    OPERATIONAL, PROVISIONING, PLAIN;

    public String label() {
      return name().toLowerCase();
    }
  }

  public Identity {
    path = path == null ? List.of() : List.copyOf(path);
  }

  /** The certificate identity of a verified path; the ACL is added once every check passed. */
  public static Identity certified(Listener listener, String deviceId, VerifiedPath verified, String chainPem) {
    List<Issued> path = verified.elements().stream().map(e -> new Issued(e.serial(), e.issuerFingerprint())).toList();
    return new Identity(listener, deviceId, null, verified.leaf().fingerprint(), path, chainPem, null);
  }

  public static Identity anonymous(Listener listener, Acl acl) {
    return new Identity(listener, null, null, null, List.of(), null, acl);
  }

  public static Identity serviceAccount(Listener listener, String account, Acl acl) {
    return new Identity(listener, null, account, null, List.of(), null, acl);
  }

  public Identity withAcl(Acl granted) {
    return new Identity(listener, deviceId, account, certificateFingerprint, path, chainPem, granted);
  }

  /** Lowercase hex serial of the client certificate, or null. */
  public String certificateSerial() {
    return path.isEmpty() ? null : path.get(0).serial();
  }

  /** SHA-256 of the CA certificate that verified the client certificate, or null. */
  public String issuerFingerprint() {
    return path.isEmpty() ? null : path.get(0).issuerFingerprint();
  }

  /** Whether the verified path holds the certificate with this serial, verified by this issuer (any, if null). */
  public boolean holds(String serial, String issuerFingerprint) {
    return path.stream().anyMatch(p -> p.serial().equals(serial)
        && (issuerFingerprint == null || p.issuerFingerprint().equals(issuerFingerprint)));
  }

  /** Whether a certificate of the verified path was verified by this issuer. */
  public boolean issuedUnder(String issuerFingerprint) {
    return path.stream().anyMatch(p -> p.issuerFingerprint().equals(issuerFingerprint));
  }
}
