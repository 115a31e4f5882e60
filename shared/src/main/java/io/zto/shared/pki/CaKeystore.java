package io.zto.shared.pki;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Collections;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.zto.shared.files.SecureFiles;
import io.zto.shared.security.Secrets;

/**
 * Reads the CA hierarchy from a PKCS#12 (or JKS) keystore, or creates the data dir's own
 * {@code ca.p12} on first start. An operator's keystore is only ever read.
 * Blocking (disk and CPU): call from a worker thread.
 */
final class CaKeystore {

  private static final Logger LOG = LoggerFactory.getLogger(CaKeystore.class);

  private CaKeystore() {
  }

  /** The operator's keystore, or the data dir's own one (created if missing). */
  static CaHierarchy loadOrCreate(Path dataDir, CaKeystoreSettings settings, Clock clock) {
    Path store = settings.keystorePath(dataDir);
    Path passwordFile = settings.passwordPath(dataDir);
    if (settings.operatorManaged()) {
      return load(store, passwordFile, settings, "operator CA keystore " + store);
    }
    if (Files.exists(store)) {
      if (!Files.exists(passwordFile)) {
        throw new IllegalStateException("CA keystore " + store + " exists but its password file " + passwordFile
            + " is missing; restore it from a backup (the keystore cannot be opened without it)");
      }
      return load(store, passwordFile, settings, "CA keystore " + store);
    }
    return create(store, passwordFile, settings, clock);
  }

  private static CaHierarchy create(Path store, Path passwordFile, CaKeystoreSettings settings, Clock clock) {
    // a password left by an interrupted first start is reused: nothing was encrypted with it yet
    if (!Files.exists(passwordFile)) {
      SecureFiles.writeAtomically(passwordFile, Secrets.randomToken() + "\n");
    }
    char[] password = readPassword(passwordFile);
    CaHierarchy ca = CaHierarchy.generate(clock);
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(settings.effectiveRootAlias(), ca.rootKey(), password,
          new Certificate[] {ca.rootCertificate()});
      keyStore.setKeyEntry(settings.effectiveIssuingAlias(), ca.issuingKey(), password,
          new Certificate[] {ca.issuingCertificate(), ca.rootCertificate()});
      keyStore.setKeyEntry(settings.effectiveCommandSigningAlias(), ca.commandSigningKey(), password,
          new Certificate[] {ca.commandSigningCertificate(), ca.issuingCertificate(), ca.rootCertificate()});
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      keyStore.store(bytes, password);
      SecureFiles.writeAtomically(store, bytes.toByteArray());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("Cannot create CA keystore " + store + ": " + e.getMessage(), e);
    }
    LOG.info("Created CA hierarchy in {}: root {}, issuing {}", store,
        ca.rootCertificate().getSubjectX500Principal(), ca.issuingCertificate().getSubjectX500Principal());
    return ca;
  }

  static CaHierarchy load(Path store, Path passwordFile, CaKeystoreSettings settings, String source) {
    if (!Files.isReadable(store)) {
      throw new IllegalStateException(source + " is missing or not readable");
    }
    if (!Files.isReadable(passwordFile)) {
      throw new IllegalStateException("Password file " + passwordFile + " of " + source + " is missing or not readable");
    }
    char[] password = readPassword(passwordFile);
    KeyStore keyStore;
    try {
      keyStore = KeyStore.getInstance(store.toFile(), password);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("Cannot open " + source + " with the password from " + passwordFile + ": " + rootMessage(e), e);
    }
    String rootAlias = settings.effectiveRootAlias();
    String issuingAlias = settings.effectiveIssuingAlias();
    String commandAlias = settings.effectiveCommandSigningAlias();
    CaHierarchy ca = new CaHierarchy(
        certificate(keyStore, rootAlias, source), optionalKey(keyStore, rootAlias, password),
        certificate(keyStore, issuingAlias, source), key(keyStore, issuingAlias, password, source),
        certificate(keyStore, commandAlias, source), key(keyStore, commandAlias, password, source));
    ca.validate(source);
    LOG.info("Loaded CA hierarchy from {}", source);
    return ca;
  }

  private static X509Certificate certificate(KeyStore keyStore, String alias, String source) {
    try {
      Certificate certificate = keyStore.getCertificate(alias);
      if (certificate == null) {
        throw new IllegalStateException(source + " has no alias '" + alias + "' (aliases present: "
            + String.join(", ", new java.util.TreeSet<>(Collections.list(keyStore.aliases()))) + ")");
      }
      if (!(certificate instanceof X509Certificate x509)) {
        throw new IllegalStateException("Alias '" + alias + "' in " + source + " is not an X.509 certificate");
      }
      return x509;
    } catch (java.security.KeyStoreException e) {
      throw new IllegalStateException("Cannot read alias '" + alias + "' of " + source + ": " + e.getMessage(), e);
    }
  }

  private static PrivateKey key(KeyStore keyStore, String alias, char[] password, String source) {
    PrivateKey key = optionalKey(keyStore, alias, password);
    if (key == null) {
      throw new IllegalStateException("Alias '" + alias + "' in " + source
          + " holds no private key readable with the store password");
    }
    return key;
  }

  private static PrivateKey optionalKey(KeyStore keyStore, String alias, char[] password) {
    try {
      Key key = keyStore.getKey(alias, password);
      return key instanceof PrivateKey privateKey ? privateKey : null;
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static char[] readPassword(Path passwordFile) {
    String text = SecureFiles.readString(passwordFile);
    int newline = text.indexOf('\n');
    String line = (newline >= 0 ? text.substring(0, newline) : text).strip();
    if (line.isEmpty()) {
      throw new IllegalStateException("Password file " + passwordFile + " is empty");
    }
    return line.toCharArray();
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
