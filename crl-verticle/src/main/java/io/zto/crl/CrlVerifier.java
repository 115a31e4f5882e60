package io.zto.crl;

import io.zto.crl.CrlSyncFailure.Kind;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.Verifiers;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertList;
import org.bouncycastle.cert.X509CRLHolder;

/**
 * Parses a fetched CRL and checks it before anything of it is stored: issuer, signature, CRL number
 * against the last accepted one (no rollback), thisUpdate/nextUpdate, delta CRL indicator, critical
 * extensions. Blocking (CPU, linear in the entries; a 100,000-entry CRL takes a few hundred ms):
 * call it in {@code executeBlocking}.
 */
final class CrlVerifier {

  /** Tolerated clock difference for a thisUpdate in the future. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private static final Set<ASN1ObjectIdentifier> KNOWN_CRITICAL = Set.of(Extension.cRLNumber,
      Extension.deltaCRLIndicator, Extension.issuingDistributionPoint, Extension.authorityKeyIdentifier,
      Extension.freshestCRL, Extension.issuerAlternativeName);

  private final X509Certificate issuer;
  private final X500Name issuerName;
  private final SubjectPublicKeyInfo issuerKey;

  CrlVerifier(X509Certificate issuer) {
    this.issuer = issuer;
    this.issuerName = X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
    this.issuerKey = SubjectPublicKeyInfo.getInstance(issuer.getPublicKey().getEncoded());
  }

  /**
   * A CRL as accepted.
   *
   * @param baseNumber for a delta CRL, the number of the complete CRL it builds on; null for a complete CRL
   * @param entries    the certificates it lists (for a delta: newly listed or changed)
   * @param released   for a delta: serials it removes (reason removeFromCRL); empty for a complete CRL
   * @param unchanged  true if it carries the number accepted last: nothing to apply (its entries are not parsed)
   */
  record Verified(BigInteger number, BigInteger baseNumber, Instant thisUpdate, Instant nextUpdate,
                  List<CrlSource.Entry> entries, List<String> released, boolean unchanged) {
    boolean delta() {
      return baseNumber != null;
    }
  }

  /**
   * @param body   the fetched bytes, DER or PEM ({@code X509 CRL})
   * @param source the source as stored: its last accepted CRL and delta numbers
   * @throws CrlSyncFailure saying what is wrong with the CRL
   */
  Verified verify(byte[] body, CrlSource source, Instant now) {
    X509CRLHolder crl = parse(body);
    if (!issuerName.equals(crl.getIssuer())) {
      throw new CrlSyncFailure(Kind.WRONG_ISSUER, "the CRL is issued by '" + crl.getIssuer()
          + "', not by the source's issuer '" + issuerName + "'");
    }
    boolean[] keyUsage = issuer.getKeyUsage();
    if (keyUsage != null && (keyUsage.length < 7 || !keyUsage[6])) {
      throw new CrlSyncFailure(Kind.WRONG_ISSUER, "the source's issuer certificate lacks keyUsage cRLSign");
    }
    checkSignature(crl);
    checkCriticalExtensions(crl);
    BigInteger number = integer(crl, Extension.cRLNumber)
        .orElseThrow(() -> new CrlSyncFailure(Kind.MALFORMED, "the CRL carries no CRL number (RFC 5280 §5.2.3)"));
    BigInteger base = integer(crl, Extension.deltaCRLIndicator).orElse(null);
    Instant thisUpdate = crl.getThisUpdate().toInstant();
    Instant nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
    checkTimes(thisUpdate, nextUpdate, now);
    boolean unchanged = checkNumber(number, base, source);
    if (unchanged) {
      return new Verified(number, null, thisUpdate, nextUpdate, List.of(), List.of(), true);
    }
    List<CrlSource.Entry> entries = new ArrayList<>();
    List<String> released = new ArrayList<>();
    readEntries(crl, base != null, entries, released);
    return new Verified(number, base, thisUpdate, nextUpdate, entries, released, false);
  }

  private static X509CRLHolder parse(byte[] body) {
    try {
      byte[] der = body;
      String start = new String(body, 0, Math.min(body.length, 64), StandardCharsets.US_ASCII).stripLeading();
      if (start.startsWith("-----BEGIN")) {
        der = Pem.decode(Pem.text(body)).stream().filter(block -> block.type().equals("X509 CRL")).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no '-----BEGIN X509 CRL-----' block")).der();
      }
      return new X509CRLHolder(der);
    } catch (Exception e) { // IOException and the runtime exceptions of malformed ASN.1
      throw new CrlSyncFailure(Kind.MALFORMED, "the body is not a CRL (DER or PEM X509 CRL): " + e.getMessage());
    }
  }

  private void checkSignature(X509CRLHolder crl) {
    boolean valid;
    try {
      valid = crl.isSignatureValid(Verifiers.forKey(issuerKey));
    } catch (Exception e) {
      throw new CrlSyncFailure(Kind.BAD_SIGNATURE, "the CRL's signature cannot be checked: " + e.getMessage());
    }
    if (!valid) {
      throw new CrlSyncFailure(Kind.BAD_SIGNATURE, "the CRL's signature does not verify with the key of its issuer '"
          + issuerName + "'");
    }
  }

