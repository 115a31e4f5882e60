package io.zto.shared.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.json.JsonObject;

class DataDirBootstrapTest {

  private static final List<String> FILES = List.of(
      "ca.p12", "ca.p12.password", "root-ca.pem", "issuing-ca.pem", "ca-chain.pem", "command-signing.pem",
      "admin-token", "provisioning-credentials.json", "tls/server-key.pem", "tls/server-chain.pem");

  @TempDir
  Path temp;

  @Test
  void firstStartCreatesEveryFileOwnerOnly() throws IOException {
    // GIVEN a data dir that does not exist yet
    Path dataDir = temp.resolve("zto-data");

    // WHEN the platform starts for the first time
    PlatformPki pki = new DataDirBootstrap(dataDir, "gw.example.com").bootstrap();

    // THEN every file exists with 0600 and the directories with 0700
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tls")))).isEqualTo("rwx------");
    for (String file : FILES) {
      assertThat(dataDir.resolve(file)).as(file).isRegularFile();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(file)))).as(file).isEqualTo("rw-------");
    }
    try (Stream<Path> all = Files.walk(dataDir)) {
      assertThat(all.filter(Files::isRegularFile).count()).as("no stray temp files").isEqualTo(FILES.size());
    }
    // AND the result holds what the files hold
    assertThat(pki.adminToken()).hasSizeGreaterThanOrEqualTo(43);
    assertThat(Files.readString(dataDir.resolve("admin-token"))).isEqualTo(pki.adminToken() + "\n");
    JsonObject credentials = new JsonObject(Files.readString(dataDir.resolve("provisioning-credentials.json")));
    assertThat(credentials.getString("username")).isEqualTo("zto-provisioning");
    assertThat(credentials.getString("password")).isEqualTo(pki.provisioningCredentials().password()).hasSizeGreaterThanOrEqualTo(22);
    assertThat(Pem.readCertificates(Files.readString(dataDir.resolve("ca-chain.pem"))))
        .containsExactly(pki.issuingCertificate(), pki.rootCertificate());
    assertThat(pki.operatorManagedCa()).isFalse();
  }

  @Test
  void caHierarchyHasTheDocumentedProfile() {
    // GIVEN a fresh platform PKI
    PlatformPki pki = new DataDirBootstrap(temp.resolve("d"), "localhost").bootstrap();
    X509Certificate root = pki.rootCertificate();
    X509Certificate issuing = pki.issuingCertificate();
    X509Certificate command = pki.commandSigningCertificate();

    // THEN root is P-384 pathLen 1 for about 20 years, issuing P-256 pathLen 0 for about 10 years
    assertThat(root.getBasicConstraints()).isEqualTo(1);
    assertThat(root.getSigAlgName()).isEqualTo("SHA384withECDSA");
    assertThat(years(root)).isEqualTo(20);
    assertThat(issuing.getBasicConstraints()).isEqualTo(0);
    assertThat(issuing.getSigAlgName()).isEqualTo("SHA384withECDSA");
    assertThat(years(issuing)).isEqualTo(10);
    assertThat(issuing.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
    // AND the command-signing certificate is an end entity for signatures only, from the issuing CA
    assertThat(command.getBasicConstraints()).isEqualTo(-1);
    assertThat(command.getKeyUsage()[0]).isTrue();
    assertThat(command.getIssuerX500Principal()).isEqualTo(issuing.getSubjectX500Principal());
    assertThat(pki.commandSigningKey().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void secondStartReusesCaTokenAndCredentials() throws IOException {
    // GIVEN a data dir after a first start
    Path dataDir = temp.resolve("data");
    PlatformPki first = new DataDirBootstrap(dataDir, "localhost").bootstrap();
    Map<String, byte[]> before = snapshot(dataDir);
    Map<String, FileTime> modified = modificationTimes(dataDir);

    // WHEN it starts again with the same settings
    PlatformPki second = new DataDirBootstrap(dataDir, "localhost").bootstrap();

    // THEN no file changed, not even its modification time, and the same material is in memory
    Map<String, byte[]> after = snapshot(dataDir);
    assertThat(after).containsOnlyKeys(before.keySet());
    before.forEach((file, bytes) -> assertThat(after.get(file)).as(file).isEqualTo(bytes));
    assertThat(modificationTimes(dataDir)).isEqualTo(modified);
    assertThat(second.adminToken()).isEqualTo(first.adminToken());
    assertThat(second.provisioningCredentials()).isEqualTo(first.provisioningCredentials());
    assertThat(second.rootCertificate()).isEqualTo(first.rootCertificate());
    assertThat(second.issuingKey().getEncoded()).isEqualTo(first.issuingKey().getEncoded());
    assertThat(second.commandSigningKey().getEncoded()).isEqualTo(first.commandSigningKey().getEncoded());
    assertThat(second.serverTls().chain()).isEqualTo(first.serverTls().chain());
  }

  @Test
  void publicHostChangeRegeneratesOnlyTheServerCertificate() throws Exception {
    // GIVEN a data dir made for localhost
    Path dataDir = temp.resolve("data");
    PlatformPki first = new DataDirBootstrap(dataDir, "localhost").bootstrap();
    Map<String, byte[]> before = snapshot(dataDir);

    // WHEN it starts with another public host (an IP this time)
    PlatformPki second = new DataDirBootstrap(dataDir, "192.0.2.10").bootstrap();

    // THEN only the two TLS files changed
    Map<String, byte[]> after = snapshot(dataDir);
    List<String> changed = before.keySet().stream()
        .filter(file -> !java.util.Arrays.equals(before.get(file), after.get(file))).sorted().collect(Collectors.toList());
    assertThat(changed).containsExactly("tls/server-chain.pem", "tls/server-key.pem");
    // AND the new certificate names the new host as an IP address, next to localhost and 127.0.0.1
    assertThat(sans(second.serverTls().certificate())).containsExactlyInAnyOrder(
        List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "192.0.2.10"));
    assertThat(sans(first.serverTls().certificate())).containsExactlyInAnyOrder(
        List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    // AND it chains to the same root, with serverAuth
    assertThat(second.serverTls().chain()).hasSize(2).element(1).isEqualTo(first.issuingCertificate());
    assertThat(second.serverTls().certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
  }

  @Test
  void serverCertificateIsRenewedWhenItExpiresWithin30Days() throws IOException {
    // GIVEN a server certificate of 40 days
    Path dataDir = temp.resolve("data");
    Instant now = Instant.now();
    new DataDirBootstrap(dataDir, "localhost").serverCertValidity(Duration.ofDays(40)).bootstrap();
    byte[] chain = Files.readAllBytes(dataDir.resolve("tls/server-chain.pem"));

    // WHEN the platform starts again 5 days later: still 35 days left, so it is kept
    new DataDirBootstrap(dataDir, "localhost").clock(at(now.plus(Duration.ofDays(5)))).bootstrap();
    assertThat(Files.readAllBytes(dataDir.resolve("tls/server-chain.pem"))).isEqualTo(chain);

    // WHEN it starts 15 days later: 25 days left, so it is renewed
    PlatformPki later = new DataDirBootstrap(dataDir, "localhost").clock(at(now.plus(Duration.ofDays(15)))).bootstrap();

    // THEN a new certificate is in place
    assertThat(Files.readAllBytes(dataDir.resolve("tls/server-chain.pem"))).isNotEqualTo(chain);
    assertThat(later.serverTls().certificate().getNotAfter().toInstant()).isAfter(now.plus(Duration.ofDays(300)));
  }

  @Test
  void operatorKeystoreIsUsedAndNeverWritten() throws IOException {
    // GIVEN an operator keystore (made here by a first platform start) moved to a read-only place
    PlatformPki origin = new DataDirBootstrap(temp.resolve("origin"), "localhost").bootstrap();
    Path operatorDir = Files.createDirectories(temp.resolve("operator"));
    Path keystore = Files.copy(temp.resolve("origin/ca.p12"), operatorDir.resolve("company-ca.p12"));
    Path password = Files.copy(temp.resolve("origin/ca.p12.password"), operatorDir.resolve("company-ca.pass"));
    keystore.toFile().setReadOnly();
    byte[] keystoreBytes = Files.readAllBytes(keystore);
    FileTime keystoreTime = Files.getLastModifiedTime(keystore);

    // WHEN the platform starts in a new data dir pointing at it
    Path dataDir = temp.resolve("data");
    PlatformPki pki = new DataDirBootstrap(dataDir, "localhost")
        .caKeystore(new CaKeystoreSettings(keystore, password, "", null, null))
        .bootstrap();

    // THEN it uses that CA, writes no keystore of its own, and leaves the operator's file alone
    assertThat(pki.operatorManagedCa()).isTrue();
    assertThat(pki.issuingCertificate()).isEqualTo(origin.issuingCertificate());
    assertThat(pki.serverTls().chain().get(1)).isEqualTo(origin.issuingCertificate());
    assertThat(dataDir.resolve("ca.p12")).doesNotExist();
    assertThat(dataDir.resolve("root-ca.pem")).hasContent(Pem.encode(origin.rootCertificate()).stripTrailing());
    assertThat(Files.readAllBytes(keystore)).isEqualTo(keystoreBytes);
    assertThat(Files.getLastModifiedTime(keystore)).isEqualTo(keystoreTime);
    try (Stream<Path> files = Files.list(operatorDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("company-ca.p12", "company-ca.pass");
    }
  }

  @Test
  void operatorKeystoreWithMissingAliasFailsWithClearMessage() throws IOException {
    // GIVEN an operator keystore without the alias the settings name
    new DataDirBootstrap(temp.resolve("origin"), "localhost").bootstrap();
    Path keystore = temp.resolve("origin/ca.p12");
    CaKeystoreSettings settings = new CaKeystoreSettings(keystore, null, null, "zto-issuing", null);

    // WHEN the platform starts THEN it fails naming the keystore, the alias and the aliases present
    assertThatThrownBy(() -> new DataDirBootstrap(temp.resolve("data"), "localhost").caKeystore(settings).bootstrap())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(keystore.toString())
        .hasMessageContaining("no alias 'zto-issuing'")
        .hasMessageContaining("command-signing, issuing, root")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void missingOperatorKeystoreFailsWithClearMessage() {
    // GIVEN settings naming a keystore that does not exist
    Path missing = temp.resolve("nowhere/ca.p12");
    CaKeystoreSettings settings = CaKeystoreSettings.operatorKeystore(missing, temp.resolve("nowhere/pw"));

    // WHEN the platform starts THEN it says which file is missing, and creates nothing there
    assertThatThrownBy(() -> new DataDirBootstrap(temp.resolve("data"), "localhost").caKeystore(settings).bootstrap())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("operator CA keystore " + missing + " is missing or not readable");
    assertThat(missing).doesNotExist();
  }

  @Test
  void wrongKeystorePasswordFailsWithClearMessage() throws IOException {
    // GIVEN an operator keystore and a password file with the wrong password
    new DataDirBootstrap(temp.resolve("origin"), "localhost").bootstrap();
    Path wrong = Files.writeString(temp.resolve("wrong.pass"), "not-the-password\n");
    CaKeystoreSettings settings = CaKeystoreSettings.operatorKeystore(temp.resolve("origin/ca.p12"), wrong);

    // WHEN the platform starts THEN the message names the password file
    assertThatThrownBy(() -> new DataDirBootstrap(temp.resolve("data"), "localhost").caKeystore(settings).bootstrap())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("Cannot open operator CA keystore")
        .hasMessageContaining(wrong.toString());
  }

  @Test
  void keystoreWithoutItsPasswordFileIsNotReplaced() throws IOException {
    // GIVEN a data dir whose password file was lost
    Path dataDir = temp.resolve("data");
    new DataDirBootstrap(dataDir, "localhost").bootstrap();
    byte[] keystore = Files.readAllBytes(dataDir.resolve("ca.p12"));
    Files.delete(dataDir.resolve("ca.p12.password"));

    // WHEN it starts THEN it refuses instead of making a new CA over the old one
    assertThatThrownBy(() -> new DataDirBootstrap(dataDir, "localhost").bootstrap())
        .hasMessageContaining("password file").hasMessageContaining("is missing");
    assertThat(Files.readAllBytes(dataDir.resolve("ca.p12"))).isEqualTo(keystore);
  }

  private static long years(X509Certificate certificate) {
    return Math.round(Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()).toDays() / 365.0);
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }

  private static Collection<List<?>> sans(X509Certificate certificate) {
    try {
      return certificate.getSubjectAlternativeNames();
    } catch (java.security.cert.CertificateParsingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path file : all.filter(Files::isRegularFile).collect(Collectors.toList())) {
        files.put(dir.relativize(file).toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  private static Map<String, FileTime> modificationTimes(Path dir) throws IOException {
    Map<String, FileTime> times = new HashMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path file : all.filter(Files::isRegularFile).collect(Collectors.toList())) {
        times.put(dir.relativize(file).toString(), Files.getLastModifiedTime(file));
      }
    }
    return times;
  }
}
