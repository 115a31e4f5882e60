package io.zto.provisioning;

import io.zto.shared.domain.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Set;

/**
 * What the platform knows of a device asking to be provisioned, after its certificates were checked.
 *
 * @param deviceId from the LDevID (contract section 2)
 * @param ldevid the LDevID the device authenticated with (the leaf of its verified chain)
 * @param ldevidFingerprint lowercase hex SHA-256 of the LDevID's DER
 * @param anchor the {@code ldevid} trust anchor its chain was verified to
 * @param idevidSerial subject serialNumber of an IDevID proven by an {@code idevidProof}, or null
 * @param hwmoduleSerial HardwareModuleName serial of that IDevID, or null
 * @param bareIdevid serials read from a bare {@code idevid} PEM (not evidence: only to tell the device why
 *     it did not match), or null
 */
record DeviceEvidence(String deviceId, X509Certificate ldevid, String ldevidFingerprint, TrustAnchor anchor,
                      String idevidSerial, String hwmoduleSerial, BareIdevid bareIdevid) {

  /** Serials of an IDevID sent as bare PEM: anyone can copy a certificate, so they prove nothing. */
  record BareIdevid(String serial, String hwmoduleSerial) {}

  DeviceEvidence {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(ldevid, "ldevid");
    Objects.requireNonNull(ldevidFingerprint, "ldevidFingerprint");
    Objects.requireNonNull(anchor, "anchor");
  }

  /** Ids of the {@code ldevid} trust anchors it chains to (for group matching). */
  Set<String> ldevidAnchorIds() {
    return Set.of(anchor.id());
  }

  String ldevidSerial() {
    return ldevid.getSerialNumber().toString(16);
  }

  String ldevidIssuer() {
    return ldevid.getIssuerX500Principal().getName();
  }

  DeviceEvidence withIdevid(String serial, String hwmodule) {
    return new DeviceEvidence(deviceId, ldevid, ldevidFingerprint, anchor, serial, hwmodule, null);
  }

  DeviceEvidence withBareIdevid(BareIdevid bare) {
    return new DeviceEvidence(deviceId, ldevid, ldevidFingerprint, anchor, idevidSerial, hwmoduleSerial, bare);
  }
}
