package io.zto.shared.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the platform's own CA hierarchy.
 *
 * @param keystore effective PKCS#12 keystore of the CA keys ({@code pki.keystore})
 * @param keystorePasswordFile effective file holding its password ({@code pki.keystorePasswordFile})
 * @param rootAlias alias of the root CA ({@code pki.rootAlias})
 * @param issuingAlias alias of the issuing CA ({@code pki.issuingAlias})
 * @param commandSigningAlias alias of the command-signing key ({@code pki.commandSigningAlias})
 * @param rootValidity validity of a new root certificate ({@code pki.rootValidity})
 * @param issuingValidity validity of a new issuing CA certificate ({@code pki.issuingValidity})
 * @param serverCertificateValidity validity of the server TLS certificate ({@code pki.serverCertificateValidity})
 * @param tlsEngine TLS engine of the listeners, {@code jdk} or {@code openssl} ({@code pki.tlsEngine})
 */
public record PkiConfig(Path keystore, Path keystorePasswordFile, String rootAlias, String issuingAlias,
                        String commandSigningAlias, Duration rootValidity, Duration issuingValidity,
                        Duration serverCertificateValidity, String tlsEngine) {

  /** File name of the CA keystore in the data dir. */
  public static final String KEYSTORE_FILE = "ca.p12";
  /** File name of the keystore password in the data dir. */
  public static final String KEYSTORE_PASSWORD_FILE = "ca.p12.password";

  /**
   * @param config the validated configuration
   * @return the PKI settings, empty file keys resolved into the data dir
   */
  public static PkiConfig from(LoadedConfig config) {
    NodeConfig node = NodeConfig.from(config);
    return new PkiConfig(node.fileOrDefault(config.string(ConfigKeys.PKI_KEYSTORE), KEYSTORE_FILE),
      node.fileOrDefault(config.string(ConfigKeys.PKI_KEYSTORE_PASSWORD_FILE), KEYSTORE_PASSWORD_FILE),
      config.string(ConfigKeys.PKI_ROOT_ALIAS), config.string(ConfigKeys.PKI_ISSUING_ALIAS),
      config.string(ConfigKeys.PKI_COMMAND_SIGNING_ALIAS), config.duration(ConfigKeys.PKI_ROOT_VALIDITY),
      config.duration(ConfigKeys.PKI_ISSUING_VALIDITY), config.duration(ConfigKeys.PKI_SERVER_CERTIFICATE_VALIDITY),
      config.string(ConfigKeys.PKI_TLS_ENGINE));
  }

  void writeTo(ConfigJson out) {
    out.put(ConfigKeys.PKI_KEYSTORE, keystore)
      .put(ConfigKeys.PKI_KEYSTORE_PASSWORD_FILE, keystorePasswordFile)
      .put(ConfigKeys.PKI_ROOT_ALIAS, rootAlias)
      .put(ConfigKeys.PKI_ISSUING_ALIAS, issuingAlias)
      .put(ConfigKeys.PKI_COMMAND_SIGNING_ALIAS, commandSigningAlias)
      .put(ConfigKeys.PKI_ROOT_VALIDITY, rootValidity)
      .put(ConfigKeys.PKI_ISSUING_VALIDITY, issuingValidity)
      .put(ConfigKeys.PKI_SERVER_CERTIFICATE_VALIDITY, serverCertificateValidity)
      .put(ConfigKeys.PKI_TLS_ENGINE, tlsEngine);
  }
}
