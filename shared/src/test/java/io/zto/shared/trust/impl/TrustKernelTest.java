package io.zto.shared.trust.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.TrustAnchorCache;
import io.zto.shared.store.TrustAnchorRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import io.zto.shared.testing.TestChains;
import io.zto.shared.testing.TestPki;
import io.zto.shared.trust.TrustKernel;
import io.zto.shared.trust.TrustPurpose;
import io.zto.shared.trust.Verdict;
import io.zto.shared.trust.Verdict.Refusal;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The one trust decision (contract section 9), on both storage back ends. */
class TrustKernelTest {

  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void closeVertx() {
    Await.result(vertx.close());
  }

  private TrustKernel kernel(Database db) {
    return new TrustKernelImpl(vertx, TestPki.shared(),
        TrustAnchorCache.create(vertx, new TrustAnchorRepository(db), Duration.ZERO),
        new CrlSourceRepository(db), new CertificateRepository(db), Clock.systemUTC());
  }

  private static TrustAnchor trust(Database db, TrustAnchor.Purpose purpose, X509Certificate ca) {
    return Await.result(new TrustAnchorRepository(db).create(TrustAnchor.create("anchor " + ca.getSerialNumber(),
        purpose, Pem.encode(ca), Fingerprints.sha256(ca), ca.getSubjectX500Principal().getName(),
        ca.getNotAfter().toInstant())));
  }

  /** A CRL source of {@code issuer} that lists {@code serials}. */
  private static void listed(Database db, X509Certificate issuer, X509Certificate... revoked) {
    CrlSourceRepository crls = new CrlSourceRepository(db);
    CrlSource source = Await.result(crls.create(CrlSource.create("http://127.0.0.1:1/" + Fingerprints.sha256(issuer) + ".crl", Pem.encode(issuer),
        Fingerprints.sha256(issuer), 3600, CrlSource.StalePolicy.KEEP_LAST)));
    List<CrlSource.Entry> entries = new ArrayList<>();
    for (X509Certificate c : revoked) {
      entries.add(new CrlSource.Entry(c.getSerialNumber().toString(16), Instant.now(), RevocationReason.KEY_COMPROMISE));
    }
    Instant now = Instant.now();
    Await.result(crls.replaceEntries(source.id(), new CrlSource.FetchState(null, null, "1", null, now,
        now.plus(Duration.ofHours(1)), now), entries));
  }

  private Verdict ldevid(Database db, X509Certificate... chain) {
    return Await.result(kernel(db).verifyCertificates(TrustPurpose.LDEVID, List.of(chain)));
  }

  @BackendTest
  void threeLevelChainIsTrustedWithEachCertificateVerifiedByItsIssuer(Database db) {
    // GIVEN a customer root trusted for LDevIDs, a line CA under it and a device under that
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca line = root.intermediate("Line CA");
    TestChains.Leaf device = line.device("gw-0001");
    TrustAnchor anchor = trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    // WHEN the device presents its certificate and the line CA
    Verdict verdict = ldevid(db, device.certificate(), line.certificate());
    // THEN the path is leaf <- line CA <- root, the device id read, the stored anchor named
    assertThat(verdict.trusted()).as(verdict.reason()).isTrue();
    assertThat(verdict.deviceId()).isEqualTo("gw-0001");
    assertThat(verdict.anchor().id()).isEqualTo(anchor.id());
    assertThat(verdict.path().elements()).hasSize(2);
    assertThat(verdict.path().leaf().issuerFingerprint()).isEqualTo(Fingerprints.sha256(line.certificate()));
    assertThat(verdict.path().elements().get(1).issuerFingerprint()).isEqualTo(Fingerprints.sha256(root.certificate()));
  }

  @BackendTest
  void intermediateMissingFromThePresentedChainIsUntrusted(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca line = root.intermediate("Line CA");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Verdict verdict = ldevid(db, line.device("gw-0001").certificate());
    assertThat(verdict.refusal()).isEqualTo(Refusal.UNTRUSTED);
    assertThat(verdict.reason()).contains("no trusted issuer");
  }

  @BackendTest
  void forgedIntermediateWithTheRightNameAndAnotherKeyIsUntrusted(Database db) {
    // GIVEN a trusted root whose real line CA the attacker does not hold
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca realLine = root.intermediate("Line CA");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    // WHEN the attacker makes a CA bearing the line CA's name, signs a device with it and presents both
    TestChains.Ca forged = realLine.forgery();
    TestChains.Leaf device = forged.device("gw-0001");
    Verdict verdict = ldevid(db, device.certificate(), forged.certificate());
    // THEN nothing verifies the forged CA's signature: refused as untrusted, saying why
    assertThat(verdict.refusal()).isEqualTo(Refusal.UNTRUSTED);
    assertThat(verdict.reason()).contains("does not verify with the key of the CA named");
  }

