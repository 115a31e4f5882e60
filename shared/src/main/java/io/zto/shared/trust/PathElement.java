package io.zto.shared.trust;

import java.security.cert.X509Certificate;

/**
 * One certificate of a verified path with the issuer that verified its signature.
 *
 * @param certificate the certificate
 * @param serial its serial, lowercase hex without leading zeros (as CRL entries and revocation events name it)
 * @param fingerprint lowercase hex SHA-256 of its DER
 * @param issuerFingerprint lowercase hex SHA-256 of the DER of the CA certificate whose key verified it
 */
public record PathElement(X509Certificate certificate, String serial, String fingerprint, String issuerFingerprint) {}
