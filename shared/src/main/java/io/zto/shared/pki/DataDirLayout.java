package io.zto.shared.pki;

import java.nio.file.Path;

/**
 * The files of the platform's PKI in its data dir.
 * <pre>
 * &lt;dataDir&gt;/                       0700
 *   ca.p12                         PKCS#12: root, issuing, command-signing (keys + chains)
 *   ca.p12.password                random password of ca.p12, one line
 *   root-ca.pem                    root CA certificate (trust anchor for devices and operators)
 *   issuing-ca.pem                 issuing CA certificate
 *   ca-chain.pem                   issuing CA + root CA
 *   command-signing.pem            command-signing certificate (devices verify ES256 commands with it)
 *   admin-token                    operator API bearer token, one line
 *   provisioning-credentials.json  {"username": ..., "password": ...} for factory provisioning
 *   tls/                           0700
 *     server-key.pem               server TLS private key, PKCS#8
 *     server-chain.pem             server certificate + issuing CA
 * </pre>
 * Every file is 0600. With an operator keystore ({@link CaKeystoreSettings}) there is no ca.p12
 * here; the PEM exports are written all the same.
 */
public record DataDirLayout(Path dataDir) {

  public static final String CA_KEYSTORE = "ca.p12";

  public Path rootCaPem() {
    return dataDir.resolve("root-ca.pem");
  }

  public Path issuingCaPem() {
    return dataDir.resolve("issuing-ca.pem");
  }

  public Path caChainPem() {
    return dataDir.resolve("ca-chain.pem");
  }

  public Path commandSigningPem() {
    return dataDir.resolve("command-signing.pem");
  }

  public Path adminToken() {
    return dataDir.resolve("admin-token");
  }

  public Path provisioningCredentials() {
    return dataDir.resolve("provisioning-credentials.json");
  }

  public Path tlsDir() {
    return dataDir.resolve("tls");
  }

  public Path serverKeyPem() {
    return tlsDir().resolve("server-key.pem");
  }

  public Path serverChainPem() {
    return tlsDir().resolve("server-chain.pem");
  }
}
