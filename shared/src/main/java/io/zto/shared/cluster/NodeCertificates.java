package io.zto.shared.cluster;

import io.zto.shared.pki.CertificateAuthority;
import io.zto.shared.pki.CertificateBuilder;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.pki.SigningKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;

/**
 * The identities nodes show each other on the clustered event bus.
 *
 * <p>The <b>cluster node CA</b> is a CA of its own, so that no device certificate (the issuing CA signs
 * those) can ever pass as a node. It needs no new material to share: its P-256 key is derived with
 * HKDF-SHA256 from the issuing CA's private key, which every node of a cluster already holds (shared
 * through {@code cluster.secretFile} or seeded data dirs). Whoever holds the issuing key can make node
 * certificates, and could already make device certificates; nobody else can. Each node issues itself a
 * fresh <b>node certificate</b> (new key, serverAuth and clientAuth) at every start.
 */
public final class NodeCertificates {

  /** How long a node certificate is valid; a node gets a new one at each start. */
  public static final Duration NODE_VALIDITY = Duration.ofDays(397);
  private static final String DERIVATION = "zto cluster node CA v1";

  /** A node's event-bus identity: key, chain (node certificate, node CA) and the CA peers must chain to. */
  public record NodeIdentity(PrivateKey key, List<X509Certificate> chain, X509Certificate clusterCa) {}

  private NodeCertificates() {}

  /** Blocking (key generation, signatures): this node's identity, for {@code host}. */
  public static NodeIdentity issue(PlatformPki pki, String host, Clock clock) {
    KeyPair caKeys = derivedCaKeys(pki.issuingKey());
    X509Certificate issuing = pki.issuingCertificate();
    X509Certificate ca = new CertificateBuilder()
        .subject(name("zto cluster node CA", issuing))
        .publicKey(caKeys.getPublic())
        .selfSigned(SigningKey.of(caKeys.getPrivate()))
        .validity(issuing.getNotBefore().toInstant(), issuing.getNotAfter().toInstant())
        .ca(0)
        .keyUsage(KeyUsage.keyCertSign)
        .build();
    KeyPair nodeKeys = KeyPairs.ecP256();
    Instant now = clock.instant();
    Instant notAfter = now.plus(NODE_VALIDITY);
    if (notAfter.isAfter(issuing.getNotAfter().toInstant())) {
      notAfter = issuing.getNotAfter().toInstant();
    }
    X509Certificate node = new CertificateBuilder()
        .subject(name("zto node " + host, issuing))
        .publicKey(nodeKeys.getPublic())
        .issuer(ca, SigningKey.of(caKeys.getPrivate()))
        .validity(now.minus(CertificateAuthority.BACKDATE), notAfter)
        .keyUsage(KeyUsage.digitalSignature)
        .extendedKeyUsage(KeyPurposeId.id_kp_serverAuth)
        .extendedKeyUsage(KeyPurposeId.id_kp_clientAuth)
        .subjectAltName(host)
        .build();
    return new NodeIdentity(nodeKeys.getPrivate(), List.of(node, ca), ca);
  }

  /** The node CA's key pair: the same on every node holding {@code issuingKey}. */
  static KeyPair derivedCaKeys(PrivateKey issuingKey) {
    try {
      HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
      hkdf.init(new HKDFParameters(issuingKey.getEncoded(), null, DERIVATION.getBytes(StandardCharsets.UTF_8)));
      byte[] okm = new byte[48];
      hkdf.generateBytes(okm, 0, okm.length);
      ECNamedCurveParameterSpec curve = ECNamedCurveTable.getParameterSpec("secp256r1");
      // 384 bits reduced modulo n-1, plus 1: a scalar in [1, n-1] with negligible bias
      BigInteger d = new BigInteger(1, okm).mod(curve.getN().subtract(BigInteger.ONE)).add(BigInteger.ONE);
      org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(d).normalize();
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
      KeyFactory factory = KeyFactory.getInstance("EC");
      PrivateKey privateKey = factory.generatePrivate(new ECPrivateKeySpec(d, spec));
      PublicKey publicKey = factory.generatePublic(new ECPublicKeySpec(new ECPoint(q.getAffineXCoord().toBigInteger(),
          q.getAffineYCoord().toBigInteger()), spec));
      return new KeyPair(publicKey, privateKey);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the cluster node CA key: " + e.getMessage(), e);
    }
  }

  private static X500Name name(String commonName, X509Certificate issuing) {
    // the issuing CA's name tells installations apart (its OU carries the installation id)
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "zto");
    X500Name issuingName = X500Name.getInstance(issuing.getSubjectX500Principal().getEncoded());
    for (var rdn : issuingName.getRDNs(BCStyle.OU)) {
      builder.addRDN(BCStyle.OU, rdn.getFirst().getValue());
    }
    return builder.addRDN(BCStyle.CN, commonName).build();
  }
}
