package io.zto.broker;

import io.vertx.core.Vertx;
import io.zto.shared.domain.Device;
import io.zto.shared.domain.IssuedCertificate;
import io.zto.shared.domain.MqttCredential;
import io.zto.shared.pki.Fingerprints;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.security.SecretHasher;
import io.zto.shared.store.CertificateRepository;
import io.zto.shared.store.CredentialRepository;
import io.zto.shared.store.Database;
import io.zto.shared.store.DeviceRepository;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Devices with an operational certificate, credentials and state in the database, and their PEM files on disk. */
final class OperationalDevices {

  private final PlatformPki pki;
  private final Database db;
  private final Vertx vertx;
  private final Path dir;
  private final Path rootPem;

  OperationalDevices(PlatformPki pki, Database db, Vertx vertx, Path dir) throws IOException {
    this.pki = pki;
    this.db = db;
    this.vertx = vertx;
    this.dir = dir;
    this.rootPem = Files.writeString(dir.resolve("root.pem"), pki.rootPem());
  }

  Path rootPem() {
    return rootPem;
  }

  /** Issues a certificate to {@code id} and stores the device in {@code state} with {@code password}. */
  void create(String id, Device.State state, String password) throws IOException {
    KeyPair keys = KeyPairs.ecP256();
    X509Certificate cert = TestPki.authority(pki).issue(keys.getPublic(), id, Duration.ofDays(30));
    IssuedCertificate issued = IssuedCertificate.issued(cert.getSerialNumber().toString(16), id, "issuing",
        cert.getSubjectX500Principal().getName(), "operational", Fingerprints.publicKeySha256(cert),
        Fingerprints.sha256(cert), cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(), Await.result(
            vertx.executeBlocking(cert::getEncoded)));
    Await.result(new CertificateRepository(db).insert(issued));
    Await.result(new DeviceRepository(db).upsert(Device.seen(id, "default", state)));
    Await.result(new CredentialRepository(db).replace(new MqttCredential(id, id,
        SecretHasher.argon2id().hash(password), "req-1", Instant.now())));
    Files.writeString(dir.resolve(id + ".pem"), Pem.encode(cert));
    Files.writeString(dir.resolve(id + ".key"), Pem.encode(keys.getPrivate()));
  }

  /** A mosquitto client command on {@code port} with the device's certificate and key. */
  List<String> tls(String tool, int port, String id, String version, String... more) {
    List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", tool, "-h", "127.0.0.1", "-p",
        String.valueOf(port), "--cafile", rootPem.toString(), "--cert", dir.resolve(id + ".pem").toString(), "--key",
        dir.resolve(id + ".key").toString(), "-V", version));
    command.addAll(List.of(more));
    return command;
  }
}
