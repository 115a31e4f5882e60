package io.zto.shared.pki;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.zto.shared.files.SecureFiles;

/**
 * The server TLS certificate in {@code tls/}: reused while it fits, renewed when it does not.
 * It is EC P-256, EKU serverAuth, SANs {@code localhost}, {@code 127.0.0.1} and the public host
 * (DNS or IP, whichever it is), signed by the issuing CA so it chains to the root that EST
 * {@code cacerts} returns. Blocking (disk, CPU).
 */
final class ServerCertificates {

  /** Renew when the certificate expires within this period. */
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private static final Logger LOG = LoggerFactory.getLogger(ServerCertificates.class);

  private ServerCertificates() {
  }

  static ServerTlsIdentity loadOrRenew(DataDirLayout layout, String publicHost, CaHierarchy ca, Duration validity, Clock clock) {
    Set<GeneralName> wanted = subjectAltNames(publicHost);
    Optional<ServerTlsIdentity> existing = read(layout);
    Optional<String> problem = existing.isEmpty()
        ? Optional.of("no server certificate yet")
        : unfit(existing.get(), wanted, ca, clock.instant());
    if (problem.isEmpty()) {
      return existing.get();
    }
    ServerTlsIdentity renewed = issue(publicHost, wanted, ca, validity, clock);
    // key first: if we crash between the two writes, the old chain no longer matches the key
    // and the next start renews again instead of serving a mismatched pair
    SecureFiles.ensureDirectory(layout.tlsDir());
    SecureFiles.writeAtomically(layout.serverKeyPem(), renewed.keyPem());
    SecureFiles.writeAtomically(layout.serverChainPem(), renewed.chainPem());
    LOG.info("Issued server TLS certificate for {} ({}), valid until {}", publicHost,
        problem.get(), renewed.certificate().getNotAfter().toInstant());
    return renewed;
  }

  private static Optional<ServerTlsIdentity> read(DataDirLayout layout) {
    if (!layout.serverKeyPem().toFile().isFile() || !layout.serverChainPem().toFile().isFile()) {
      return Optional.empty();
    }
    try {
      PrivateKey key = Pem.readPrivateKey(SecureFiles.readString(layout.serverKeyPem()));
      List<X509Certificate> chain = Pem.readCertificates(SecureFiles.readString(layout.serverChainPem()));
      return Optional.of(new ServerTlsIdentity(key, chain));
    } catch (RuntimeException e) {
      LOG.warn("Server TLS files in {} are unreadable ({}); issuing new ones", layout.tlsDir(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Why the existing identity cannot be reused, or empty if it can. */
  private static Optional<String> unfit(ServerTlsIdentity identity, Set<GeneralName> wanted, CaHierarchy ca, Instant now) {
    X509Certificate certificate = identity.certificate();
    if (!sans(certificate).equals(wanted)) {
      return Optional.of("the host names changed");
    }
    if (certificate.getNotAfter().toInstant().isBefore(now.plus(RENEW_BEFORE))) {
      return Optional.of("the old one expires within " + RENEW_BEFORE.toDays() + " days");
    }
    if (identity.chain().size() != 2 || !identity.chain().get(1).equals(ca.issuingCertificate())
        || !CaHierarchy.signedBy(certificate, ca.issuingCertificate())) {
      return Optional.of("the issuing CA changed");
    }
    if (!KeyMatch.matches(identity.key(), certificate)) {
      return Optional.of("the key file does not match the certificate");
    }
    return Optional.empty();
  }

  private static ServerTlsIdentity issue(String publicHost, Set<GeneralName> sans, CaHierarchy ca, Duration validity, Clock clock) {
    KeyPair keyPair = KeyPairs.ecP256();
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(ca.issuingCertificate().getNotAfter().toInstant())) {
      notAfter = ca.issuingCertificate().getNotAfter().toInstant();
    }
    CertificateBuilder builder = new CertificateBuilder()
        .subject(new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName(publicHost)).build())
        .publicKey(keyPair.getPublic())
        .issuer(ca.issuingCertificate(), SigningKey.of(ca.issuingKey()))
        .validity(now.minus(CertificateAuthority.BACKDATE), notAfter)
        .keyUsage(KeyUsage.digitalSignature)
        .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth);
    sans.forEach(builder::subjectAltName);
    return new ServerTlsIdentity(keyPair.getPrivate(), List.of(builder.build(), ca.issuingCertificate()));
  }

  // clients match the SANs; the CN is informational and limited to 64 characters (RFC 5280 ub-common-name)
  private static String commonName(String publicHost) {
    return publicHost.length() <= 64 ? publicHost : "zto server";
  }

  static Set<GeneralName> subjectAltNames(String publicHost) {
    Set<GeneralName> names = new LinkedHashSet<>();
    names.add(HostNames.generalName("localhost"));
    names.add(HostNames.generalName("127.0.0.1"));
    names.add(HostNames.generalName(publicHost));
    return names;
  }

  private static Set<GeneralName> sans(X509Certificate certificate) {
    byte[] extension = certificate.getExtensionValue(Extension.subjectAlternativeName.getId());
    if (extension == null) {
      return Set.of();
    }
    GeneralNames names = GeneralNames.getInstance(
        org.bouncycastle.asn1.ASN1OctetString.getInstance(extension).getOctets());
    return new HashSet<>(List.of(names.getNames()));
  }
}
