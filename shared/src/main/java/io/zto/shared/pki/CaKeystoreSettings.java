package io.zto.shared.pki;

import java.nio.file.Path;

/**
 * Where the CA keys come from. All fields may be {@code null} (or empty for aliases), meaning the
 * default: the platform's own {@code <dataDir>/ca.p12}, created on first start, with its password
 * in {@code <dataDir>/ca.p12.password} and aliases {@code root}, {@code issuing},
 * {@code command-signing}.
 *
 * <p>When {@code keystore} is set, it is the operator's keystore (PKCS#12 or JKS): the platform
 * only reads it, never writes it, and fails at start if it or an alias cannot be read.
 * The root alias may be a trusted-certificate entry (the root key can stay offline); the issuing
 * and command-signing aliases must hold private keys, protected by the store password.
 *
 * @param keystore the operator's keystore, or null for the data dir's own
 * @param passwordFile file whose first line is the store password; null: {@code <keystore>.password}
 * @param rootAlias alias of the root CA certificate
 * @param issuingAlias alias of the issuing CA key and certificate
 * @param commandSigningAlias alias of the command-signing key and certificate
 */
public record CaKeystoreSettings(Path keystore, Path passwordFile, String rootAlias, String issuingAlias,
                                 String commandSigningAlias) {

  public static final String DEFAULT_ROOT_ALIAS = "root";
  public static final String DEFAULT_ISSUING_ALIAS = "issuing";
  public static final String DEFAULT_COMMAND_SIGNING_ALIAS = "command-signing";

  /** Everything default: the data dir's own keystore. */
  public static CaKeystoreSettings defaults() {
    return new CaKeystoreSettings(null, null, null, null, null);
  }

  /** An operator keystore with the default aliases and {@code <keystore>.password}. */
  public static CaKeystoreSettings operatorKeystore(Path keystore, Path passwordFile) {
    return new CaKeystoreSettings(keystore, passwordFile, null, null, null);
  }

  /** Whether an operator keystore is configured (read-only use). */
  public boolean operatorManaged() {
    return keystore != null;
  }

  /** The keystore path to use for {@code dataDir}. */
  public Path keystorePath(Path dataDir) {
    return keystore != null ? keystore : dataDir.resolve(DataDirLayout.CA_KEYSTORE);
  }

  /** The password file to use for {@code dataDir}. */
  public Path passwordPath(Path dataDir) {
    if (passwordFile != null) {
      return passwordFile;
    }
    Path store = keystorePath(dataDir);
    return store.resolveSibling(store.getFileName() + ".password");
  }

  public String effectiveRootAlias() {
    return orDefault(rootAlias, DEFAULT_ROOT_ALIAS);
  }

  public String effectiveIssuingAlias() {
    return orDefault(issuingAlias, DEFAULT_ISSUING_ALIAS);
  }

  public String effectiveCommandSigningAlias() {
    return orDefault(commandSigningAlias, DEFAULT_COMMAND_SIGNING_ALIAS);
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