  @BackendTest
  void sameNameForgeryPresentedFirstDoesNotBecomeTheVerifiedIssuer(Database db) {
    // GIVEN a device of a real line CA that also presents a self-signed forgery bearing the line CA's name
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca line = root.intermediate("Line CA");
    TestChains.Leaf device = line.device("gw-0001");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Verdict verdict = ldevid(db, device.certificate(), line.forgery().certificate(), line.certificate());
    // THEN the issuer recorded for the leaf is the one whose key verified it, the real line CA
    assertThat(verdict.trusted()).as(verdict.reason()).isTrue();
    assertThat(verdict.path().leaf().issuerFingerprint()).isEqualTo(Fingerprints.sha256(line.certificate()));
  }

  @BackendTest
  void revokedIntermediateIsRefusedForEveryDeviceBelowIt(Database db) {
    // GIVEN the root's CRL lists the line CA
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca line = root.intermediate("Line CA");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    listed(db, root.certificate(), line.certificate());
    // WHEN a device of the line CA presents its chain
    Verdict verdict = ldevid(db, line.device("gw-0001").certificate(), line.certificate());
    // THEN it is refused as revoked, naming the intermediate
    assertThat(verdict.refusal()).isEqualTo(Refusal.REVOKED);
    assertThat(verdict.reason()).contains("intermediate CA").contains("Line CA");
  }

  @BackendTest
  void leafIsCheckedAgainstTheCrlOfTheIssuerThatVerifiedIt(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca line = root.intermediate("Line CA");
    TestChains.Leaf device = line.device("gw-0001");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    // a CRL of the root listing the leaf's serial says nothing: the root did not sign the leaf
    listed(db, root.certificate(), device.certificate());
    assertThat(ldevid(db, device.certificate(), line.certificate()).trusted()).isTrue();
    // the line CA's CRL does
    listed(db, line.certificate(), device.certificate());
    assertThat(ldevid(db, device.certificate(), line.certificate()).refusal()).isEqualTo(Refusal.REVOKED);
  }

  @BackendTest
  void expiredIntermediateIsRefused(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca old = root.intermediate("Old Line CA", 0, Instant.now().minus(Duration.ofDays(400)),
        Duration.ofDays(365));
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Verdict verdict = ldevid(db, old.device("gw-0001").certificate(), old.certificate());
    assertThat(verdict.refusal()).isEqualTo(Refusal.EXPIRED);
    assertThat(verdict.reason()).contains("intermediate CA").contains("expired");
  }

  @BackendTest
  void endEntityUsedAsAnIntermediateIsRefused(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca notACa = root.endEntityPosingAsCa("Not A CA");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Verdict verdict = ldevid(db, notACa.device("gw-0001").certificate(), notACa.certificate());
    assertThat(verdict.refusal()).isEqualTo(Refusal.POLICY);
    assertThat(verdict.reason()).contains("is not a CA certificate");
  }

  @BackendTest
  void pathLongerThanTheAnchorsPathLengthAllowsIsRefused(Database db) {
    // root pathLen 1: one intermediate below it, not two
    TestChains.Ca root = TestChains.root("Customer Root");
    TestChains.Ca first = root.intermediate("First CA", 1, Instant.now().minus(Duration.ofMinutes(5)),
        Duration.ofDays(30));
    TestChains.Ca second = first.intermediate("Second CA");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Verdict verdict = ldevid(db, second.device("gw-0001").certificate(), second.certificate(), first.certificate());
    assertThat(verdict.refusal()).isEqualTo(Refusal.POLICY);
    assertThat(verdict.reason()).contains("pathLenConstraint");
  }

  @BackendTest
  void weakKeysAndAlgorithmsAreRefused(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Map<String, TestChains.Leaf> weak = Map.of(
        "RSA key of 1024 bits", root.device("gw-rsa1024", TestChains.rsa(1024), "SHA256withECDSA"),
        "SHA1", root.device("gw-sha1", TestChains.ec("secp256r1"), "SHA1withECDSA"),
        "curve 1.3.132.0.35", root.device("gw-p521", TestChains.ec("secp521r1"), "SHA256withECDSA"));
    weak.forEach((why, leaf) -> {
      Verdict verdict = ldevid(db, leaf.certificate());
      assertThat(verdict.refusal()).as(why).isEqualTo(Refusal.POLICY);
      assertThat(verdict.reason()).as(why).contains(why);
    });
  }

  @BackendTest
  void strongKeysAndAlgorithmsAreAccepted(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    KeyPair rsa = TestChains.rsa(2048);
    assertThat(ldevid(db, root.device("gw-rsa", rsa, "SHA256withECDSA").certificate()).trusted()).isTrue();
    assertThat(ldevid(db, root.device("gw-p384", TestChains.ec("secp384r1"), "SHA384withECDSA").certificate())
        .trusted()).isTrue();
  }