  private static void checkCriticalExtensions(X509CRLHolder crl) {
    Extensions extensions = crl.getExtensions();
    if (extensions == null) {
      return;
    }
    for (ASN1ObjectIdentifier oid : extensions.getCriticalExtensionOIDs()) {
      if (!KNOWN_CRITICAL.contains(oid)) {
        throw new CrlSyncFailure(Kind.UNSUPPORTED, "the CRL has a critical extension zto does not process: " + oid);
      }
    }
    Extension idp = extensions.getExtension(Extension.issuingDistributionPoint);
    if (idp != null && IssuingDistributionPoint.getInstance(idp.getParsedValue()).isIndirectCRL()) {
      throw new CrlSyncFailure(Kind.UNSUPPORTED, "indirect CRLs (entries of other issuers) are not supported");
    }
  }

  private static void checkTimes(Instant thisUpdate, Instant nextUpdate, Instant now) {
    if (thisUpdate.isAfter(now.plus(CLOCK_SKEW))) {
      throw new CrlSyncFailure(Kind.NOT_YET_VALID, "the CRL's thisUpdate " + thisUpdate + " lies in the future");
    }
    if (nextUpdate != null && nextUpdate.isBefore(now)) {
      throw new CrlSyncFailure(Kind.EXPIRED, "the CRL's nextUpdate " + nextUpdate + " has passed: the issuer"
          + " publishes no fresh CRL at this URL");
    }
  }

  /** Refuses a rollback; true if the CRL is the complete CRL accepted last. */
  private static boolean checkNumber(BigInteger number, BigInteger base, CrlSource source) {
    BigInteger full = source.crlNumber() == null ? null : new BigInteger(source.crlNumber());
    BigInteger delta = source.deltaCrlNumber() == null ? null : new BigInteger(source.deltaCrlNumber());
    BigInteger latest = delta != null && (full == null || delta.compareTo(full) > 0) ? delta : full;
    if (base == null) {
      if (number.equals(full)) {
        return true;
      }
      if (latest != null && number.compareTo(latest) < 0 || delta != null && number.equals(delta)) {
        throw rollback(number, latest);
      }
      return false;
    }
    if (latest != null && number.compareTo(latest) <= 0) {
      if (number.equals(delta)) {
        return true;
      }
      throw rollback(number, latest);
    }
    if (full == null || base.compareTo(full) > 0) {
      throw new CrlSyncFailure(Kind.DELTA_BASE_MISSING, "the delta CRL " + number + " builds on complete CRL " + base
          + " but the one held is " + (full == null ? "none" : full.toString())
          + ": waiting for that complete CRL");
    }
    return false;
  }

  private static CrlSyncFailure rollback(BigInteger number, BigInteger latest) {
    return new CrlSyncFailure(Kind.ROLLBACK, "the CRL number " + number + " is lower than " + latest
        + ", the one accepted last: refused as a rollback");
  }

  private static void readEntries(X509CRLHolder crl, boolean delta, List<CrlSource.Entry> entries,
                                  List<String> released) {
    Enumeration<?> all = crl.toASN1Structure().getRevokedCertificateEnumeration();
    while (all.hasMoreElements()) {
      TBSCertList.CRLEntry entry = (TBSCertList.CRLEntry) all.nextElement();
      Extensions extensions = entry.getExtensions();
      if (extensions != null) {
        for (ASN1ObjectIdentifier oid : extensions.getCriticalExtensionOIDs()) {
          if (!oid.equals(Extension.reasonCode)) {
            throw new CrlSyncFailure(Kind.UNSUPPORTED, "a CRL entry has a critical extension zto does not process: "
                + oid);
          }
        }
      }
      String serial = entry.getUserCertificate().getValue().toString(16);
      RevocationReason reason = reason(extensions);
      if (reason == RevocationReason.REMOVE_FROM_CRL) {
        // only meaningful in a delta: the certificate is listed no longer (a hold released)
        if (delta) {
          released.add(serial);
        }
        continue;
      }
      entries.add(new CrlSource.Entry(serial, entry.getRevocationDate().getDate().toInstant(), reason));
    }
  }

  private static RevocationReason reason(Extensions extensions) {
    Extension code = extensions == null ? null : extensions.getExtension(Extension.reasonCode);
    if (code == null) {
      return null;
    }
    try {
      return RevocationReason.fromCode(CRLReason.getInstance(code.getParsedValue()).getValue().intValue());
    } catch (IllegalArgumentException e) {
      throw new CrlSyncFailure(Kind.MALFORMED, "a CRL entry has an invalid reason code: " + e.getMessage());
    }
  }

  private static Optional<BigInteger> integer(X509CRLHolder crl, ASN1ObjectIdentifier oid) {
    Extension extension = crl.getExtension(oid);
    if (extension == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ASN1Integer.getInstance(extension.getParsedValue()).getValue());
    } catch (IllegalArgumentException e) {
      throw new CrlSyncFailure(Kind.MALFORMED, "the CRL's " + oid + " extension is not an integer");
    }
  }
}
