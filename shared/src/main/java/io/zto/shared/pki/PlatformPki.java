package io.zto.shared.pki;

import io.zto.shared.security.RandomSecrets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Everything the verticles need from the data dir, made or loaded by {@link DataDirBootstrap}.
 * Immutable; safe to share between verticles.
 *
 * @param layout where the files are
 * @param ca root, issuing CA and command-signing keys and certificates
 * @param serverTls the server TLS key and chain (server certificate + issuing CA)
 * @param adminToken the operator API bearer token
 * @param provisioningCredentials the factory provisioning username/password
 * @param operatorManagedCa whether the CA comes from an operator keystore
 */
public record PlatformPki(
    DataDirLayout layout,
    CaHierarchy ca,
    ServerTlsIdentity serverTls,
    String adminToken,
    ProvisioningCredentials provisioningCredentials,
    boolean operatorManagedCa) {

  /**
   * Name of the issuing CA in URLs ({@code /crl/issuing.crl}) and in the {@code issuer} column of
   * issued certificates.
   */
  public static final String ISSUING_CA = "issuing";

  /** The root CA certificate: the one trust anchor devices need for all listeners. */
  public X509Certificate rootCertificate() {
    return ca.rootCertificate();
  }

  /** The issuing CA certificate. */
  public X509Certificate issuingCertificate() {
    return ca.issuingCertificate();
  }

  /** The issuing CA key. */
  public PrivateKey issuingKey() {
    return ca.issuingKey();
  }

  /** The command-signing certificate (sent to devices as {@code commandVerification.certificate}). */
  public X509Certificate commandSigningCertificate() {
    return ca.commandSigningCertificate();
  }

  /** The command-signing key (ES256). */
  public PrivateKey commandSigningKey() {
    return ca.commandSigningKey();
  }

  /** Issuing CA then root: what EST {@code cacerts} returns. */
  /** How platform-generated random secrets are stored: HMAC under a key derived from the issuing CA key. */
  public RandomSecrets randomSecrets() {
    return RandomSecrets.derivedFrom(issuingKey());
  }

  public List<X509Certificate> caChain() {
    return ca.caChain();
  }

  /** The root as PEM, for {@code trustAnchors} in device configs. */
  public String rootPem() {
    return Pem.encode(rootCertificate());
  }

  /** A certificate authority issuing device certificates with the given CRL and AIA URLs. */
  public CertificateAuthority certificateAuthority(String crlUrl, String caIssuersUrl) {
    return new CertificateAuthority(issuingCertificate(), issuingKey(), crlUrl, caIssuersUrl);
  }

  /** A CRL builder for the issuing CA. */
  public CrlBuilder crlBuilder() {
    return new CrlBuilder(issuingCertificate(), issuingKey());
  }

  @Override
  public String toString() {
    return "PlatformPki[" + layout.dataDir() + ", " + ca + ", " + serverTls + "]";
  }
}