  @BackendTest
  void leafThatIsACaOrCarriesAnUnknownCriticalExtensionIsRefused(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Verdict ca = ldevid(db, root.deviceThatIsACa("gw-ca").certificate());
    assertThat(ca.refusal()).isEqualTo(Refusal.POLICY);
    assertThat(ca.reason()).contains("not an end entity");
    Verdict critical = ldevid(db, root.deviceWithUnknownCriticalExtension("gw-x").certificate());
    assertThat(critical.refusal()).isEqualTo(Refusal.POLICY);
    assertThat(critical.reason()).contains("critical extension 1.3.6.1.4.1.99999.1");
  }

  @BackendTest
  void oversizedLongOrUnreadableInputIsRefusedBeforeAnySignatureCheck(Database db) {
    TrustKernel kernel = kernel(db);
    assertThat(Await.result(kernel.verify(TrustPurpose.LDEVID, List.of())).refusal()).isEqualTo(Refusal.NO_CERTIFICATE);
    assertThat(Await.result(kernel.verify(TrustPurpose.LDEVID, List.of(new byte[] {0x30, 0x03, 1, 2, 3})))
        .refusal()).isEqualTo(Refusal.MALFORMED);
    assertThat(Await.result(kernel.verify(TrustPurpose.LDEVID, List.of(new byte[64 * 1024]))).reason())
        .contains("at most 16384");
    List<byte[]> seven = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      seven.add(new byte[] {0x30, 0});
    }
    assertThat(Await.result(kernel.verify(TrustPurpose.LDEVID, seven)).reason()).contains("at most 6");
  }

  @BackendTest
  void leafWithoutAValidDeviceIdIsRefusedAsSuch(Database db) {
    TestChains.Ca root = TestChains.root("Customer Root");
    trust(db, TrustAnchor.Purpose.LDEVID, root.certificate());
    Verdict verdict = ldevid(db, root.device("gw 0001/../x").certificate());
    assertThat(verdict.refusal()).isEqualTo(Refusal.BAD_DEVICE_ID);
  }

  @BackendTest
  void ldevidAnchorsDoNotVouchForIdevidsAndTheOtherWayRound(Database db) {
    TestChains.Ca manufacturer = TestChains.root("Manufacturer Root");
    trust(db, TrustAnchor.Purpose.IDEVID, manufacturer.certificate());
    TestChains.Leaf idevid = manufacturer.device("SN-1");
    assertThat(ldevid(db, idevid.certificate()).refusal()).isEqualTo(Refusal.UNTRUSTED);
    Verdict asIdevid = Await.result(kernel(db).verifyCertificates(TrustPurpose.IDEVID, List.of(idevid.certificate())));
    assertThat(asIdevid.trusted()).as(asIdevid.reason()).isTrue();
    assertThat(asIdevid.deviceId()).isNull();
  }

  @BackendTest
  void operationalCertificateIsTrustedOnlyAsRecordedAndValid(Database db) throws Exception {
    // GIVEN a certificate the platform's issuing CA signed for gw-op
    PlatformPki pki = TestPki.shared();
    X509Certificate issuedCert = TestPki.authority(pki).issue(TestChains.ec("secp256r1").getPublic(), "gw-op",
        Duration.ofDays(30));
    TrustKernel kernel = kernel(db);
    // WHEN it is not recorded as issued: refused
    assertThat(Await.result(kernel.verifyCertificates(TrustPurpose.OPERATIONAL, List.of(issuedCert))).refusal())
        .isEqualTo(Refusal.NOT_ISSUED);
    // WHEN recorded, and presented with a self-signed forgery bearing the issuing CA's name in front
    CertificateRepository records = new CertificateRepository(db);
    String serial = issuedCert.getSerialNumber().toString(16);
    Await.result(records.insert(IssuedCertificate.issued(serial, "gw-op", PlatformPki.ISSUING_CA,
        "CN=gw-op", "default", "k", Fingerprints.sha256(issuedCert), issuedCert.getNotBefore().toInstant(),
        issuedCert.getNotAfter().toInstant(), issuedCert.getEncoded())));
    X509Certificate forgery = new TestChains.Ca(pki.issuingCertificate(), null).forgery().certificate();
    Verdict verdict = Await.result(kernel.verifyCertificates(TrustPurpose.OPERATIONAL, List.of(issuedCert, forgery)));
    // THEN trusted, and the verified issuer is the real issuing CA, not the forgery
    assertThat(verdict.trusted()).as(verdict.reason()).isTrue();
    assertThat(verdict.issued().serial()).isEqualTo(serial);
    assertThat(verdict.path().leaf().issuerFingerprint()).isEqualTo(Fingerprints.sha256(pki.issuingCertificate()));
    // WHEN revoked: refused as revoked
    Await.result(records.revoke(serial, RevocationReason.KEY_COMPROMISE, Instant.now()));
    assertThat(Await.result(kernel.verifyCertificates(TrustPurpose.OPERATIONAL, List.of(issuedCert))).refusal())
        .isEqualTo(Refusal.REVOKED);
  }
}
