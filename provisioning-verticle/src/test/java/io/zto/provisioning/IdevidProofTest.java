package io.zto.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.zto.shared.domain.Activation;
import io.zto.shared.domain.AuditEvent;
import io.zto.shared.domain.CrlSource;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.Enrollment;
import io.zto.shared.domain.ProvisioningRequest;
import io.zto.shared.domain.RevocationReason;
import io.zto.shared.domain.TrustAnchor;
import io.zto.shared.pki.FactoryCa;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.CrlSourceRepository;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.store.ProvisioningRequestRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.DeviceIdentities;
import io.zto.shared.testing.DeviceIdentity;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Contract v2, "IDevID evidence proves possession", at the provisioning service: an enrollment keyed by
 * an IDevID serial is claimed only by the device holding that IDevID's key, with a proof made for this
 * very request, device and LDevID, fresh, and chaining to an {@code idevid} anchor. Every other attempt
 * (issue 13's copied IDevID and the ways to forge or replay a proof) is rejected with a reason, audited,
 * and leaves the enrolled device unprovisioned.
 */
@ExtendWith(VertxExtension.class)
class IdevidProofTest {

  private static final DeviceIdentities CUSTOMER = DeviceIdentities.create();
  private static final FactoryCa MANUFACTURER = FactoryCa.create("Proof Test Manufacturer CA", "Maker");
  private static final String SERIAL = "SN-4711";

  private ProvisioningBus bus;
  private DeviceIdentity ldevid;
  private FactoryCa.Issued idevid;

  @BeforeEach
  void deploy(Vertx vertx) {
    bus = ProvisioningBus.deploy(vertx);
    bus.anchor("customer", TrustAnchor.Purpose.LDEVID, CUSTOMER.ldevidCa(), "default");
    bus.anchor("manufacturer", TrustAnchor.Purpose.IDEVID, MANUFACTURER.certificate(), "default");
    // GIVEN an enrollment keyed by the IDevID serial only, and the device holding that IDevID
    bus.enroll(Enrollment.create(null, null, null, SERIAL, null, Activation.auto()));
    ldevid = CUSTOMER.ldevid("gw-1");
    idevid = idevid(SERIAL, KeyPairs.ecP256());
  }

  @AfterEach
  void close() {
    bus.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "ES384", "RS256", "PS256"})
  void aProofSignedWithTheIdevidKeyMatchesItsEnrollment(String alg) {
    // GIVEN an IDevID whose key fits the algorithm
    KeyPair keys = alg.equals("ES256") ? KeyPairs.ecP256() : alg.equals("ES384") ? KeyPairs.ecP384() : KeyPairs.rsa(2048);
    FactoryCa.Issued own = idevid(SERIAL, keys);
    // WHEN the device proves it for its request
    JsonObject answer = ask("r-1", sign(JWSAlgorithm.parse(alg), own.keyPair().getPrivate(), List.of(own.certificate()),
        claims("r-1", "gw-1", ldevid, Instant.now())));
    // THEN it is provisioned under the IDevID enrollment, and the serial is recorded
    assertThat(answer.getString("status")).as(answer.encode()).isEqualTo("provisioned");
    assertThat(Await.result(new DeviceRepository(bus.db).get("gw-1")).orElseThrow().idevidSerial()).isEqualTo(SERIAL);
  }

  @Test
  void anIdevidOfALineCaUnderTheManufacturerRootProvesWithItsIntermediateInX5c() {
    // GIVEN an IDevID issued by a line CA under the registered manufacturer root
    FactoryCa line = MANUFACTURER.intermediate("Line 3 IDevID CA", "Maker");
    FactoryCa.Issued viaLine = line.issue(subject(SERIAL), FactoryCa.DEFAULT_HW_TYPE,
        "HW-3".getBytes(StandardCharsets.US_ASCII), KeyPairs.ecP256());
    // WHEN its proof carries [IDevID, line CA] THEN it provisions, with the HardwareModuleName recorded
    JsonObject answer = ask("r-1", sign(JWSAlgorithm.ES256, viaLine.keyPair().getPrivate(),
        List.of(viaLine.certificate(), line.certificate()), claims("r-1", "gw-1", ldevid, Instant.now())));
    assertThat(answer.getString("status")).as(answer.encode()).isEqualTo("provisioned");
    assertThat(Await.result(new DeviceRepository(bus.db).get("gw-1")).orElseThrow().hwmoduleSerial()).isEqualTo("HW-3");
  }

  @Test
  void aCopiedIdevidCertificateSentAsBarePemIsNoEvidence() {
    // WHEN another device pastes the victim's public IDevID PEM into its request (issue 13, attack 3)
    JsonObject answer = bus.ask(CUSTOMER.ldevid("intruder"), List.of(CUSTOMER.ldevid("intruder").certificate()),
        "r-1", Pem.encode(idevid.certificate()), null);
    // THEN it is rejected as unknown, told that a bare PEM does not count and what does
    assertThat(answer.getString("status")).isEqualTo("rejected");
    assertThat(answer.getString("reason")).contains("unknown device", "not evidence", "idevidProof");
    assertThat(Await.result(new CredentialRepository(bus.db).get("intruder"))).isEmpty();
    assertThat(bus.audit("intruder")).anyMatch(e -> e.outcome() == AuditEvent.Outcome.REFUSED
        && e.reason().contains("not evidence"));
  }

  @Test
  void aProofReplayedForAnotherRequestIsRejected() {
    String proof = sign(JWSAlgorithm.ES256, key(), x5c(), claims("r-1", "gw-1", ldevid, Instant.now()));
    refused(ask("r-2", proof), "requestId 'r-1' is not this request's 'r-2'");
  }

  @Test
  void aProofMadeForAnotherLdevidIsRejected() {
    // GIVEN a proof the real device made for its own LDevID, captured by an intruder with another LDevID
    // of the same id (a stolen proof cannot be moved to another TLS identity)
    String proof = sign(JWSAlgorithm.ES256, key(), x5c(), claims("r-1", "gw-1", ldevid, Instant.now()));
    DeviceIdentity other = CUSTOMER.ldevid("gw-1");
    JsonObject answer = bus.ask(other, List.of(other.certificate()), "r-1", null, proof);
    refused(answer, "is not the fingerprint of the LDevID this connection authenticated with");
  }

  @Test
  void aProofMadeForAnotherDeviceIsRejected() {
    String proof = sign(JWSAlgorithm.ES256, key(), x5c(), claims("r-1", "gw-2", ldevid, Instant.now()));
    refused(ask("r-1", proof), "deviceId 'gw-2' is not this request's 'gw-1'");
  }

  @Test
  void aStaleOrFutureIatIsRejected() {
    refused(ask("r-1", sign(JWSAlgorithm.ES256, key(), x5c(), claims("r-1", "gw-1", ldevid,
        Instant.now().minus(Duration.ofMinutes(6))))), "more than 5 minutes from the platform's time");
    refused(ask("r-2", sign(JWSAlgorithm.ES256, key(), x5c(), claims("r-2", "gw-1", ldevid,
        Instant.now().plus(Duration.ofMinutes(6))))), "more than 5 minutes from the platform's time");
  }

  @Test
  void aProofSignedByAnotherKeyThanTheX5cCertificatesIsRejected() {
    // GIVEN the victim's IDevID certificate in x5c, signed with the intruder's own key
    String proof = sign(JWSAlgorithm.ES256, KeyPairs.ecP256().getPrivate(), x5c(),
        claims("r-1", "gw-1", ldevid, Instant.now()));
    refused(ask("r-1", proof), "signature does not verify with the key of its x5c certificate");
  }

  @Test
  void unsignedAndHmacProofsAreRejectedForTheirAlgorithm() {
    refused(ask("r-1", IdevidProofs.unsigned(x5c(), claims("r-1", "gw-1", ldevid, Instant.now()))),
        "alg 'none' is not accepted");
    // an HMAC "signed" with a key anyone can know (here: bytes of the public certificate)
    JWSObject hmac = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.HS256).x509CertChain(List.of(base64(
        idevid.certificate()))).build(), new Payload(claims("r-2", "gw-1", ldevid, Instant.now()).encode()));
    try {
      hmac.sign(new MACSigner(java.util.Arrays.copyOf(idevid.certificate().getPublicKey().getEncoded(), 32)));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    refused(ask("r-2", hmac.serialize()), "alg 'HS256' is not accepted");
  }

  @Test
  void anAlgorithmThatDoesNotFitTheKeyIsRejected() {
    // ES384 claimed over a P-256 key: the verifier refuses rather than guessing
    refused(ask("r-1", sign(JWSAlgorithm.ES256, key(), x5c(), claims("r-1", "gw-1", ldevid, Instant.now()))
        .replaceFirst("^[^.]+", com.nimbusds.jose.util.Base64URL.encode(new JWSHeader.Builder(JWSAlgorithm.ES384)
            .x509CertChain(List.of(base64(idevid.certificate()))).build().toString()).toString())),
        "cannot be verified");
  }

  @Test
  void anX5cNotChainingToAnIdevidAnchorIsRejected() {
    // GIVEN an IDevID with the enrolled serial from an unregistered manufacturer CA, properly signed
    FactoryCa rogue = FactoryCa.create("Rogue Manufacturer CA", "Rogue");
    FactoryCa.Issued forged = rogue.issue(subject(SERIAL), null, null, KeyPairs.ecP256());
    refused(ask("r-1", sign(JWSAlgorithm.ES256, forged.keyPair().getPrivate(), List.of(forged.certificate()),
        claims("r-1", "gw-1", ldevid, Instant.now()))), "IDevID of the idevidProof is not trusted");
    // AND a certificate of the customer's LDevID CA (trusted, but for ldevid only) does not count as an IDevID
    DeviceIdentity customerCert = CUSTOMER.ldevid(SERIAL);
    refused(ask("r-2", sign(JWSAlgorithm.ES256, customerCert.key(), List.of(customerCert.certificate()),
        claims("r-2", "gw-1", ldevid, Instant.now()))), "IDevID of the idevidProof is not trusted");
  }

  @Test
  void aRevokedIdevidOrARevokedLineCaAboveItIsRejected() {
    // GIVEN the manufacturer's CRL (a CRL source of the operator API) listing the IDevID and a line CA
    FactoryCa line = MANUFACTURER.intermediate("Recalled Line CA", "Maker");
    FactoryCa.Issued viaLine = line.issue(subject(SERIAL), null, null, KeyPairs.ecP256());
    CrlSourceRepository crls = new CrlSourceRepository(bus.db);
    CrlSource source = Await.result(crls.create(CrlSource.create("http://maker.example/root.crl",
        Pem.encode(MANUFACTURER.certificate()), Fingerprints.sha256(MANUFACTURER.certificate()), 3600,
        CrlSource.StalePolicy.KEEP_LAST)));
    Instant now = Instant.now();
    Await.result(crls.replaceEntries(source.id(), new CrlSource.FetchState(null, null, "1", null, now.minusSeconds(60),
        now.plusSeconds(3600), now), List.of(
            new CrlSource.Entry(idevid.certificate().getSerialNumber().toString(16), now.minusSeconds(30),
                RevocationReason.KEY_COMPROMISE),
            new CrlSource.Entry(line.certificate().getSerialNumber().toString(16), now.minusSeconds(30),
                RevocationReason.CA_COMPROMISE))));
    // WHEN the revoked IDevID proves itself, with a proof otherwise perfect THEN rejected as revoked
    refused(ask("r-1", sign(JWSAlgorithm.ES256, key(), x5c(), claims("r-1", "gw-1", ldevid, now))),
        "IDevID of the idevidProof is refused");
    // AND one below the revoked line CA too, the line CA named
    refused(ask("r-2", sign(JWSAlgorithm.ES256, viaLine.keyPair().getPrivate(),
        List.of(viaLine.certificate(), line.certificate()), claims("r-2", "gw-1", ldevid, now))),
        "intermediate CA");
  }

  @Test
  void malformedAndOversizedProofsAreRejectedBeforeAnythingIsParsed() {
    refused(ask("r-1", "not-a-jws"), "is not a JWS compact serialization");
    refused(ask("r-2", "e30.e30.e30"), "alg is missing");
    JWSObject noX5c = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).build(),
        new Payload(claims("r-3", "gw-1", ldevid, Instant.now()).encode()));
    try {
      noX5c.sign(new com.nimbusds.jose.crypto.ECDSASigner((java.security.interfaces.ECPrivateKey) key()));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    refused(ask("r-3", noX5c.serialize()), "header has no x5c");
    JsonObject oversized = ask("r-4", "a".repeat(IdevidProofChecker.MAX_PROOF_CHARS + 1));
    assertThat(oversized.getString("status")).isEqualTo("rejected");
    assertThat(oversized.getString("reason")).contains("idevidProof must be at most 16384 characters");
    assertThat(bus.auditReasons("gw-1")).anyMatch(r -> r.contains("idevidProof must be at most"));
  }

  // ---------------------------------------------------------------------------------------------------

  private JsonObject ask(String requestId, String proof) {
    return bus.ask(ldevid, List.of(ldevid.certificate()), requestId, null, proof);
  }

  /** Rejected with {@code reason}, audited as a refusal, the request recorded as rejected, nothing provisioned. */
  private void refused(JsonObject answer, String reason) {
    assertThat(answer.getString("status")).as(answer.encode()).isEqualTo("rejected");
    assertThat(answer.getString("reason")).contains(reason);
    assertThat(answer.containsKey("config")).isFalse();
    assertThat(bus.audit("gw-1")).anyMatch(e -> e.outcome() == AuditEvent.Outcome.REFUSED
        && e.reason().contains(reason));
    assertThat(Await.result(new ProvisioningRequestRepository(bus.db).find("gw-1", answer.getString("requestId")))
        .map(ProvisioningRequest::status)).contains(ProvisioningRequest.Status.REJECTED);
    assertThat(Await.result(new CredentialRepository(bus.db).get("gw-1"))).isEmpty();
    assertThat(Await.result(new DeviceRepository(bus.db).get("gw-1")).map(Device::state))
        .isNotEqualTo(java.util.Optional.of(Device.State.PROVISIONED));
  }

  private PrivateKey key() {
    return idevid.keyPair().getPrivate();
  }

  private List<X509Certificate> x5c() {
    return List.of(idevid.certificate());
  }

  private static JsonObject claims(String requestId, String deviceId, DeviceIdentity ldevid, Instant iat) {
    return IdevidProofs.claims(requestId, deviceId, Fingerprints.sha256(ldevid.certificate()), iat);
  }

  private static String sign(JWSAlgorithm alg, PrivateKey key, List<X509Certificate> x5c, JsonObject claims) {
    return IdevidProofs.sign(alg, key, x5c, claims);
  }

  private static FactoryCa.Issued idevid(String serial, KeyPair keys) {
    return MANUFACTURER.issue(subject(serial), FactoryCa.DEFAULT_HW_TYPE,
        ("HW-" + serial).getBytes(StandardCharsets.US_ASCII), keys);
  }

  private static X500Name subject(String serial) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "Gateway IDevID")
        .addRDN(BCStyle.SERIALNUMBER, serial).build();
  }

  private static Base64 base64(X509Certificate certificate) {
    try {
      return Base64.encode(certificate.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
