package io.zto.shared.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import io.zto.shared.pki.CertificateAuthority;
import io.zto.shared.pki.CsrBuilder;
import io.zto.shared.pki.DataDirBootstrap;
import io.zto.shared.pki.KeyPairs;
import io.zto.shared.pki.PlatformPki;

/**
 * A throwaway platform PKI made by the real {@link DataDirBootstrap}, and CSR helpers.
 * Blocking: call from the test thread, never from an event loop.
 */
public final class TestPki {

  /** CRL URL put into certificates issued by {@link #authority(PlatformPki)}. */
  public static final String CRL_URL = "http://localhost:8080/crl/issuing.crl";
  /** AIA caIssuers URL put into certificates issued by {@link #authority(PlatformPki)}. */
  public static final String CA_ISSUERS_URL = "http://localhost:8080/ca/issuing.crt";

  private static PlatformPki shared;

  private TestPki() {
  }

  /** A new platform PKI in {@code dataDir} (e.g. a JUnit {@code @TempDir}), public host localhost. */
  public static PlatformPki create(Path dataDir) {
    return new DataDirBootstrap(dataDir, "localhost").bootstrap();
  }

  /** One platform PKI per JVM in a temp dir removed at exit, for tests that only need some CA. */
  public static synchronized PlatformPki shared() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("zto-test-pki");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
        shared = create(dir.resolve("data"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  /** A device certificate authority on {@code pki}'s issuing CA with the test URLs. */
  public static CertificateAuthority authority(PlatformPki pki) {
    return pki.certificateAuthority(CRL_URL, CA_ISSUERS_URL);
  }

  /** Trust anchors of {@code pki}: its root. */
  public static List<X509Certificate> trustAnchors(PlatformPki pki) {
    return List.of(pki.rootCertificate());
  }

  /** A CSR for a new EC P-256 key with {@code CN=<commonName>}. */
  public static PKCS10CertificationRequest csr(String commonName) {
    return csr(KeyPairs.ecP256(), commonName, null);
  }

  /** A CSR for {@code keyPair} with {@code CN=<commonName>} and, unless null, a challengePassword. */
  public static PKCS10CertificationRequest csr(KeyPair keyPair, String commonName, String challengePassword) {
    return new CsrBuilder(keyPair).commonName(commonName).challengePassword(challengePassword).build();
  }

  /** Deletes a directory tree, best effort. */
  public static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
