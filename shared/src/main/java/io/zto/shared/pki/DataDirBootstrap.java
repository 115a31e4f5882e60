package io.zto.shared.pki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.zto.shared.files.SecureFiles;
import io.zto.shared.security.Secrets;

/**
 * Makes the platform's PKI and secrets in a data dir on first start and reuses them on later
 * starts (contract §0); see {@link DataDirLayout} for the files. A second start with the same
 * settings changes no byte of the CA material, token and credentials; only the server TLS
 * certificate is renewed, when the public host changed or it expires within 30 days.
 *
 * <pre>{@code
 * vertx.executeBlocking(() -> new DataDirBootstrap(dataDir, publicHost).bootstrap())
 * }</pre>
 */
public final class DataDirBootstrap {

  /** Default validity of the server TLS certificate. */
  public static final Duration DEFAULT_SERVER_CERT_VALIDITY = Duration.ofDays(365);

  private static final Logger LOG = LoggerFactory.getLogger(DataDirBootstrap.class);

  private final Path dataDir;
  private final String publicHost;
  private CaKeystoreSettings caKeystore = CaKeystoreSettings.defaults();
  private Duration serverCertValidity = DEFAULT_SERVER_CERT_VALIDITY;
  private Clock clock = Clock.systemUTC();

  /**
   * @param dataDir the data dir (created with 0700 if missing)
   * @param publicHost the host name or IP devices use; goes into the server certificate's SANs
   */
  public DataDirBootstrap(Path dataDir, String publicHost) {
    this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    this.publicHost = publicHost == null || publicHost.isBlank() ? "localhost" : publicHost.trim();
  }

  /** Use an operator's CA keystore instead of the data dir's own (read-only). */
  public DataDirBootstrap caKeystore(CaKeystoreSettings settings) {
    this.caKeystore = settings == null ? CaKeystoreSettings.defaults() : settings;
    return this;
  }

  /** Validity of a newly issued server TLS certificate (default one year). */
  public DataDirBootstrap serverCertValidity(Duration validity) {
    this.serverCertValidity = Objects.requireNonNull(validity);
    return this;
  }

  /** The clock for validity periods (tests). */
  public DataDirBootstrap clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock);
    return this;
  }

  /**
   * Creates or loads everything. <b>Blocking</b> (disk I/O and key generation, up to a second on
   * first start): run it on a worker thread ({@code vertx.executeBlocking}), never on an event loop.
   *
   * @throws IllegalStateException with a one-line reason if existing material is unusable
   *     (e.g. a configured keystore or alias is missing)
   */
  public PlatformPki bootstrap() {
    DataDirLayout layout = new DataDirLayout(dataDir);
    SecureFiles.ensureDirectory(dataDir);
    CaHierarchy ca = CaKeystore.loadOrCreate(dataDir, caKeystore, clock);
    writeExports(layout, ca);
    ServerTlsIdentity serverTls = ServerCertificates.loadOrRenew(layout, publicHost, ca, serverCertValidity, clock);
    String adminToken = adminToken(layout.adminToken());
    ProvisioningCredentials credentials = provisioningCredentials(layout.provisioningCredentials());
    return new PlatformPki(layout, ca, serverTls, adminToken, credentials, caKeystore.operatorManaged());
  }

  private static void writeExports(DataDirLayout layout, CaHierarchy ca) {
    // rewritten only when different, so later starts leave the files (and mtimes) alone
    writeText(layout.rootCaPem(), Pem.encode(ca.rootCertificate()));
    writeText(layout.issuingCaPem(), Pem.encode(ca.issuingCertificate()));
    writeText(layout.caChainPem(), Pem.encode(ca.caChain()));
    writeText(layout.commandSigningPem(), Pem.encode(ca.commandSigningCertificate()));
  }

  private static void writeText(Path file, String text) {
    SecureFiles.writeIfChanged(file, text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  private static String adminToken(Path file) {
    if (Files.exists(file)) {
      String token = SecureFiles.readString(file).strip();
      if (token.isEmpty() || token.contains("\n")) {
        throw new IllegalStateException("Admin token file " + file + " must hold one non-empty line; delete it to generate a new token");
      }
      return token;
    }
    String token = Secrets.randomToken(256);
    SecureFiles.writeAtomically(file, token + "\n");
    LOG.info("Generated operator API token in {}", file);
    return token;
  }

  private static ProvisioningCredentials provisioningCredentials(Path file) {
    if (Files.exists(file)) {
      try {
        JsonObject json = new JsonObject(SecureFiles.readString(file));
        String username = json.getString("username");
        String password = json.getString("password");
        if (username == null || username.isBlank() || password == null || password.isBlank()) {
          throw new IllegalStateException("Provisioning credentials file " + file + " needs non-empty \"username\" and \"password\"");
        }
        return new ProvisioningCredentials(username, password);
      } catch (DecodeException | ClassCastException e) {
        throw new IllegalStateException("Provisioning credentials file " + file + " is not a JSON object with string"
            + " \"username\" and \"password\": " + e.getMessage(), e);
      }
    }
    ProvisioningCredentials credentials = new ProvisioningCredentials(ProvisioningCredentials.DEFAULT_USERNAME, Secrets.randomToken(192));
    JsonObject json = new JsonObject().put("username", credentials.username()).put("password", credentials.password());
    SecureFiles.writeAtomically(file, json.encodePrettily() + "\n");
    LOG.info("Generated factory provisioning credentials in {}", file);
    return credentials;
  }
}
