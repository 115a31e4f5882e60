package io.zto.shared.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.zto.shared.pki.CaKeystoreSettings;
import io.zto.shared.pki.DataDirBootstrap;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.store.Database;
import io.zto.shared.testing.Await;
import io.zto.shared.testing.BackendTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class ClusterPkiTest {

  @TempDir
  Path tmp;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @BackendTest
  void nodesStartingTogetherOnNewDataDirsEndWithOneCaTokenAndCredentials(Database db) throws Exception {
    // GIVEN three nodes with empty data dirs and the same secret
    Path secret = secret("a-cluster-secret-of-some-length");
    // WHEN they bootstrap at the same time
    List<Future<PlatformPki>> racing = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      racing.add(clusterPki(db, tmp.resolve("node-" + i), secret).bootstrap());
    }
    List<PlatformPki> nodes = racing.stream().map(Await::result).toList();
    // THEN they share the CA, the operator token and the provisioning credentials, in memory and in their data dirs
    for (PlatformPki node : nodes) {
      assertThat(node.issuingCertificate()).isEqualTo(nodes.get(0).issuingCertificate());
      assertThat(node.commandSigningCertificate()).isEqualTo(nodes.get(0).commandSigningCertificate());
      assertThat(node.adminToken()).isEqualTo(nodes.get(0).adminToken());
      assertThat(node.provisioningCredentials()).isEqualTo(nodes.get(0).provisioningCredentials());
      // AND each server certificate is issued by the shared CA
      assertThat(node.serverTls().chain().get(1)).isEqualTo(nodes.get(0).issuingCertificate());
    }
    assertThat(Files.readString(tmp.resolve("node-1/root-ca.pem"))).isEqualTo(Files.readString(tmp.resolve("node-2/root-ca.pem")));
    assertThat(Files.readString(tmp.resolve("node-2/admin-token")).strip()).isEqualTo(nodes.get(0).adminToken());
  }

  @BackendTest
  void aNodeWithAnotherSecretCannotJoinAndSaysWhy(Database db) throws Exception {
    // GIVEN a cluster seeded with one secret
    Await.result(clusterPki(db, tmp.resolve("a"), secret("the-first-secret-0123")).bootstrap());
    // WHEN a node with another secret starts THEN it fails naming the secret file
    Path other = tmp.resolve("other-secret");
    Files.writeString(other, "another-secret-4567\n");
    Throwable failure = Await.failure(clusterPki(db, tmp.resolve("b"), other).bootstrap());
    assertThat(failure).hasMessageContaining("cluster.secretFile").hasMessageContaining(other.toString());
  }

  @BackendTest
  void aDataDirWithAnotherCaIsRefusedNotOverwritten(Database db) throws Exception {
    // GIVEN a cluster seeded by node a, and node b's data dir made alone before (its own CA)
    Path secret = secret("a-cluster-secret-of-some-length");
    Await.result(clusterPki(db, tmp.resolve("a"), secret).bootstrap());
    PlatformPki alone = new DataDirBootstrap(tmp.resolve("b"), "localhost").bootstrap();
    byte[] before = Files.readAllBytes(tmp.resolve("b/ca.p12"));
    // WHEN b joins THEN it is refused and its CA keystore is left as it was
    Throwable failure = Await.failure(clusterPki(db, tmp.resolve("b"), secret).bootstrap());
    assertThat(failure).hasMessageContaining("other than the cluster's");
    assertThat(Files.readAllBytes(tmp.resolve("b/ca.p12"))).isEqualTo(before);
    assertThat(alone.issuingCertificate()).isNotNull();
  }

  @BackendTest
  void theSealedMaterialInTheDatabaseDoesNotShowTheToken(Database db) throws Exception {
    PlatformPki pki = Await.result(clusterPki(db, tmp.resolve("a"), secret("a-cluster-secret-of-some-length")).bootstrap());
    byte[] stored = Await.result(new io.zto.shared.store.ClusterMaterialRepository(db).find(ClusterPki.NAME)).orElseThrow();
    assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(pki.adminToken());
  }

  private ClusterPki clusterPki(Database db, Path dataDir, Path secret) {
    return new ClusterPki(vertx, db, dataDir, CaKeystoreSettings.defaults(), secret,
        () -> new DataDirBootstrap(dataDir, "localhost").bootstrap());
  }

  private Path secret(String text) throws Exception {
    Path file = tmp.resolve("secret-" + text.hashCode());
    Files.writeString(file, text + "\n");
    return file;
  }
}
