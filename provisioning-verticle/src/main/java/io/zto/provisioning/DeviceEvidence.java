package io.zto.provisioning;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Set;

/**
 * What the platform knows of a device asking to be provisioned, after its certificates were checked.
 *
 * @param deviceId from the LDevID (contract section 2)
 * @param ldevid the LDevID the device authenticated with
 * @param ldevidFingerprint lowercase hex SHA-256 of the LDevID's DER
 * @param ldevidAnchorIds ids of the {@code ldevid} trust anchors it chains to (for group matching)
 * @param idevidSerial subject serialNumber of a verified IDevID, or null
 * @param hwmoduleSerial HardwareModuleName serial of a verified IDevID, or null
 */
record DeviceEvidence(String deviceId, X509Certificate ldevid, String ldevidFingerprint, Set<String> ldevidAnchorIds,
                      String idevidSerial, String hwmoduleSerial) {

  DeviceEvidence {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(ldevidFingerprint, "ldevidFingerprint");
    ldevidAnchorIds = Set.copyOf(ldevidAnchorIds);
  }
}
