package io.zto.deploy.est;

import io.zto.shared.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.est.ESTService;
import org.bouncycastle.est.jcajce.JcaJceUtils;
import org.bouncycastle.est.jcajce.JsseDefaultHostnameAuthorizer;
import org.bouncycastle.est.jcajce.JsseESTServiceBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Bouncy Castle's EST client (bcpkix), set up as a device would: trusting the platform root, with a client key. */
public final class BcEst {

  static {
    // the client side only: Bouncy Castle's EST client checks the server chain with the BC provider
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Security.addProvider(new BouncyCastleProvider());
    }
  }

  private BcEst() {}

  /** An EST service for {@code label} (null: none), presenting {@code key} and {@code chain} (null: no client certificate). */
  static ESTService service(EstTestNode node, String label, PrivateKey key, List<X509Certificate> chain) throws Exception {
    return service(node.rootPem(), node.estPort, label, key, chain);
  }

  /** An EST service of the server on {@code estPort} whose chain ends at the root in {@code rootPem}. */
  public static ESTService service(Path rootPem, int estPort, String label, PrivateKey key, List<X509Certificate> chain)
      throws Exception {
    X509Certificate root = Pem.readCertificate(Files.readString(rootPem));
    X509TrustManager[] trust = JcaJceUtils.getCertPathTrustManager(Set.of(new TrustAnchor(root, null)), null);
    JsseESTServiceBuilder builder = new JsseESTServiceBuilder("localhost:" + estPort, trust);
    builder.withHostNameAuthorizer(new JsseDefaultHostnameAuthorizer(null));
    if (label != null) {
      builder.withLabel(label);
    }
    if (key != null) {
      builder.withKeyManagers(keyManagers(key, chain));
    }
    return builder.build();
  }

  /** A CSR with subject CN = {@code cn}, and the challengePassword if not null. */
  public static PKCS10CertificationRequest csr(KeyPair keyPair, String cn, String challenge) throws Exception {
    JcaPKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + cn),
        keyPair.getPublic());
    if (challenge != null) {
      builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword, new DERPrintableString(challenge));
    }
    return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate()));
  }


  private static KeyManager[] keyManagers(PrivateKey key, List<X509Certificate> chain) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("device", key, "pw".toCharArray(), chain.toArray(X509Certificate[]::new));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, "pw".toCharArray());
    return factory.getKeyManagers();
  }
}
