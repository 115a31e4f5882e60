package io.zto.shared.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zto.shared.files.SecureFiles;
import io.zto.shared.pki.CaKeystoreSettings;
import io.zto.shared.pki.DataDirLayout;
import io.zto.shared.pki.Pem;
import io.zto.shared.pki.PlatformPki;
import io.zto.shared.security.SecretBox;
import io.zto.shared.store.ClusterMaterialRepository;
import io.zto.shared.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every node of a cluster the same CA keys, operator token and factory provisioning credentials. The
 * first node to start seeds the database with its data dir's material (made on the spot if the data dir is
 * new), sealed with the cluster secret ({@link SecretBox}); every later node writes that material into its own
 * data dir before the usual bootstrap loads it. Nodes that start together race on one insert: the losers
 * discard what they had just made and take the winner's. Each node keeps its own server TLS certificate,
 * issued by the shared CA for its own public host.
 *
 * <p>A data dir that already holds a CA other than the cluster's is refused rather than overwritten: those
 * keys may have signed certificates in use. With an operator's CA keystore ({@code pki.keystore}) the keys
 * stay where the operator put them (the same keystore on every node) and only the token and credentials
 * are shared; the issuing CA certificate is checked to be the same everywhere.
 */
public final class ClusterPki {

  /** The row of the material in {@code cluster_material}. */
  static final String NAME = "platform-pki";
  private static final String CONTEXT = "zto cluster material v1";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterPki.class);

  private final Vertx vertx;
  private final ClusterMaterialRepository repository;
  private final DataDirLayout layout;
  private final CaKeystoreSettings ca;
  private final Path secretFile;
  private final Callable<PlatformPki> localBootstrap;

  /**
   * @param dataDir this node's data dir
   * @param ca where the CA keystore is (the data dir's own, or an operator's)
   * @param secretFile the file holding the cluster secret
   * @param localBootstrap the data dir bootstrap (blocking), run once the data dir holds the shared material
   */
  public ClusterPki(Vertx vertx, Database db, Path dataDir, CaKeystoreSettings ca, Path secretFile,
                    Callable<PlatformPki> localBootstrap) {
    this.vertx = vertx;
    this.repository = new ClusterMaterialRepository(db);
    this.layout = new DataDirLayout(dataDir);
    this.ca = ca;
    this.secretFile = secretFile;
    this.localBootstrap = localBootstrap;
  }

  /** Joins the cluster's material, or seeds it; the result is this node's PKI. */
  public Future<PlatformPki> bootstrap() {
    return repository.find(NAME).compose(found -> found.isPresent() ? join(found.get(), false) : seed());
  }

  private Future<PlatformPki> seed() {
    record Seeded(PlatformPki pki, byte[] sealed, boolean madeNow) {}
    return vertx.executeBlocking(() -> {
      boolean madeNow = !ca.operatorManaged() && !Files.exists(keystore());
      PlatformPki pki = localBootstrap.call();
      return new Seeded(pki, box().seal(material(pki).encode().getBytes(StandardCharsets.UTF_8)), madeNow);
    }, false).compose(seeded -> repository.insertIfAbsent(NAME, seeded.sealed(), Instant.now())
        .compose(inserted -> {
          if (inserted) {
            LOG.info("Seeded the cluster's PKI material from data dir {}", layout.dataDir());
            return Future.succeededFuture(seeded.pki());
          }
          // another node seeded meanwhile: its material wins; ours may go if this start made it
          return repository.find(NAME).compose(row -> join(row.orElseThrow(), seeded.madeNow()));
        }));
  }

  private Future<PlatformPki> join(byte[] sealed, boolean replaceLocalCa) {
    return vertx.executeBlocking(() -> {
      JsonObject material = open(sealed);
      install(material, replaceLocalCa);
      PlatformPki pki = localBootstrap.call();
      String expected = material.getString("issuingCertificate");
      if (!Pem.encode(pki.issuingCertificate()).equals(expected)) {
        throw new IllegalStateException("this node's issuing CA (" + pki.issuingCertificate().getSubjectX500Principal()
            + ") is not the cluster's; every node needs the same CA keystore");
      }
      LOG.info("Joined the cluster's PKI material (issuing CA {})", pki.issuingCertificate().getSubjectX500Principal());
      return pki;
    }, false);
  }

  /** What the other nodes need, as JSON; the CA keystore only when it is the data dir's own. */
  private JsonObject material(PlatformPki pki) {
    JsonObject json = new JsonObject()
        .put("issuingCertificate", Pem.encode(pki.issuingCertificate()))
        .put("adminToken", SecureFiles.readString(layout.adminToken()))
        .put("provisioningCredentials", SecureFiles.readString(layout.provisioningCredentials()));
    if (!ca.operatorManaged()) {
      json.put("caKeystore", SecureFiles.readBytes(keystore())).put("caKeystorePassword", SecureFiles.readString(password()));
    }
    return json;
  }

  private void install(JsonObject material, boolean replaceLocalCa) {
    byte[] keystore = material.getBinary("caKeystore");
    if (keystore != null && !ca.operatorManaged()) {
      if (Files.exists(keystore()) && !Arrays.equals(SecureFiles.readBytes(keystore()), keystore) && !replaceLocalCa) {
        throw new IllegalStateException("data dir " + layout.dataDir() + " holds a CA keystore other than the"
            + " cluster's (in the database); move " + keystore() + " away to join with the cluster's CA");
      }
      SecureFiles.ensureDirectory(layout.dataDir());
      SecureFiles.writeAtomically(password(), material.getString("caKeystorePassword"));
      SecureFiles.writeIfChanged(keystore(), keystore);
    }
    SecureFiles.ensureDirectory(layout.dataDir());
    SecureFiles.writeIfChanged(layout.adminToken(), material.getString("adminToken").getBytes(StandardCharsets.UTF_8));
    SecureFiles.writeIfChanged(layout.provisioningCredentials(),
        material.getString("provisioningCredentials").getBytes(StandardCharsets.UTF_8));
  }

  private JsonObject open(byte[] sealed) {
    try {
      return new JsonObject(new String(box().open(sealed), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cannot open the cluster's PKI material in the database with the secret in "
          + secretFile + ": " + e.getMessage() + "; every node needs the same cluster.secretFile content", e);
    }
  }

  private SecretBox box() {
    if (!Files.isReadable(secretFile)) {
      throw new IllegalStateException("cluster secret file " + secretFile + " is missing or not readable");
    }
    String text = SecureFiles.readString(secretFile);
    String secret = text.lines().findFirst().orElse("").strip();
    try {
      return new SecretBox(secret, CONTEXT);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("cluster secret file " + secretFile + ": " + e.getMessage(), e);
    }
  }

  private Path keystore() {
    return ca.keystorePath(layout.dataDir());
  }

  private Path password() {
    return ca.passwordPath(layout.dataDir());
  }
}
