package io.zto.shared.testing;

import io.zto.shared.domain.RevocationReason;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.SigningKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v2CRLBuilder;

/** CRLs signed by a test CA, the way an external PKI publishes them, complete or delta. */
public final class TestCrls {

  private final FactoryCa ca;
  private Instant thisUpdate = Instant.now().minusSeconds(60);
  private Instant nextUpdate = Instant.now().plusSeconds(3600);

  public TestCrls(FactoryCa ca) {
    this.ca = ca;
  }

  public TestCrls validity(Instant thisUpdate, Instant nextUpdate) {
    this.thisUpdate = thisUpdate;
    this.nextUpdate = nextUpdate;
    return this;
  }

  /** A complete CRL listing the serials with their reasons. */
  public byte[] complete(long number, Map<BigInteger, RevocationReason> entries) {
    return build(number, null, entries);
  }

  /** A delta CRL on complete CRL {@code base}; removeFromCRL entries release. */
  public byte[] delta(long number, long base, Map<BigInteger, RevocationReason> entries) {
    return build(number, base, entries);
  }

  private byte[] build(long number, Long base, Map<BigInteger, RevocationReason> entries) {
    X509v2CRLBuilder builder = new X509v2CRLBuilder(
        X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
    if (nextUpdate != null) {
      builder.setNextUpdate(Date.from(nextUpdate));
    }
    Date revokedAt = Date.from(thisUpdate.minusSeconds(60));
    entries.forEach((serial, reason) -> builder.addCRLEntry(serial, revokedAt, reason.code()));
    try {
      builder.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
      if (base != null) {
        builder.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(base));
      }
      return builder.build(SigningKey.of(ca.key()).newSigner()).getEncoded();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
